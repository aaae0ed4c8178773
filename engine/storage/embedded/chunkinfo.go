package embedded

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"workspace-qdrant-mcp/engine/storage"
)

// chunkInfo is what a search returns of a chunk besides its vector's
// entry (item) and its text and hash: kept in memory, so that a search
// builds its candidates' chunks without reading SQLite, and reads only
// the texts of the few hits the caller keeps (storage.Query.OmitText).
// Reading the 200 candidates of a hybrid search from SQLite was about 40%
// of its CPU time on GOROOT (BENCHMARKS.md).
//
// It is never changed once made: a chunk row is only inserted and
// deleted, and its item goes with it.
type chunkInfo struct {
	doc     *docInfo
	meta    []string // metadata as key, value pairs, sorted by key; nil for none
	ordinal int
	start   int // StartLine
	end     int // EndLine
}

// docInfo is what a document's chunks have in common, held once.
type docInfo struct {
	id, kind, path, title string
}

// share returns prev when it describes the same document, else a new
// docInfo: chunks of one document come one after another, on insert and
// (in rid order) when the index is loaded.
func (prev *docInfo) share(id, kind, path, title string) *docInfo {
	if prev != nil && prev.id == id && prev.kind == kind && prev.path == path && prev.title == title {
		return prev
	}
	return &docInfo{id: id, kind: kind, path: path, title: title}
}

// chunk returns the chunk of it, in collection, without its text and
// hash. Its metadata map is new: the caller may change it.
func (it *item) chunk(collection string) storage.Chunk {
	in := it.info
	c := storage.Chunk{
		ID: it.id, DocID: in.doc.id, Collection: collection, Kind: in.doc.kind, Path: it.path,
		Title: in.doc.title, Language: it.language, Ordinal: in.ordinal, StartLine: in.start, EndLine: in.end,
	}
	if len(in.meta) > 0 {
		c.Metadata = make(map[string]string, len(in.meta)/2)
		for i := 0; i < len(in.meta); i += 2 {
			c.Metadata[in.meta[i]] = in.meta[i+1]
		}
	}
	return c
}

// metaPairs returns m as chunkInfo.meta.
func metaPairs(m map[string]string) []string {
	if len(m) == 0 {
		return nil
	}
	pairs := make([]string, 0, 2*len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		pairs = append(pairs, k, m[k])
	}
	return pairs
}

// decodeMetaPairs parses metadata stored by encodeMetadata into
// chunkInfo.meta. The common object, whose strings have no escapes, is
// split in place (the pairs share the string's memory); any other goes
// through encoding/json.
func decodeMetaPairs(s string) ([]string, error) {
	if s == "{}" {
		return nil, nil
	}
	if pairs, ok := splitPlainObject(s); ok {
		return pairs, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	return metaPairs(m), nil
}

// splitPlainObject splits {"k":"v",...}, as json.Marshal writes a
// map[string]string without escapes (sorted keys, no spaces), into key,
// value pairs; ok is false for anything else.
func splitPlainObject(s string) (pairs []string, ok bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' || strings.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	rest := s[1 : len(s)-1]
	for rest != "" {
		var k, v string
		if k, rest, ok = quoted(rest); !ok || rest == "" || rest[0] != ':' {
			return nil, false
		}
		if v, rest, ok = quoted(rest[1:]); !ok {
			return nil, false
		}
		pairs = append(pairs, k, v)
		if rest != "" {
			if rest[0] != ',' || len(rest) == 1 {
				return nil, false
			}
			rest = rest[1:]
		}
	}
	for i := 2; i < len(pairs); i += 2 {
		if pairs[i-2] >= pairs[i] {
			return nil, false // not sorted, or a key twice: let encoding/json decide
		}
	}
	return pairs, len(pairs) > 0
}

// quoted splits a JSON string without escapes off the front of s.
func quoted(s string) (str, rest string, ok bool) {
	if s == "" || s[0] != '"' {
		return "", "", false
	}
	end := strings.IndexByte(s[1:], '"')
	if end < 0 {
		return "", "", false
	}
	str = s[1 : 1+end]
	for i := range len(str) {
		if str[i] < 0x20 {
			return "", "", false
		}
	}
	return str, s[2+end:], true
}

// textCacheBytes bounds the texts a textCache holds: all of a workspace
// of a few thousand chunks, the hits of many searches on a large one.
const textCacheBytes = 4 << 20

// textCacheOverhead is what a cached text costs beyond its bytes and its
// id's: the map entry.
const textCacheOverhead = 64

// textCache keeps, by chunk id, the texts Store.ChunkTexts read, so that
// searches returning the same hits need not read them from SQLite again.
//
// Every removal of a chunk from the index drops its id here
// (vectorIndex.forget), under Store.mu held exclusively, and ChunkTexts
// fills it under Store.mu held shared, from the commit the index
// describes; so a chunk rewritten under its id with another text is
// never served its old one. Its own mutex orders concurrent readers. The
// zero value is empty and ready.
type textCache struct {
	mu    sync.Mutex
	texts map[string]string
	bytes int
}

func (c *textCache) get(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.texts[id]
	return t, ok
}

// put keeps the text of chunk id, dropping others at random when the
// cache would outgrow textCacheBytes.
func (c *textCache) put(id, text string) {
	size := textSize(id, text)
	if size > textCacheBytes/16 {
		return // a huge text would evict many small ones
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.texts == nil {
		c.texts = make(map[string]string)
	}
	if old, ok := c.texts[id]; ok {
		c.bytes -= textSize(id, old)
	}
	for victim, v := range c.texts { // map order is random enough
		if c.bytes+size <= textCacheBytes {
			break
		}
		delete(c.texts, victim)
		c.bytes -= textSize(victim, v)
	}
	c.texts[id] = text
	c.bytes += size
}

// drop forgets the text of chunk id.
func (c *textCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.texts[id]; ok {
		delete(c.texts, id)
		c.bytes -= textSize(id, old)
	}
}

func textSize(id, text string) int { return textCacheOverhead + len(id) + len(text) }

// forget drops chunk rid, whose id is id, from the keyword index and the
// text cache: it has been deleted.
func (ix *vectorIndex) forget(rid int64, id string) {
	ix.removeTerms(rid)
	ix.texts.drop(id)
}
