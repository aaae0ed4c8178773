package embedded

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// A search builds its chunks from what the index keeps of them
// (chunkinfo.go), and ChunkTexts keeps the texts it read. A document
// replaced by another text, lines and metadata under the same chunk id
// gets its old rid back from SQLite; the next search must still return
// the new chunk, with or without texts, and a deleted document's chunk
// must not come back at all.
func TestSearchAfterRewriteAndDelete(t *testing.T) {
	ctx := t.Context()
	st := openStore(t, t.TempDir(), Options{})
	if err := st.EnsureCollection(ctx, "code", 4); err != nil {
		t.Fatal(err)
	}
	doc, chunks := testDoc("/ws/a.go", "alpha zebra", 1)
	chunks[0].Metadata = map[string]string{"symbol": "func A"}
	if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
		t.Fatal(err)
	}
	search := func(mode string) []storage.Hit {
		t.Helper()
		q := storage.Query{Text: "alpha", Dense: unit(4, 0), Mode: mode, Limit: 5}
		hits, err := st.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		// The same hits without texts, whose texts ChunkTexts reads.
		q.OmitText = true
		lazy, err := st.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(lazy) != len(hits) {
			t.Fatalf("%s: %d hits without texts, %d with", mode, len(lazy), len(hits))
		}
		for i, h := range lazy {
			texts, err := st.ChunkTexts(ctx, []string{h.Chunk.ID})
			if err != nil {
				t.Fatal(err)
			}
			h.Chunk.Text, h.Chunk.Hash, h.Texts = texts[h.Chunk.ID], hits[i].Chunk.Hash, nil
			if !reflect.DeepEqual(h, hits[i]) {
				t.Fatalf("%s: hit %d without texts %+v, with %+v", mode, i, h, hits[i])
			}
		}
		return hits
	}
	var rid int64
	if err := st.reader.QueryRowContext(ctx, `SELECT rid FROM chunks`).Scan(&rid); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{storage.ModeHybrid, storage.ModeKeyword} {
		if hits := search(mode); len(hits) != 1 || hits[0].Chunk.Text != "alpha zebra part 0" {
			t.Fatalf("%s search before the rewrite: %+v", mode, hits)
		}
	}
	// Metadata handed out is the caller's to change.
	search(storage.ModeHybrid)[0].Chunk.Metadata["symbol"] = "changed"
	if got := search(storage.ModeHybrid)[0].Chunk.Metadata["symbol"]; got != "func A" {
		t.Fatalf("symbol %q after a caller changed the one it got", got)
	}
	chunks[0].Metadata = nil

	chunks[0].Text, chunks[0].Hash = "alpha yak part 0", "yak"
	chunks[0].StartLine, chunks[0].EndLine = 7, 9
	if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
		t.Fatal(err)
	}
	var again int64
	if err := st.reader.QueryRowContext(ctx, `SELECT rid FROM chunks`).Scan(&again); err != nil {
		t.Fatal(err)
	}
	if again != rid {
		t.Fatalf("the rewritten chunk has rid %d, the old one %d: the test needs a reused rid", again, rid)
	}
	for _, mode := range []string{storage.ModeHybrid, storage.ModeSemantic, storage.ModeKeyword} {
		hits := search(mode)
		if len(hits) != 1 || hits[0].Chunk.Text != "alpha yak part 0" || hits[0].Chunk.Hash != "yak" || hits[0].Chunk.Metadata != nil ||
			hits[0].Chunk.StartLine != 7 || hits[0].Chunk.EndLine != 9 {
			t.Fatalf("%s search after the rewrite: %+v", mode, hits)
		}
	}
	if _, err := st.DeleteDocument(ctx, doc.ID); err != nil {
		t.Fatal(err)
	}
	other, otherChunks := testDoc("/ws/b.go", "beta", 1)
	if err := st.ReplaceDocument(ctx, other, otherChunks); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{storage.ModeHybrid, storage.ModeSemantic} {
		hits := search(mode)
		if len(hits) != 1 || hits[0].Chunk.ID != otherChunks[0].ID || hits[0].Chunk.Text != "beta part 0" {
			t.Fatalf("%s search after the delete: %+v", mode, hits)
		}
	}
}

// What the index keeps of a chunk after a reopen (read from the chunks
// table) is what it kept when the chunk was written: a search returns
// the chunks GetDocument returns, metadata that needs escapes included.
func TestChunkInfoAfterReopen(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st := openToReopen(t, dir)
	doc, chunks := testDoc("/ws/a.go", "alpha", 3)
	doc.Title = "a"
	chunks[0].Metadata = map[string]string{"defines": "A B.c", "symbol": "func A"}
	chunks[1].Metadata = map[string]string{"defines": "", "odd": "\"q\" <t> & \\ é\n\u2028", "": "empty key"}
	note := storage.Document{ID: "note:n", Collection: "code", Kind: storage.KindNote, Title: "N"}
	noteChunk := storage.Chunk{ID: "note:n#0", DocID: note.ID, Collection: "code", Kind: storage.KindNote, Title: "N",
		Text: "alpha note", Hash: "n", Dense: unit(4, 3), StartLine: 1, EndLine: 1}
	for _, r := range []struct {
		doc    storage.Document
		chunks []storage.Chunk
	}{{doc, chunks}, {note, []storage.Chunk{noteChunk}}} {
		if err := st.ReplaceDocument(ctx, r.doc, r.chunks); err != nil {
			t.Fatal(err)
		}
	}
	check := func(st *Store) {
		t.Helper()
		want := map[string]storage.Chunk{}
		for _, id := range []string{doc.ID, note.ID} {
			d, err := st.GetDocument(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range d.Chunks {
				want[c.ID] = c
			}
		}
		hits, err := st.Search(ctx, storage.Query{Text: "alpha", Mode: storage.ModeKeyword, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != len(want) {
			t.Fatalf("%d hits, want %d", len(hits), len(want))
		}
		for _, h := range hits {
			if !reflect.DeepEqual(h.Chunk, want[h.Chunk.ID]) {
				t.Errorf("hit %+v, stored %+v", h.Chunk, want[h.Chunk.ID])
			}
		}
	}
	check(st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	check(openStore(t, dir, Options{}))
}

// checkMeta and metaMap read what encodeMetadata writes as encoding/json
// does, through their fast path or not.
func TestMetaMap(t *testing.T) {
	for _, m := range []map[string]string{
		nil, {}, {"defines": ""}, {"defines": "A B.c", "symbol": "func A"}, {"": ""},
		{"k": "\"quoted\""}, {"k": "a\\b"}, {"k": "<&>"}, {"k": "é ☃ \u2028"}, {"k": "line\nbreak\ttab\x01"},
		{"k,": ":v", "{": "}"}, {"a\"b": "c"},
	} {
		s, err := encodeMetadata(m)
		if err != nil {
			t.Fatal(err)
		}
		meta, err := checkMeta(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		got := metaMap(meta)
		var want map[string]string
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			want = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded %q, want %q", s, got, want)
		}
	}
	// Escapes json.Marshal does not write, decoded as encoding/json does,
	// lone surrogate halves included; and random maps.
	raw := []string{
		`{"k":"\ud83d\ude00 \/ \b\f \u00e9"}`, `{"k":"\ud800"}`, `{"k":"\udc00\ud800x"}`,
		`{"k":"\ud83d\u0041"}`, `{"\u006b":"v\\"}`, `{"a":"\"","b":"\\\""}`,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab\"\\/\n\t\x01<>&é☃😀\u2028")
	for range 200 {
		m := map[string]string{}
		for range rng.IntN(4) + 1 {
			var k, v []rune
			for range rng.IntN(6) {
				k = append(k, alphabet[rng.IntN(len(alphabet))])
			}
			for range rng.IntN(12) {
				v = append(v, alphabet[rng.IntN(len(alphabet))])
			}
			m[string(k)] = string(v)
		}
		b, _ := json.Marshal(m)
		raw = append(raw, string(b))
	}
	for _, s := range raw {
		meta, err := checkMeta(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		var want map[string]string
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatal(err)
		}
		if got := metaMap(meta); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded %q, want %q", s, got, want)
		}
		if !eachPlain(s, nil) {
			t.Errorf("%s: not on the fast path", s)
		}
	}
	for _, bad := range []string{`{"a":"b"`, `{"a":1}`, `{"a":"b",}`, `["a","b"]`, `{"a" "b"}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"b\"}`} {
		if _, err := checkMeta(bad); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}
