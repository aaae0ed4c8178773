package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// workspaceConfig is the default configuration over a new workspace
// holding files (name → content) and a new data directory, with two
// workers.
func workspaceConfig(t testing.TB, files map[string]string) config.Config {
	t.Helper()
	return enginetest.Config(t, []string{enginetest.Workspace(t, files)})
}

func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	return len(entries)
}

// With the real components (embedded store, built-in embedder, indexer
// and watcher), starts, stops and a failed start leave no file descriptor
// behind (goroutines are checked by goleak in TestMain).
func TestRealComponentsLeaveNothingBehind(t *testing.T) {
	cfg := workspaceConfig(t, map[string]string{"a.go": "package a\n\nfunc A() {}\n"})
	m := New(cfg, Options{Logger: zerolog.Nop()})
	ctx := context.Background()

	before := openFDs(t)
	for range 3 {
		if err := m.Start(ctx); err != nil {
			t.Fatalf("Start: %v", err)
		}
		if err := m.WaitIndexed(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if st := m.Status(ctx); st.Index.Files != 1 {
			t.Fatalf("indexed %d files, want 1", st.Index.Files)
		}
		if _, err := m.Stop(ctx, StopOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if after := openFDs(t); after != before {
		t.Errorf("open file descriptors %d after three start/stop cycles, %d before", after, before)
	}

	// A start that fails after storage and the embedder have started (the
	// run's ledger, opened at the end of phase 1, cannot be opened: a
	// directory stands where its file should be) stops them again.
	bad := cfg.Clone()
	bad.Storage.DataDir = t.TempDir()
	if err := os.Mkdir(filepath.Join(bad.Storage.DataDir, "ledger.db"), 0o700); err != nil {
		t.Fatal(err)
	}
	m2 := New(bad, Options{Logger: zerolog.Nop()})
	if err := m2.Start(ctx); err == nil || !strings.Contains(err.Error(), "phase initialize") || !strings.Contains(err.Error(), "ledger") {
		t.Fatalf("Start with a broken ledger = %v, want a failure to open the ledger in phase initialize", err)
	}
	m2.Wait()
	if after := openFDs(t); after != before {
		t.Errorf("open file descriptors %d after a failed start, %d before", after, before)
	}
}

// A start cancelled while the indexer created its ledger can leave the
// ledger's file without tables. The next start compares the index with
// that ledger, completing its schema, with no error: nothing to warn
// about, nothing requeued, and the workspace is indexed.
func TestStartOverLedgerWithoutSchema(t *testing.T) {
	cfg := workspaceConfig(t, map[string]string{"a.txt": "the zinniaword\n"})
	cfg.LSP.Enabled = false
	if err := os.WriteFile(filepath.Join(cfg.Storage.DataDir, "ledger.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	m := New(cfg, Options{Logger: zerolog.New(logs).Level(zerolog.WarnLevel)})
	ctx := t.Context()
	if err := m.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer func() {
		if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
			t.Error(err)
		}
		m.Wait()
	}()
	if err := m.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if st := m.Status(ctx); st.Index.Files != 1 {
		t.Errorf("indexed %d files, want 1", st.Index.Files)
	}
	if got := findPaths(t, m, "zinniaword"); len(got) != 1 || got[0] != "a.txt" {
		t.Errorf("search zinniaword found %v, want a.txt", got)
	}
	if strings.Contains(logs.String(), "ledger") {
		t.Errorf("the start logged about the ledger: %s", logs.String())
	}
}
