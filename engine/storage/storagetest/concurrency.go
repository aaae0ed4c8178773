package storagetest

import (
	"fmt"
	"sync"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// hotVersions is how many times the concurrency test rewrites its
// document.
const hotVersions = 40

// hotChunks is how many chunks version v of the hot document has.
func hotChunks(v int) int { return 1 + v%5 }

// hotDocument returns version v of the document the concurrency test
// rewrites: every chunk's text names the version.
func hotDocument(v int) (storage.Document, []storage.Chunk) {
	doc := fileDoc("code", "/proj/hot.go")
	specs := make([]chunkSpec, hotChunks(v))
	for i := range specs {
		specs[i] = chunkSpec{fmt.Sprintf("hotdoc v%d part %d", v, i), blend(4, float32(i), float32(v%3)), "go"}
	}
	return doc, chunksOf(doc, specs...)
}

// hotVersion returns the version a chunk of the hot document belongs to.
func hotVersion(c storage.Chunk) (int, error) {
	var v, part int
	if _, err := fmt.Sscanf(c.Text, "hotdoc v%d part %d", &v, &part); err != nil {
		return 0, fmt.Errorf("chunk %s text %q: %w", c.ID, c.Text, err)
	}
	return v, nil
}

// checkOneVersion reports an error unless chunks, all of the hot
// document, are the complete chunk set of a single version.
func checkOneVersion(chunks []storage.Chunk) error {
	if len(chunks) == 0 {
		return fmt.Errorf("no chunk of the hot document")
	}
	first, err := hotVersion(chunks[0])
	if err != nil {
		return err
	}
	for _, c := range chunks[1:] {
		v, err := hotVersion(c)
		if err != nil {
			return err
		}
		if v != first {
			return fmt.Errorf("chunks of versions %d and %d seen together", first, v)
		}
	}
	if want := hotChunks(first); len(chunks) != want {
		return fmt.Errorf("%d chunks of version %d, want %d", len(chunks), first, want)
	}
	return nil
}

// testConcurrentReplaceAndSearch rewrites a document while other
// goroutines search and read it: each must see one complete version.
func testConcurrentReplaceAndSearch(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	for i := range 2 {
		doc := fileDoc("code", fmt.Sprintf("/proj/cold%d.go", i))
		replace(t, st, doc, chunksOf(doc,
			chunkSpec{"cold chunk one", blend(1, 1, float32(i)), "go"},
			chunkSpec{"cold chunk two", blend(1, 2, float32(i)), "go"},
		))
	}
	doc, chunks := hotDocument(0)
	replace(t, st, doc, chunks)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(stop)
		for v := 1; v <= hotVersions; v++ {
			doc, chunks := hotDocument(v)
			if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
				t.Errorf("ReplaceDocument(v%d): %v", v, err)
				return
			}
		}
	})
	for _, mode := range []string{storage.ModeKeyword, storage.ModeSemantic, storage.ModeHybrid} {
		wg.Go(func() { searchUntil(t, st, mode, stop) })
	}
	wg.Go(func() { getUntil(t, st, stop) })
	wg.Wait()
}

// searchUntil searches for every chunk until stop is closed, checking that
// the hot document's hits are one complete version.
func searchUntil(t *testing.T, st storage.Store, mode string, stop <-chan struct{}) {
	// Limit exceeds the chunks stored, so every chunk of the hot document
	// is a hit in every mode.
	q := storage.Query{Text: "hotdoc", Dense: axis(0), Mode: mode, Limit: 20, Collection: "code"}
	for {
		select {
		case <-stop:
			return
		default:
		}
		hits, err := st.Search(t.Context(), q)
		if err != nil {
			t.Errorf("%s search: %v", mode, err)
			return
		}
		var hot []storage.Chunk
		for _, h := range hits {
			if h.Chunk.DocID == "file:/proj/hot.go" {
				hot = append(hot, h.Chunk)
			}
		}
		if err := checkOneVersion(hot); err != nil {
			t.Errorf("%s search: %v", mode, err)
			return
		}
	}
}

// getUntil reads the hot document until stop is closed, checking that it
// has one complete version with its chunks in order.
func getUntil(t *testing.T, st storage.Store, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		doc, err := st.GetDocument(t.Context(), "file:/proj/hot.go")
		if err != nil {
			t.Errorf("GetDocument: %v", err)
			return
		}
		if err := checkOneVersion(doc.Chunks); err != nil {
			t.Errorf("GetDocument: %v", err)
			return
		}
		for i, c := range doc.Chunks {
			if c.Ordinal != i {
				t.Errorf("GetDocument: chunk %d has ordinal %d", i, c.Ordinal)
				return
			}
		}
	}
}
