package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// errInjected is the failure failingDoc injects.
var errInjected = errors.New("injected write failure")

// failingDoc is the real store, counting the documents of each batch
// write, except that every write of docID (alone or in a batch) fails.
type failingDoc struct {
	storage.Store
	docID string

	mu      sync.Mutex
	batches []int // documents per ReplaceDocuments call
}

func (s *failingDoc) ReplaceDocument(ctx context.Context, doc storage.Document, chunks []storage.Chunk) error {
	if doc.ID == s.docID {
		return errInjected
	}
	return s.Store.ReplaceDocument(ctx, doc, chunks)
}

func (s *failingDoc) ReplaceDocuments(ctx context.Context, reps []storage.Replacement) error {
	s.mu.Lock()
	s.batches = append(s.batches, len(reps))
	s.mu.Unlock()
	for _, r := range reps {
		if r.Doc.ID == s.docID {
			return errInjected
		}
	}
	return s.Store.(storage.BatchReplacer).ReplaceDocuments(ctx, reps)
}

// TestFullIndexWritesInBatches checks that a full index writes several
// files per store transaction, that a batch that fails is written again
// file by file so that only the bad file fails, and that the bad file's
// work stays pending in the ledger, to be done by the next start.
func TestFullIndexWritesInBatches(t *testing.T) {
	root, data := newDirs(t)
	const files = 120
	paths := make([]string, files)
	for i := range paths {
		paths[i] = writeFile(t, root, fmt.Sprintf("pkg%d/f%03d.go", i%7, i), goSource("p", token("batchword", i)))
	}
	bad := paths[17]
	cfg := testConfig(t, root, data)

	failing := &failingDoc{docID: "file:" + bad}
	e1 := startEnvWith(t, cfg, func(st storage.Store) storage.Store { failing.Store = st; return failing })
	e1.waitSettled()
	failing.mu.Lock()
	batches := slices.Clone(failing.batches)
	failing.mu.Unlock()
	if len(batches) == 0 || slices.Max(batches) < 2 {
		t.Fatalf("documents per batch write: %v; want batches of several", batches)
	}
	for i, p := range paths {
		want := []string{p}
		if p == bad {
			want = nil
		}
		if got := e1.keywordPaths(token("batchword", i)); !slices.Equal(got, want) {
			t.Fatalf("keyword search for file %d finds %v, want %v", i, got, want)
		}
	}
	if err := e1.store.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
	e1.stop()

	e2 := startEnv(t, cfg)
	e2.waitSettled()
	e2.assertDocs(paths)
	if got := e2.keywordPaths(token("batchword", 17)); !slices.Equal(got, []string{bad}) {
		t.Fatalf("after a restart, the file whose write failed is found at %v, want %s", got, bad)
	}
}
