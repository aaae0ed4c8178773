package embedded

import (
	"errors"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// TestReplaceDocumentsIsAtomic checks that ReplaceDocuments writes every
// replacement, in order, or, when one fails, none of them.
func TestReplaceDocumentsIsAtomic(t *testing.T) {
	ctx := t.Context()
	st := openStore(t, t.TempDir(), Options{})
	if err := st.EnsureCollection(ctx, "code", 4); err != nil {
		t.Fatal(err)
	}
	rep := func(path, word string, n int) storage.Replacement {
		doc, chunks := testDoc(path, word, n)
		return storage.Replacement{Doc: doc, Chunks: chunks}
	}
	a1, b1 := rep("/p/a.go", "apple", 2), rep("/p/b.go", "banana", 3)
	a2 := rep("/p/a.go", "avocado", 1) // replaces a1 in the same batch
	if err := st.ReplaceDocuments(ctx, []storage.Replacement{a1, b1, a2}); err != nil {
		t.Fatal(err)
	}
	wantChunks := func(docID string, want int) {
		t.Helper()
		doc, err := st.GetDocument(ctx, docID)
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Chunks) != want {
			t.Fatalf("%s has %d chunks, want %d", docID, len(doc.Chunks), want)
		}
	}
	wantChunks(a1.Doc.ID, 1)
	wantChunks(b1.Doc.ID, 3)
	if hits := keywordSearch(t, st, "apple", 5); len(hits) != 0 {
		t.Fatalf("a chunk replaced later in the batch is found: %s", hits[0].Chunk.ID)
	}
	if hits := keywordSearch(t, st, "avocado", 5); len(hits) != 1 {
		t.Fatalf("avocado: %d hits, want 1", len(hits))
	}

	// A failing replacement keeps the others from being written.
	b2, c1 := rep("/p/b.go", "blueberry", 1), rep("/p/c.go", "cherry", 2)
	c1.Chunks[1].Dense = []float32{1, 0, 0}
	err := st.ReplaceDocuments(ctx, []storage.Replacement{b2, c1})
	if !errors.Is(err, storage.ErrDimensionMismatch) || !strings.Contains(err.Error(), c1.Doc.ID) {
		t.Fatalf("ReplaceDocuments with a bad vector: %v, want a dimension mismatch naming %s", err, c1.Doc.ID)
	}
	wantChunks(b1.Doc.ID, 3)
	if _, err := st.GetDocument(ctx, c1.Doc.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a document of a failed batch was stored: %v", err)
	}
	if hits := keywordSearch(t, st, "blueberry", 5); len(hits) != 0 {
		t.Fatal("a chunk of a failed batch is found")
	}
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}

	// a's chunk, written last, has the highest rid: deleting it lets a
	// new chunk of d, earlier in the batch, take that rid again.
	d1, a3 := rep("/p/d.go", "damson", 2), rep("/p/a.go", "apricot", 1)
	if err := st.ReplaceDocuments(ctx, []storage.Replacement{d1, a3}); err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string]int{"damson": 2, "apricot": 1, "avocado": 0} {
		if hits := keywordSearch(t, st, word, 5); len(hits) != want {
			t.Errorf("%s: %d hits, want %d", word, len(hits), want)
		}
	}
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}
