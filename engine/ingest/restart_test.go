package ingest_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/internal/config"
)

// longSource is a Go file of many small functions: many chunks at the
// chunk sizes restartConfig sets.
func longSource(funcs int) string {
	var b strings.Builder
	b.WriteString("package long\n\n")
	for i := range funcs {
		fmt.Fprintf(&b, "// F%03d returns the %dth value of the restart table.\nfunc F%03d() int {\n\treturn %d * %d\n}\n\n", i, i, i, i, i+7)
	}
	return b.String()
}

func restartConfig(t *testing.T, root, data string) config.Config {
	cfg := testConfig(t, root, data)
	cfg.Workspace.ChunkChars = 400
	cfg.Workspace.ChunkOverlap = 50
	return cfg
}

func TestRestartIncremental(t *testing.T) {
	root, data := newDirs(t)
	long := writeFile(t, root, "long.go", longSource(60))
	doomed := writeFile(t, root, "doomed.md", "# doomed\n\ndoomedword\n")
	for i := range 8 {
		writeFile(t, root, fmt.Sprintf("pkg%d/f.go", i), goSource(fmt.Sprintf("pkg%d", i), token("restartw", i)))
	}
	writeFile(t, root, "blob.bin", "\x00\x01binary")     // skipped, looked at again at each start
	writeFile(t, root, ".gitignore", "ignored.txt\n")    // indexed itself
	writeFile(t, root, "ignored.txt", "never indexed\n") // ignored
	const files = 1 + 1 + 8 + 1                          // long, doomed, pkg*/f.go, .gitignore
	cfg := restartConfig(t, root, data)

	// First run: everything is embedded.
	e1 := startEnv(t, cfg)
	e1.waitSettled()
	first := e1.storeStats()
	if first.Files != files {
		t.Fatalf("first run: %d files, want %d", first.Files, files)
	}
	if e1.emb.texts.Load() == 0 {
		t.Fatal("first run embedded nothing")
	}
	longDoc, err := e1.store.GetDocument(t.Context(), ingest.FileDocID(long))
	if err != nil {
		t.Fatal(err)
	}
	longChunks := len(longDoc.Chunks)
	if longChunks < 8 {
		t.Fatalf("long.go has %d chunks; the test needs a multi-chunk file", longChunks)
	}
	indexedAt := e1.ix.Stats().LastIndexedAt
	e1.stop()

	// Second run over the unchanged workspace: nothing is embedded, the
	// store is unchanged.
	e2 := startEnv(t, cfg)
	e2.waitSettled()
	if n := e2.emb.texts.Load(); n != 0 {
		t.Errorf("restart over an unchanged workspace embedded %d texts, want 0", n)
	}
	if got := e2.storeStats(); got != first {
		t.Errorf("store after an unchanged restart = %+v, want %+v", got, first)
	}
	// The index was last written by the first run, and status says so.
	if got := e2.ix.Stats().LastIndexedAt; indexedAt == nil || got == nil || got.After(*indexedAt) || indexedAt.Sub(*got) > time.Second {
		t.Errorf("last_indexed_at after an unchanged restart = %v, want the first run's last write (%v)", got, indexedAt)
	}
	e2.stop()

	// While stopped: change one line near the end of long.go, delete a file.
	content, err := os.ReadFile(long)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(content), "return 57 * 64", "return 57 * 64 + restartchangedword", 1)
	if changed == string(content) {
		t.Fatal("the line to change is missing")
	}
	if err := os.WriteFile(long, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	// Some filesystems keep coarse mtimes; the size changed anyway.
	now := time.Now().Add(time.Second)
	if err := os.Chtimes(long, now, now); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(doomed); err != nil {
		t.Fatal(err)
	}

	e3 := startEnv(t, cfg)
	e3.waitSettled()
	n := e3.emb.texts.Load()
	if n <= 0 || n >= int64(longChunks) {
		t.Errorf("restart after a one-line change embedded %d texts, want between 1 and %d", n, longChunks-1)
	}
	t.Logf("long.go: %d chunks, %d embedded after a one-line change", longChunks, n)
	if e3.hasDoc(doomed) {
		t.Error("a file deleted while stopped is still in the store")
	}
	e3.waitSearch("restartchangedword", long)
	e3.waitSearch("doomedword")
	if got := e3.storeStats().Files; got != files-1 {
		t.Errorf("store holds %d files, want %d", got, files-1)
	}
	if err := e3.store.IntegrityCheck(t.Context()); err != nil {
		t.Error(err)
	}
}

// TestRestartResumesPending stops the indexer while a large batch of new
// files is still being indexed: the next start finishes the work, and
// nothing is indexed twice.
func TestRestartResumesPending(t *testing.T) {
	root, data := newDirs(t)
	cfg := testConfig(t, root, data)
	e1 := startEnv(t, cfg)
	e1.waitSettled()
	const n = 120
	var paths []string
	for i := range n {
		paths = append(paths, writeFile(t, root, fmt.Sprintf("d%d/f%d.go", i%7, i), goSource("p", token("resumew", i))))
	}
	waitFor(t, "indexing of the batch to begin", func() bool { return e1.storeStats().Files > 0 })
	e1.stop() // most likely mid-batch; either way the next run must converge

	e2 := startEnv(t, cfg)
	e2.waitSettled()
	e2.assertDocs(paths)
	if err := e2.store.IntegrityCheck(t.Context()); err != nil {
		t.Error(err)
	}
	e2.waitSearch(token("resumew", 77), paths[77])
}
