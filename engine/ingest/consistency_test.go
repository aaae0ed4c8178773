package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/storage"
)

// stallAfterWrite is the real store, except that a ReplaceDocument of the
// document docID, once committed, holds its caller until the caller's
// context ends: the indexer is stopped (or killed) after the store has the
// new content and before the ledger records it.
type stallAfterWrite struct {
	storage.Store
	docID   string
	written chan struct{}
	once    sync.Once
}

func (s *stallAfterWrite) ReplaceDocument(ctx context.Context, doc storage.Document, chunks []storage.Chunk) error {
	if err := s.Store.ReplaceDocument(ctx, doc, chunks); err != nil {
		return err
	}
	if doc.ID == s.docID {
		s.once.Do(func() { close(s.written) })
		<-ctx.Done()
	}
	return nil
}

// stallDelete is the real store, except that a DeleteDocument of docID
// holds its caller until the caller's context ends and then fails: the
// indexer is stopped in the middle of that work.
type stallDelete struct {
	storage.Store
	docID   string
	reached chan struct{}
	once    sync.Once
}

func (s *stallDelete) DeleteDocument(ctx context.Context, docID string) (int, error) {
	if docID == s.docID {
		s.once.Do(func() { close(s.reached) })
		<-ctx.Done()
		return 0, ctx.Err()
	}
	return s.Store.DeleteDocument(ctx, docID)
}

// TestPendingWorkResumesWithoutChanges: work the previous run left pending
// is finished at the next start even when the workspace scan finds nothing
// changed (here: a new directory, reported by the watcher, whose task was
// interrupted; directories are never in the ledger's file states).
func TestPendingWorkResumesWithoutChanges(t *testing.T) {
	root, data := newDirs(t)
	writeFile(t, root, "a.go", goSource("a", "resumeaword"))
	cfg := testConfig(t, root, data)
	dir := filepath.Join(root, "newdir")
	stall := &stallDelete{docID: ingest.FileDocID(dir), reached: make(chan struct{})}
	e1 := startEnvWith(t, cfg, func(st storage.Store) storage.Store { stall.Store = st; return stall })
	e1.waitSettled()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stall.reached:
	case <-time.After(waitTimeout):
		t.Fatal("the new directory was never processed")
	}
	e1.stop()

	e2 := startEnv(t, cfg)
	e2.waitSettled()
	e2.assertDocs([]string{filepath.Join(root, "a.go")})
}

// TestPendingWorkIsRedoneAfterRevert: a file's new content reaches the
// store, the process stops before the ledger records it, and the file is
// put back to the content the ledger knows. The next start must not trust
// the ledger's hash for work it left pending: the store must end up with
// the file as it is on disk.
func TestPendingWorkIsRedoneAfterRevert(t *testing.T) {
	root, data := newDirs(t)
	p := writeFile(t, root, "f.go", goSource("f", "revertoriginalword"))
	writeFile(t, root, "other.go", goSource("other", "otherword"))
	cfg := testConfig(t, root, data)

	e1 := startEnv(t, cfg)
	e1.waitSettled()
	original, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	e1.stop()

	// Run 2: the new content is written to the store, then the run stops.
	if err := os.WriteFile(p, []byte(goSource("f", "revertnewword")), 0o644); err != nil {
		t.Fatal(err)
	}
	stall := &stallAfterWrite{docID: ingest.FileDocID(p), written: make(chan struct{})}
	e2 := startEnvWith(t, cfg, func(st storage.Store) storage.Store { stall.Store = st; return stall })
	select {
	case <-stall.written:
	case <-time.After(waitTimeout):
		t.Fatal("the changed file was never written to the store")
	}
	e2.stop()

	// While stopped, the file goes back to what the ledger recorded.
	if err := os.WriteFile(p, original, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}

	e3 := startEnv(t, cfg)
	e3.waitSettled()
	if text := e3.docText(p); !strings.Contains(text, "revertoriginalword") || strings.Contains(text, "revertnewword") {
		t.Errorf("store holds %q for f.go, want the content on disk (revertoriginalword)", text)
	}
	e3.waitSearch("revertnewword")
}

// TestConfigChangeDropsFilesDeletedMeanwhile: changing the chunking
// re-indexes every file; a file deleted while the server was stopped must
// not stay in the store because the ledger forgot what it had indexed.
func TestConfigChangeDropsFilesDeletedMeanwhile(t *testing.T) {
	root, data := newDirs(t)
	keep := writeFile(t, root, "keep.go", goSource("keep", "keepword"))
	doomed := writeFile(t, root, "doomed.go", goSource("doomed", "identitydoomedword"))
	cfg := testConfig(t, root, data)

	e1 := startEnv(t, cfg)
	e1.waitSettled()
	e1.assertDocs([]string{keep, doomed})
	e1.stop()

	if err := os.Remove(doomed); err != nil {
		t.Fatal(err)
	}
	cfg.Workspace.ChunkChars = 1000 // a new index identity
	e2 := startEnv(t, cfg)
	e2.waitSettled()
	if e2.emb.texts.Load() != 0 {
		t.Logf("re-index after a chunking change embedded %d texts", e2.emb.texts.Load())
	}
	e2.assertDocs([]string{keep})
	e2.waitSearch("identitydoomedword")
}

// TestIgnoreFileChangeLive: editing a .gitignore takes files out of the
// index and puts them back, without a restart.
func TestIgnoreFileChangeLive(t *testing.T) {
	e, root := liveEnv(t, map[string]string{
		"a.go":          goSource("a", "ignoreaword"),
		"gen/b.go":      goSource("gen", "ignorebword"),
		"gen/deep/c.md": "# c\n\nignorecword\n",
	})
	b, c := filepath.Join(root, "gen/b.go"), filepath.Join(root, "gen/deep/c.md")
	gi := writeFile(t, root, ".gitignore", "gen/\n")
	waitFor(t, "gen/ to leave the index", func() bool { return !e.hasDoc(b) && !e.hasDoc(c) })
	e.waitSearch("ignorebword")
	waitFor(t, "gen/ to be counted ignored", func() bool {
		return e.ix.Stats().Skipped[ingest.SkipIgnoredPrefix+"gitignore"] == 1
	})
	e.waitSettled()
	e.assertDocs([]string{filepath.Join(root, "a.go"), gi})

	if err := os.Remove(gi); err != nil {
		t.Fatal(err)
	}
	e.waitSearch("ignorecword", c)
	e.waitSearch("ignorebword", b)
	e.waitSettled()
	e.assertDocs([]string{filepath.Join(root, "a.go"), b, c})
	if got := e.ix.Stats().Skipped; len(got) != 0 {
		t.Errorf("Stats().Skipped = %v once nothing is ignored any more, want none", got)
	}
}

// renamedModel is the built-in embedder under another model name: a new
// model of the same vector size.
type renamedModel struct {
	*countingEmbedder
	model string
}

func (r renamedModel) Info() embed.Info {
	info := r.countingEmbedder.Info()
	info.Model = r.model
	return info
}

// TestEmbedderChangeReembeds: after the embedding model changes (same
// vector size), the re-index the ledger asks for must embed the text again
// instead of reusing vectors the old model made: chunk hashes name the
// model (storage.VectorHash).
func TestEmbedderChangeReembeds(t *testing.T) {
	root, data := newDirs(t)
	writeFile(t, root, "a.go", goSource("a", "modelchangeword"))
	cfg := testConfig(t, root, data)

	e1 := startEnv(t, cfg)
	e1.waitSettled()
	e1.stop()

	e2 := startEnvWithEmbedder(t, cfg, func(c *countingEmbedder) embed.Embedder { return renamedModel{c, "another-model"} })
	e2.waitSettled()
	if n := e2.emb.texts.Load(); n == 0 {
		t.Error("a new embedding model re-indexed every file without embedding anything: the old model's vectors were reused")
	}
}
