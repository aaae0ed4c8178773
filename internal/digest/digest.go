// Package digest hashes strings without copying each into a []byte of its
// own: the indexer hashes every chunk's text twice (its vector hash and
// its id), and those copies were a tenth of a full index's garbage.
//
//	id := digest.HexSHA256(docID, "\x00", ordinal, "\x00", hash)
//
// Concurrency: HexSHA256 may be called from many goroutines at once.
package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// HexSHA256 returns the lowercase hex SHA-256 of the concatenated parts.
func HexSHA256(parts ...string) string {
	bp := buffers.Get().(*[]byte)
	b := (*bp)[:0]
	for _, p := range parts {
		b = append(b, p...)
	}
	sum := sha256.Sum256(b)
	if cap(b) <= maxBuffer {
		*bp = b
		buffers.Put(bp)
	}
	return hex.EncodeToString(sum[:])
}

// maxBuffer bounds the buffers kept for reuse, so that one large note
// does not stay in memory.
const maxBuffer = 64 << 10

var buffers = sync.Pool{New: func() any { return new([]byte) }}
