package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// writeCounter wraps a store and records the file documents written. It
// hides the store's batch writes, so that each goes through
// ReplaceDocument.
type writeCounter struct {
	storage.Store
	mu     sync.Mutex
	writes []string // base names of the files written, in order
}

func (w *writeCounter) ReplaceDocument(ctx context.Context, doc storage.Document, chunks []storage.Chunk) error {
	err := w.Store.ReplaceDocument(ctx, doc, chunks)
	if p, ok := ingest.FileDocPath(doc.ID); ok && err == nil {
		w.mu.Lock()
		w.writes = append(w.writes, filepath.Base(p))
		w.mu.Unlock()
	}
	return err
}

func (w *writeCounter) written() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := slices.Clone(w.writes)
	sort.Strings(out)
	return out
}

// waitUntil polls cond until it holds, failing the test after 10s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	enginetest.Eventually(t, what, 10*time.Second, cond)
}

// Deleting a workspace file's document forgets the file in the ledger:
// while the engine runs, the file stays out of the index until it
// changes; the next start writes that file again, and only it, instead of
// finding the index short and writing every file again.
func TestDeleteFileDocumentForgetsTheFile(t *testing.T) {
	words := map[string]string{"a.txt": "anemoneword", "b.txt": "begoniaword", "c.txt": "camelliaword"}
	files := map[string]string{}
	for name, w := range words {
		files[name] = "the " + w + " grows here\n"
	}
	cfg := workspaceConfig(t, files)
	cfg.Workspace.Debounce = config.Duration(20 * time.Millisecond)
	cfg.LSP.Enabled = false
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	root := cfg.Workspace.Roots[0]
	var counter *writeCounter
	logs := &syncBuffer{}
	m := New(cfg, Options{
		Logger: zerolog.New(logs).Level(zerolog.WarnLevel),
		OpenStore: func(ctx context.Context, cfg config.Config) (storage.Store, error) {
			st, err := openStore(ctx, cfg)
			if err != nil {
				return nil, err
			}
			counter = &writeCounter{Store: st}
			return counter, nil
		},
	})
	ctx := t.Context()
	start := func() {
		t.Helper()
		if err := m.Start(ctx); err != nil {
			t.Fatalf("Start: %v", err)
		}
		if err := m.WaitIndexed(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = m.Stop(context.Background(), StopOptions{})
		m.Wait()
	})
	has := func(name string) bool {
		t.Helper()
		_, err := m.GetDocument(ctx, DocumentRef{Path: name})
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("get %s: %v", name, err)
		}
		return err == nil
	}
	finds := func(word, name string) bool {
		t.Helper()
		return slices.Contains(findPaths(t, m, word), name)
	}

	start()
	if got := counter.written(); !slices.Equal(got, []string{"a.txt", "b.txt", "c.txt"}) {
		t.Fatalf("first start wrote %v, want every file once", got)
	}
	id, n, err := m.DeleteDocument(ctx, DocumentRef{Path: "a.txt"})
	if err != nil || n == 0 || id != ingest.FileDocID(filepath.Join(root, "a.txt")) {
		t.Fatalf("DeleteDocument = %s, %d, %v", id, n, err)
	}
	if has("a.txt") || finds(words["a.txt"], "a.txt") {
		t.Fatal("a.txt is still in the index after delete_document")
	}

	// While running: another file's change is indexed; a.txt, unchanged,
	// stays deleted.
	if err := os.WriteFile(filepath.Join(root, "c.txt"), []byte("the camelliaword and the dahliaword\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the change of c.txt to be indexed", func() bool { return finds("dahliaword", "c.txt") })
	if err := m.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if has("a.txt") {
		t.Error("a.txt, unchanged, came back while the engine ran")
	}
	if _, err := m.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}

	// The next start writes a.txt again, and nothing else.
	start()
	if got := counter.written(); !slices.Equal(got, []string{"a.txt"}) {
		t.Errorf("the start after delete_document wrote %v, want only a.txt", got)
	}
	if !finds(words["a.txt"], "a.txt") {
		t.Error("a.txt is not searchable again after a restart")
	}
	if strings.Contains(logs.String(), "every known file is written again") {
		t.Errorf("the start requeued every file: %s", logs.String())
	}

	// Deleted again while running, it comes back when it changes.
	if _, _, err := m.DeleteDocument(ctx, DocumentRef{Path: "a.txt"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("the anemoneword and the edelweissword\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a.txt, changed, to be indexed again", func() bool { return finds("edelweissword", "a.txt") })
}

// delete_document of a file's document has the indexer forget the file;
// deleting a note does not involve the indexer.
func TestDeleteDocumentForgetsOnlyFiles(t *testing.T) {
	h := newHarness(t)
	m := h.manager()
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := m.Stop(ctx, StopOptions{}); err != nil {
			t.Error(err)
		}
	}()
	note, err := m.AddDocument(ctx, AddDocumentRequest{Content: "a note"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.DeleteDocument(ctx, DocumentRef{ID: note.ID}); err != nil {
		t.Fatal(err)
	}
	if len(h.idx.forgot) != 0 {
		t.Errorf("deleting a note made the indexer forget %v", h.idx.forgot)
	}
	file := filepath.Join(h.cfg.Workspace.Roots[0], "x.go")
	if err := h.store.ReplaceDocument(ctx, storage.Document{ID: ingest.FileDocID(file)}, []storage.Chunk{{DocID: ingest.FileDocID(file)}}); err != nil {
		t.Fatal(err)
	}
	if _, n, err := m.DeleteDocument(ctx, DocumentRef{ID: ingest.FileDocID(file)}); err != nil || n != 1 {
		t.Fatalf("DeleteDocument = %d, %v", n, err)
	}
	// A file with no document left (the ledger may still record it) is
	// forgotten too, and the caller still hears that nothing was found.
	gone := filepath.Join(h.cfg.Workspace.Roots[0], "gone.go")
	if _, _, err := m.DeleteDocument(ctx, DocumentRef{ID: ingest.FileDocID(gone)}); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("DeleteDocument of a missing document = %v, want ErrNotFound", err)
	}
	if want := []string{file, gone}; !slices.Equal(h.idx.forgot, want) {
		t.Errorf("indexer forgot %v, want %v", h.idx.forgot, want)
	}
}
