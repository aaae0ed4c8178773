package storagetest

import (
	"maps"
	"reflect"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// testOmitText checks storage.Query.OmitText: a backend either ignores
// it (the hits carry their texts, and no Hit.Texts) or answers with the
// same hits, chunks and scores as without it, but with Text and Hash
// empty, and Hit.Texts reads the texts; once a chunk is replaced or
// deleted, its id is no longer read.
func testOmitText(t *testing.T, st storage.Store) {
	ctx := t.Context()
	ensure(t, st, "code")
	doc := fileDoc("code", "/proj/omit/render.go")
	chunks := chunksOf(doc,
		chunkSpec{"func Render() writes the zebra page", axis(0), "go"},
		chunkSpec{"func RenderAll() renders every zebra", axis(1), "go"},
	)
	chunks[0].Metadata = map[string]string{"source": "storagetest", "defines": "Render", "odd": "\"quoted\" <tag> & \\ é\n"}
	chunks[1].Metadata = map[string]string{"source": "storagetest", "defines": ""}
	replace(t, st, doc, chunks)
	note := noteDoc("code", "zebra", "Zebra notes")
	noteChunks := chunksOf(note, chunkSpec{"a zebra note", axis(2), ""})
	replace(t, st, note, noteChunks)

	for _, mode := range []string{storage.ModeHybrid, storage.ModeKeyword, storage.ModeSemantic} {
		q := storage.Query{Text: "zebra render", Dense: blend(1, 1, 1), Mode: mode, Limit: 10}
		full, err := st.Search(ctx, q)
		if err != nil {
			t.Fatalf("%s search: %v", mode, err)
		}
		q.OmitText = true
		lazy, err := st.Search(ctx, q)
		if err != nil {
			t.Fatalf("%s search without texts: %v", mode, err)
		}
		if len(full) != 3 || len(lazy) != len(full) {
			t.Fatalf("%s: %d hits with texts, %d without; want 3", mode, len(full), len(lazy))
		}
		var ids []string
		for _, h := range lazy {
			ids = append(ids, h.Chunk.ID)
		}
		texts := map[string]string{}
		if lazy[0].Texts != nil {
			if texts, err = lazy[0].Texts.ChunkTexts(ctx, ids); err != nil {
				t.Fatalf("%s: ChunkTexts: %v", mode, err)
			}
		}
		for i, h := range lazy {
			if h.Texts != nil {
				if h.Chunk.Text != "" || h.Chunk.Hash != "" {
					t.Errorf("%s hit %d has Texts and text %q, hash %q", mode, i, h.Chunk.Text, h.Chunk.Hash)
				}
				h.Chunk.Text, h.Chunk.Hash, h.Texts = texts[h.Chunk.ID], full[i].Chunk.Hash, nil
			}
			if g, w := asRead(h.Chunk), asRead(full[i].Chunk); !reflect.DeepEqual(g, w) {
				t.Errorf("%s hit %d without texts = %+v, with = %+v", mode, i, g, w)
			}
			if !near(h.Score, full[i].Score) || h.KeywordRank != full[i].KeywordRank || h.SemanticRank != full[i].SemanticRank {
				t.Errorf("%s hit %d scored %+v without texts, %+v with", mode, i, h, full[i])
			}
		}
		// The metadata handed out is the caller's.
		maps.DeleteFunc(lazy[0].Chunk.Metadata, func(string, string) bool { return true })
	}

	q := storage.Query{Text: "zebra", Dense: axis(0), Mode: storage.ModeHybrid, Limit: 10, OmitText: true}
	hits, err := st.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Texts == nil {
		return // the backend fills texts
	}
	reader := hits[0].Texts
	rewritten := chunksOf(doc, chunkSpec{"func Render() writes the zebra page, twice", axis(0), "go"})
	replace(t, st, doc, rewritten)
	if _, err := st.DeleteDocument(ctx, note.ID); err != nil {
		t.Fatal(err)
	}
	ids := []string{chunks[0].ID, chunks[1].ID, noteChunks[0].ID, rewritten[0].ID}
	texts, err := reader.ChunkTexts(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{rewritten[0].ID: rewritten[0].Text}; !reflect.DeepEqual(texts, want) {
		t.Fatalf("texts after a replace and a delete = %q, want %q", texts, want)
	}
}
