//go:build unix

package peer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A socket directory that others may write is refused: whoever can write
// it could replace the socket.
func TestPrivateDirRefusesOthersWritable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sock")
	if err := privateDir(dir); err != nil {
		t.Fatalf("a new directory: %v", err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := privateDir(dir); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Fatalf("a 0777 directory: %v, want refused as writable by others", err)
	}
}
