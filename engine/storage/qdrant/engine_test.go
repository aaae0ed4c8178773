package qdrant_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
)

// TestEngineReindexesLostCollection runs the engine on the qdrant backend
// (against the protocol test double): it indexes the workspace; the
// workspace collection is then deleted behind its back; the next start
// finds the collection missing and writes every file again, although the
// local ledger says they are all indexed and unchanged.
func TestEngineReindexesLostCollection(t *testing.T) {
	srv := double(t)
	ws := t.TempDir()
	const files = 3
	for i := range files {
		text := fmt.Sprintf("package p\n\n// F%d is function number %d.\nfunc F%d() {}\n", i, i, i)
		if err := os.WriteFile(filepath.Join(ws, fmt.Sprintf("f%d.go", i)), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.Workspace.Roots = []string{ws}
	cfg.Storage.DataDir = t.TempDir()
	cfg.Storage.Backend = "qdrant"
	cfg.Storage.Qdrant.URL = srv.Addr()
	cfg.Storage.Qdrant.CollectionPrefix = "eng_"
	cfg.Engine.Workers = 2
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	check := open(t, srv.Addr(), "eng_")
	files0 := func() int {
		t.Helper()
		st, err := check.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.Files
	}

	m := engine.New(cfg, engine.Options{Logger: zerolog.Nop()})
	run := func() {
		t.Helper()
		if err := m.Start(ctx); err != nil {
			t.Fatalf("Start: %v", err)
		}
		if err := m.WaitIndexed(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if got := files0(); got != files {
			t.Errorf("the index holds %d files, want %d", got, files)
		}
		hits, err := check.Search(ctx, storage.Query{Text: "function number", Mode: storage.ModeKeyword, Limit: 10, Collection: cfg.Workspace.Collection})
		if err != nil || len(hits) != files {
			t.Errorf("keyword search = %d hits, %v; want %d", len(hits), err, files)
		}
		if _, err := m.Stop(ctx, engine.StopOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if _, err := check.DropCollection(ctx, cfg.Workspace.Collection); err != nil {
		t.Fatal(err)
	}
	run()
}
