package embedded

import (
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// A search keeps the chunks it loaded (chunkcache.go). A document
// replaced by another text under the same chunk id gets its old rid back
// from SQLite; the next search must still return the new text, and a
// deleted document's chunk must not come back at all.
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
		hits, err := st.Search(ctx, storage.Query{Text: "alpha", Dense: unit(4, 0), Mode: mode, Limit: 5})
		if err != nil {
			t.Fatal(err)
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
		if len(hits) != 1 || hits[0].Chunk.Text != "alpha yak part 0" || hits[0].Chunk.Hash != "yak" || hits[0].Chunk.Metadata != nil {
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
