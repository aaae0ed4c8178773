package embedded

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"

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
	meta    string // metadata as stored (checkMeta), "" for none; metaMap decodes it
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
	return storage.Chunk{
		ID: it.id, DocID: in.doc.id, Collection: collection, Kind: in.doc.kind, Path: it.path,
		Title: in.doc.title, Language: it.language, Ordinal: in.ordinal, StartLine: in.start, EndLine: in.end,
		Metadata: metaMap(in.meta),
	}
}

// checkMeta returns metadata as encodeMetadata stored it, as
// chunkInfo.meta keeps it: "" for none, else the JSON object, which must
// decode.
func checkMeta(s string) (string, error) {
	if s == "{}" {
		return "", nil
	}
	if eachPlain(s, nil) {
		return s, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return "", fmt.Errorf("decode metadata: %w", err)
	}
	return s, nil
}

// metaMap decodes chunkInfo.meta, which checkMeta checked; nil for none.
// The object json.Marshal writes for a map[string]string is split in
// place (the values without escapes share the string's memory); any
// other goes through encoding/json.
func metaMap(s string) map[string]string {
	if s == "" {
		return nil
	}
	m := make(map[string]string, 2)
	if eachPlain(s, func(k, v string) { m[k] = v }) {
		return m
	}
	clear(m)
	_ = json.Unmarshal([]byte(s), &m) // checked by checkMeta
	return m
}

// eachPlain calls fn (when not nil) with each key and value of
// {"k":"v",...}, a JSON object of strings without spaces, as json.Marshal
// writes a map[string]string, and reports whether s is one; when it is
// not, fn may have seen some of it.
func eachPlain(s string, fn func(k, v string)) bool {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return false
	}
	rest := s[1 : len(s)-1]
	if rest == "" {
		return false // {} is "" in chunkInfo.meta
	}
	for rest != "" {
		k, after, ok := quoted(rest)
		if !ok || after == "" || after[0] != ':' {
			return false
		}
		v, after, ok := quoted(after[1:])
		if !ok {
			return false
		}
		if fn != nil {
			fn(k, v)
		}
		rest = after
		if rest != "" {
			if rest[0] != ',' || len(rest) == 1 {
				return false
			}
			rest = rest[1:]
		}
	}
	return true
}

// quoted splits a JSON string off the front of s and returns its value.
// Language servers' hover texts hold quotes and line breaks, so escapes
// are common: without them the value is a substring of s; with them,
// unescaped into a string of its own.
func quoted(s string) (str, rest string, ok bool) {
	if s == "" || s[0] != '"' {
		return "", "", false
	}
	escaped := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			if !escaped {
				return s[1:i], s[i+1:], true
			}
			str, ok := unescape(s[1:i])
			return str, s[i+1:], ok
		case c == '\\':
			escaped = true
			i++ // the escaped byte is never the closing quote
		case c < 0x20:
			return "", "", false
		}
	}
	return "", "", false
}

// unescape returns the value of the body of a JSON string that holds
// escapes; false if one is not JSON's.
func unescape(body string) (string, bool) {
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i++; i == len(body) {
			return "", false
		}
		switch body[i] {
		case '"', '\\', '/':
			b.WriteByte(body[i])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := hex4(body[i+1:])
			if n == 0 {
				return "", false
			}
			i += n
			if utf16.IsSurrogate(r) {
				// A pair is \uD8xx\uDCxx; a lone half is U+FFFD, as
				// encoding/json decodes it.
				if len(body) > i+2 && body[i+1] == '\\' && body[i+2] == 'u' {
					if r2, n2 := hex4(body[i+3:]); n2 != 0 {
						if p := utf16.DecodeRune(r, r2); p != unicode.ReplacementChar {
							r, i = p, i+2+n2
						}
					}
				}
				if utf16.IsSurrogate(r) {
					r = unicode.ReplacementChar
				}
			}
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return b.String(), true
}

// hex4 reads the four hex digits of a \u escape at the front of s: the
// code unit and 4, or 0, 0 if they are not there.
func hex4(s string) (rune, int) {
	if len(s) < 4 {
		return 0, 0
	}
	v, err := strconv.ParseUint(s[:4], 16, 16)
	if err != nil {
		return 0, 0
	}
	return rune(v), 4
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
	if r, ok := ix.ids[id]; ok && r == rid {
		delete(ix.ids, id)
	}
}
