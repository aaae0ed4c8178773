package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
)

// HexSHA256 is the hex SHA-256 of the parts joined, for empty, small and
// large inputs (past the pooled buffer's bound), from many goroutines.
func TestHexSHA256(t *testing.T) {
	cases := [][]string{
		nil, {""}, {"a", "\x00", "b"}, {"ab", "", "c"},
		{strings.Repeat("x", maxBuffer+1), "y"}, {"z"},
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, parts := range cases {
				sum := sha256.Sum256([]byte(strings.Join(parts, "")))
				if got, want := HexSHA256(parts...), hex.EncodeToString(sum[:]); got != want {
					t.Errorf("HexSHA256(%d parts) = %s, want %s", len(parts), got, want)
				}
			}
		})
	}
	wg.Wait()
}
