package storagetest

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

func testPing(t *testing.T, st storage.Store) {
	if err := st.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// asRead returns c as reads return it, with empty metadata as nil, so
// chunks can be compared with reflect.DeepEqual.
func asRead(c storage.Chunk) storage.Chunk {
	c = withoutVectors(c)
	if len(c.Metadata) == 0 {
		c.Metadata = nil
	}
	return c
}

// checkDocument fails the test unless got is want with chunks in order.
func checkDocument(t *testing.T, got, want storage.Document, chunks []storage.Chunk) {
	t.Helper()
	gotHead, wantHead := got, want
	gotHead.Chunks, wantHead.Chunks = nil, nil
	if len(gotHead.Metadata) == 0 && len(wantHead.Metadata) == 0 {
		gotHead.Metadata, wantHead.Metadata = nil, nil
	}
	if !reflect.DeepEqual(gotHead, wantHead) {
		t.Errorf("document = %+v, want %+v", gotHead, wantHead)
	}
	if len(got.Chunks) != len(chunks) {
		t.Fatalf("document %s has %d chunks, want %d", want.ID, len(got.Chunks), len(chunks))
	}
	for i, c := range chunks {
		if g, w := asRead(got.Chunks[i]), asRead(c); !reflect.DeepEqual(g, w) {
			t.Errorf("chunk %d = %+v, want %+v", i, g, w)
		}
	}
}

func testReplaceThenGet(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	doc := fileDoc("code", "/proj/engine/store.go")
	chunks := chunksOf(doc,
		chunkSpec{"package engine", axis(0), "go"},
		chunkSpec{"func Open() error", axis(1), "go"},
		chunkSpec{"func Close() error", axis(2), "go"},
	)
	reversed := slices.Clone(chunks)
	slices.Reverse(reversed)
	replace(t, st, doc, reversed)

	note := noteDoc("code", "n1", "Design notes")
	noteChunks := chunksOf(note, chunkSpec{"remember the milk", axis(3), ""})
	replace(t, st, note, noteChunks)

	got, err := st.GetDocument(t.Context(), doc.ID)
	if err != nil {
		t.Fatalf("GetDocument: %v", err)
	}
	checkDocument(t, got, doc, chunks)
	got, err = st.GetDocument(t.Context(), note.ID)
	if err != nil {
		t.Fatalf("GetDocument(note): %v", err)
	}
	checkDocument(t, got, note, noteChunks)
}

func testReplaceLeavesNoStaleChunks(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	doc := fileDoc("code", "/proj/main.go")
	replace(t, st, doc, chunksOf(doc,
		chunkSpec{"alpha", axis(0), "go"},
		chunkSpec{"bravo", axis(1), "go"},
		chunkSpec{"charlie", axis(2), "go"},
	))
	doc.Metadata = map[string]string{"source": "storagetest", "version": "2"}
	v2 := chunksOf(doc, chunkSpec{"delta", axis(3), "go"})
	replace(t, st, doc, v2)

	got, err := st.GetDocument(t.Context(), doc.ID)
	if err != nil {
		t.Fatalf("GetDocument: %v", err)
	}
	checkDocument(t, got, doc, v2)
	if hits := search(t, st, storage.Query{Text: "alpha bravo charlie", Mode: storage.ModeKeyword, Limit: 10}); len(hits) != 0 {
		t.Errorf("keyword search for replaced text found %v", hitIDs(hits))
	}
	hits := search(t, st, storage.Query{Dense: axis(0), Mode: storage.ModeSemantic, Limit: 10})
	if ids := hitIDs(hits); !slices.Equal(ids, []string{v2[0].ID}) {
		t.Errorf("semantic search found %v, want only %s", ids, v2[0].ID)
	}
	checkStats(t, st, storage.Stats{Documents: 1, Files: 1, Chunks: 1})
}

func testReplaceWithNoChunks(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	doc := fileDoc("code", "/proj/empty.go")
	replace(t, st, doc, chunksOf(doc, chunkSpec{"package empty", axis(0), "go"}))
	replace(t, st, doc, nil)
	got, err := st.GetDocument(t.Context(), doc.ID)
	if err != nil {
		t.Fatalf("GetDocument: %v", err)
	}
	checkDocument(t, got, doc, nil)
	checkStats(t, st, storage.Stats{Documents: 1, Files: 1, Chunks: 0})
}

func testDeleteDocument(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	doc := fileDoc("code", "/proj/gone.go")
	replace(t, st, doc, chunksOf(doc,
		chunkSpec{"ephemeral words", axis(0), "go"},
		chunkSpec{"more ephemeral words", axis(1), "go"},
	))
	keep := fileDoc("code", "/proj/keep.go")
	replace(t, st, keep, chunksOf(keep, chunkSpec{"durable words", axis(2), "go"}))

	n, err := st.DeleteDocument(t.Context(), doc.ID)
	if err != nil || n != 2 {
		t.Fatalf("DeleteDocument = %d, %v; want 2, nil", n, err)
	}
	if _, err := st.GetDocument(t.Context(), doc.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetDocument after delete: %v, want ErrNotFound", err)
	}
	if _, err := st.DeleteDocument(t.Context(), doc.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second DeleteDocument: %v, want ErrNotFound", err)
	}
	for _, mode := range []string{storage.ModeKeyword, storage.ModeSemantic, storage.ModeHybrid} {
		hits := search(t, st, storage.Query{Text: "ephemeral words", Dense: axis(0), Mode: mode, Limit: 10})
		for _, h := range hits {
			if h.Chunk.DocID == doc.ID {
				t.Errorf("%s search found deleted chunk %s", mode, h.Chunk.ID)
			}
		}
	}
	checkStats(t, st, storage.Stats{Documents: 1, Files: 1, Chunks: 1})
}

func testNotFound(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	if _, err := st.GetDocument(t.Context(), "file:/nowhere"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetDocument(missing): %v, want ErrNotFound", err)
	}
	if _, err := st.DeleteDocument(t.Context(), "file:/nowhere"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeleteDocument(missing): %v, want ErrNotFound", err)
	}
	_, err := st.Search(t.Context(), storage.Query{Text: "x", Dense: axis(0), Collection: "missing", Limit: 1})
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Search(missing collection): %v, want ErrNotFound", err)
	}
}

func testDimensionMismatch(t *testing.T, st storage.Store) {
	ensure(t, st, "code", "code") // idempotent
	if err := st.EnsureCollection(t.Context(), "code", dims/2); !errors.Is(err, storage.ErrDimensionMismatch) {
		t.Errorf("EnsureCollection with another size: %v, want ErrDimensionMismatch", err)
	}
	doc := fileDoc("code", "/proj/dims.go")
	good := chunksOf(doc, chunkSpec{"right size", axis(0), "go"})
	replace(t, st, doc, good)

	bad := chunksOf(doc,
		chunkSpec{"right size again", axis(1), "go"},
		chunkSpec{"wrong size", make([]float32, dims-1), "go"},
	)
	if err := st.ReplaceDocument(t.Context(), doc, bad); !errors.Is(err, storage.ErrDimensionMismatch) {
		t.Errorf("ReplaceDocument with a short vector: %v, want ErrDimensionMismatch", err)
	}
	got, err := st.GetDocument(t.Context(), doc.ID)
	if err != nil {
		t.Fatalf("GetDocument: %v", err)
	}
	checkDocument(t, got, doc, good) // the failed replace changed nothing

	_, err = st.Search(t.Context(), storage.Query{Dense: make([]float32, dims/2), Mode: storage.ModeSemantic, Collection: "code", Limit: 1})
	if !errors.Is(err, storage.ErrDimensionMismatch) {
		t.Errorf("Search with a short query vector: %v, want ErrDimensionMismatch", err)
	}
}

func testInvalidArguments(t *testing.T, st storage.Store) {
	ensure(t, st, "code", "other")
	doc := fileDoc("code", "/proj/x.go")
	chunk := chunksOf(doc, chunkSpec{"text", axis(0), "go"})[0]

	wrongDoc := chunk
	wrongDoc.DocID = "file:/proj/y.go"
	wrongCollection := chunk
	wrongCollection.Collection = "other"
	unknown := fileDoc("never-ensured", "/proj/z.go")
	cases := map[string]func() error{
		"chunk of another document": func() error {
			return st.ReplaceDocument(t.Context(), doc, []storage.Chunk{wrongDoc})
		},
		"chunk in another collection": func() error {
			return st.ReplaceDocument(t.Context(), doc, []storage.Chunk{wrongCollection})
		},
		"collection never ensured": func() error {
			return st.ReplaceDocument(t.Context(), unknown, chunksOf(unknown, chunkSpec{"text", axis(0), "go"}))
		},
		"zero limit": func() error {
			_, err := st.Search(t.Context(), storage.Query{Text: "text", Dense: axis(0), Limit: 0})
			return err
		},
		"negative limit": func() error {
			_, err := st.Search(t.Context(), storage.Query{Text: "text", Dense: axis(0), Limit: -1})
			return err
		},
		"semantic search without a vector": func() error {
			_, err := st.Search(t.Context(), storage.Query{Text: "text", Mode: storage.ModeSemantic, Limit: 1})
			return err
		},
	}
	for name, call := range cases {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := st.GetDocument(t.Context(), doc.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a rejected replace stored the document (GetDocument: %v)", err)
	}
}

func testVectorsByHash(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	doc := fileDoc("code", "/proj/vec.go")
	chunks := chunksOf(doc,
		chunkSpec{"first", blend(1, 2, 3), "go"},
		chunkSpec{"second", axis(5), "go"},
	)
	replace(t, st, doc, chunks)

	got, err := st.VectorsByHash(t.Context(), []string{chunks[0].Hash, chunks[1].Hash, "0123unknown"})
	if err != nil {
		t.Fatalf("VectorsByHash: %v", err)
	}
	if len(got) != 2 {
		t.Errorf("VectorsByHash returned %d vectors, want 2", len(got))
	}
	for _, c := range chunks {
		if !closeVectors(got[c.Hash], c.Dense) {
			t.Errorf("vector for %s = %v, want %v", c.Hash, got[c.Hash], c.Dense)
		}
	}
	if got, err := st.VectorsByHash(t.Context(), nil); err != nil || len(got) != 0 {
		t.Errorf("VectorsByHash(nil) = %v, %v; want empty", got, err)
	}
}

// closeVectors reports whether a, as stored, is b up to float16 rounding
// (see storage.Store.VectorsByHash): within 2^-11 of the largest value
// of b, and 1e-6 for float32's.
func closeVectors(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	var peak float64
	for _, x := range b {
		peak = max(peak, math.Abs(float64(x)))
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > peak/2048+1e-6 {
			return false
		}
	}
	return true
}

func testCollectionsAndStats(t *testing.T, st storage.Store) {
	ensure(t, st, "notes", "code", "empty")
	for i, path := range []string{"/proj/a.go", "/proj/b.go"} {
		doc := fileDoc("code", path)
		replace(t, st, doc, chunksOf(doc,
			chunkSpec{"one", axis(i), "go"},
			chunkSpec{"two", axis(i + 2), "go"},
		))
	}
	note := noteDoc("notes", "n", "A note")
	replace(t, st, note, chunksOf(note, chunkSpec{"note text", axis(7), ""}))

	got, err := st.Collections(t.Context())
	if err != nil {
		t.Fatalf("Collections: %v", err)
	}
	want := []storage.CollectionInfo{
		{Name: "code", Documents: 2, Chunks: 4},
		{Name: "empty"},
		{Name: "notes", Documents: 1, Chunks: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Collections = %+v, want %+v", got, want)
	}
	checkStats(t, st, storage.Stats{Documents: 3, Files: 2, Chunks: 5})
}

// checkStats fails the test unless the store's stats are want.
func checkStats(t *testing.T, st storage.Store, want storage.Stats) {
	t.Helper()
	got, err := st.Stats(t.Context())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func testClose(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := st.Close(); err != nil && !errors.Is(err, storage.ErrClosed) {
		t.Errorf("second Close: %v, want nil or ErrClosed", err)
	}
	ctx := t.Context()
	doc := fileDoc("code", "/proj/closed.go")
	calls := map[string]func() error{
		"Ping":             func() error { return st.Ping(ctx) },
		"EnsureCollection": func() error { return st.EnsureCollection(ctx, "code", dims) },
		"ReplaceDocument": func() error {
			return st.ReplaceDocument(ctx, doc, chunksOf(doc, chunkSpec{"text", axis(0), "go"}))
		},
		"DeleteDocument": func() error { _, err := st.DeleteDocument(ctx, doc.ID); return err },
		"GetDocument":    func() error { _, err := st.GetDocument(ctx, doc.ID); return err },
		"Documents":      func() error { _, err := st.Documents(ctx, "code"); return err },
		"VectorsByHash":  func() error { _, err := st.VectorsByHash(ctx, []string{"h"}); return err },
		"Search": func() error {
			_, err := st.Search(ctx, storage.Query{Text: "text", Dense: axis(0), Limit: 1})
			return err
		},
		"Collections": func() error { _, err := st.Collections(ctx); return err },
		"Stats":       func() error { _, err := st.Stats(ctx); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, storage.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

// testDropCollection: dropping a collection removes its documents, chunks
// and keyword entries and nothing of other collections; the name can then
// be created again with another vector size.
func testDropCollection(t *testing.T, st storage.Store) {
	ensure(t, st, "doomed", "kept")
	doomed := fileDoc("doomed", "/ws/a.go")
	replace(t, st, doomed, chunksOf(doomed, chunkSpec{text: "zanzibar quill", dense: axis(0)}))
	kept := fileDoc("kept", "/ws/b.go")
	replace(t, st, kept, chunksOf(kept, chunkSpec{text: "zanzibar ink", dense: axis(0)}))

	n, err := st.DropCollection(t.Context(), "doomed")
	if err != nil || n != 1 {
		t.Fatalf("DropCollection = %d, %v; want 1 document", n, err)
	}
	if _, err := st.GetDocument(t.Context(), doomed.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetDocument of a dropped document = %v, want ErrNotFound", err)
	}
	for _, mode := range []string{storage.ModeKeyword, storage.ModeSemantic} {
		hits := search(t, st, storage.Query{Text: "zanzibar", Dense: axis(0), Mode: mode, Limit: 10})
		if len(hits) != 1 || hits[0].Chunk.DocID != kept.ID {
			t.Errorf("%s search after drop = %v, want only %s", mode, hitIDs(hits), kept.ID)
		}
	}
	if n, err := st.DropCollection(t.Context(), "never-existed"); err != nil || n != 0 {
		t.Errorf("DropCollection of a missing collection = %d, %v; want 0, nil", n, err)
	}
	if err := st.EnsureCollection(t.Context(), "doomed", dims*2); err != nil {
		t.Errorf("EnsureCollection with another size after drop: %v", err)
	}
	colls, err := st.Collections(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range colls {
		if c.Name == "doomed" && (c.Documents != 0 || c.Chunks != 0) {
			t.Errorf("re-created collection holds %+v", c)
		}
	}
}

// testDocuments: Documents lists one collection's documents by id, each
// with the chunks of its latest write in order and nothing of other
// collections; a missing or dropped collection has none.
func testDocuments(t *testing.T, st storage.Store) {
	ensure(t, st, "code", "notes")
	file := fileDoc("code", "/ws/main.go")
	replace(t, st, file, chunksOf(file, chunkSpec{"package main", axis(0), "go"}))

	long := noteDoc("notes", "b-long", "Long note")
	long.Metadata = map[string]string{"topic": "design"}
	replace(t, st, long, chunksOf(long, chunkSpec{"first draft", axis(1), ""}))
	longChunks := chunksOf(long,
		chunkSpec{"one", axis(2), ""},
		chunkSpec{"two", axis(3), ""},
		chunkSpec{"three", axis(4), ""},
	)
	reversed := slices.Clone(longChunks)
	slices.Reverse(reversed)
	replace(t, st, long, reversed) // a second write: only its chunks count
	empty := noteDoc("notes", "a-empty", "Empty note")
	replace(t, st, empty, nil)

	docs, err := st.Documents(t.Context(), "notes")
	if err != nil {
		t.Fatalf("Documents(notes): %v", err)
	}
	if len(docs) != 2 {
		t.Fatalf("Documents(notes) = %d documents, want 2", len(docs))
	}
	checkDocument(t, docs[0], empty, nil)
	checkDocument(t, docs[1], long, longChunks)

	docs, err = st.Documents(t.Context(), "code")
	if err != nil || len(docs) != 1 {
		t.Fatalf("Documents(code) = %d documents, %v; want 1", len(docs), err)
	}
	checkDocument(t, docs[0], file, chunksOf(file, chunkSpec{"package main", axis(0), "go"}))

	if docs, err := st.Documents(t.Context(), "never-existed"); err != nil || len(docs) != 0 {
		t.Errorf("Documents of a missing collection = %d documents, %v; want none, nil", len(docs), err)
	}
	if _, err := st.DropCollection(t.Context(), "notes"); err != nil {
		t.Fatal(err)
	}
	if docs, err := st.Documents(t.Context(), "notes"); err != nil || len(docs) != 0 {
		t.Errorf("Documents of a dropped collection = %d documents, %v; want none, nil", len(docs), err)
	}
}
