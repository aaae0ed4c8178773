package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
)

// BenchmarkSearchDirectAndThroughReader times the same hybrid search on
// the indexer and on a reader of it, whose call crosses the unix socket:
// the difference is what a second client's server pays.
//
//	go test -run '^$' -bench SearchDirectAndThroughReader -count 5 ./engine/
func BenchmarkSearchDirectAndThroughReader(b *testing.B) {
	ws := b.TempDir()
	for i := range 200 {
		body := fmt.Sprintf("package garden\n\n// Bed%d holds marigold number %d and tulip %d.\nfunc Bed%d() int { return %d }\n", i, i, i*7, i, i)
		if err := os.WriteFile(filepath.Join(ws, fmt.Sprintf("bed%03d.go", i)), []byte(body), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.Workspace.Roots = []string{ws}
	cfg.Storage.DataDir = b.TempDir()
	cfg.LSP.Enabled = false
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	start := func() *Manager {
		m := New(cfg, Options{Logger: zerolog.Nop()})
		if err := m.Start(ctx); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			_, _ = m.Stop(context.Background(), StopOptions{})
			m.Wait()
		})
		return m
	}
	indexer := start()
	if err := indexer.WaitIndexed(ctx, nil); err != nil {
		b.Fatal(err)
	}
	reader := start()
	req := SearchRequest{Query: "marigold tulip garden bed", Limit: 10, Mode: storage.ModeHybrid}
	for _, bc := range []struct {
		name string
		m    *Manager
	}{{"indexer", indexer}, {"reader", reader}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := bc.m.Search(ctx, req)
				if err != nil || len(resp.Results) == 0 {
					b.Fatalf("search: %d results, %v", len(resp.Results), err)
				}
			}
		})
	}
}
