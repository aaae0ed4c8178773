package embedded

import (
	"maps"
	"sync"

	"workspace-qdrant-mcp/engine/storage"
)

// chunkCacheBytes bounds the text and strings a chunkCache holds: the
// whole of a workspace of a few thousand chunks, the chunks a few
// questions loaded on a large one.
const chunkCacheBytes = 8 << 20

// chunkCacheOverhead is what a cached chunk costs beyond its strings:
// the Chunk value, its map entry and its metadata map.
const chunkCacheOverhead = 256

// chunkCache keeps chunks a search loaded, by rid, so that the next
// searches need not read them from SQLite again: a search loads every
// candidate of both legs (up to 2 × Prefetch chunks), and reading one
// through the pure-Go SQLite costs several microseconds, most of a search
// on a small workspace.
//
// A chunk row is never updated in place, only inserted under a new rid
// and deleted, but SQLite may give a deleted rid to a later row; so every
// removal from the index drops its rid here (vectorIndex.forget), under
// Store.mu held exclusively, and a search fills it under Store.mu held
// shared, from the commit its index describes. Its own mutex orders
// concurrent searches. The zero value is empty and ready.
type chunkCache struct {
	mu     sync.Mutex
	chunks map[int64]storage.Chunk
	bytes  int
}

// get returns a copy of chunk rid, whose metadata map the caller may
// change.
func (c *chunkCache) get(rid int64) (storage.Chunk, bool) {
	c.mu.Lock()
	ch, ok := c.chunks[rid]
	c.mu.Unlock()
	if ok {
		ch.Metadata = maps.Clone(ch.Metadata)
	}
	return ch, ok
}

// put keeps a copy of chunk rid, dropping others at random when the cache
// would outgrow chunkCacheBytes.
func (c *chunkCache) put(rid int64, ch storage.Chunk) {
	size := chunkSize(ch)
	if size > chunkCacheBytes/16 {
		return // a huge chunk would evict many small ones
	}
	ch.Metadata = maps.Clone(ch.Metadata)
	ch.Dense, ch.Sparse = nil, storage.SparseVector{}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.chunks == nil {
		c.chunks = make(map[int64]storage.Chunk)
	}
	if old, ok := c.chunks[rid]; ok {
		c.bytes -= chunkSize(old)
	}
	for victim, v := range c.chunks { // map order is random enough
		if c.bytes+size <= chunkCacheBytes {
			break
		}
		delete(c.chunks, victim)
		c.bytes -= chunkSize(v)
	}
	c.chunks[rid] = ch
	c.bytes += size
}

// drop forgets chunk rid.
func (c *chunkCache) drop(rid int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.chunks[rid]; ok {
		delete(c.chunks, rid)
		c.bytes -= chunkSize(old)
	}
}

// chunkSize estimates the memory a cached chunk holds.
func chunkSize(ch storage.Chunk) int {
	n := chunkCacheOverhead + len(ch.ID) + len(ch.DocID) + len(ch.Collection) + len(ch.Kind) +
		len(ch.Path) + len(ch.Title) + len(ch.Language) + len(ch.Text) + len(ch.Hash)
	for k, v := range ch.Metadata {
		n += len(k) + len(v) + 32
	}
	return n
}

// forget drops chunk rid from the keyword index and the chunk cache: it
// has been deleted.
func (ix *vectorIndex) forget(rid int64) {
	ix.removeTerms(rid)
	ix.chunks.drop(rid)
}
