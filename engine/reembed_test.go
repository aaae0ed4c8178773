package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/embed/static"
	"workspace-qdrant-mcp/engine/embed/static/statictest"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// gatedEmbedder holds back the embedding of file chunks (texts holding
// "package") until open is closed; queries and the startup probe pass.
type gatedEmbedder struct {
	embed.Embedder
	open chan struct{}
}

func (g gatedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if _, err := enginetest.Hold(ctx, texts, "package", g.open); err != nil {
		return nil, err
	}
	return g.Embedder.Embed(ctx, texts)
}

// An index never mixes models: after a change of model (two static
// models of the same size) every file is embedded again in the
// background; until every chunk has the new model's vectors, searches
// leave the semantic leg out (hybrid answers from keyword, with a note;
// semantic is refused), keyword search answers throughout, and
// engine_status shows the progress, across a restart; then the semantic
// leg is back.
func TestReembedAfterModelChange(t *testing.T) {
	words := []string{"the", "car", "automobile", "red", "engine", "boat", "ship", "sails"}
	modelA, modelB := t.TempDir(), t.TempDir()
	if err := statictest.Write(modelA, words, map[string]string{"automobile": "car", "ship": "boat"}); err != nil {
		t.Fatal(err)
	}
	if err := statictest.Write(modelB, append([]string{"package"}, words...), map[string]string{"automobile": "car"}); err != nil {
		t.Fatal(err)
	}
	ws := autoWorkspace(t)
	if err := os.WriteFile(filepath.Join(ws, "harbor.go"), []byte("package harbor\n\n// the boat sails\nvar y = 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Workspace.Roots, cfg.Storage.DataDir, cfg.LSP.Enabled = []string{ws}, t.TempDir(), false
	cfg.Embedding.Provider, cfg.Embedding.ModelPath = "static", modelA
	// The held-back file tasks take two workers; the startup probe needs
	// another.
	cfg.Engine.Workers = 4
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	start := func(cfg config.Config, opts Options) *Manager {
		t.Helper()
		opts.Logger = zerolog.Nop()
		m := New(cfg, opts)
		if err := m.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = m.Stop(context.Background(), StopOptions{Force: true}); m.Wait() })
		return m
	}
	stop := func(m *Manager) {
		t.Helper()
		if _, err := m.Stop(ctx, StopOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
		m.Wait()
	}
	semantic := func(m *Manager, want bool) {
		t.Helper()
		resp, err := m.Search(ctx, SearchRequest{Query: "automobile engine", Limit: 5, MaxPerFile: -1})
		if err != nil {
			t.Fatal(err)
		}
		ranked := false
		for _, r := range resp.Results {
			ranked = ranked || r.SemanticRank > 0
		}
		_, degraded := resp.Degraded["semantic"]
		if want && (!ranked || degraded) {
			t.Errorf("hybrid search: semantic leg absent (%+v, note %q), want it", resp.Degraded, resp.Note)
		}
		if !want && (ranked || !degraded || !strings.Contains(resp.Note, "re-embedded")) {
			t.Errorf("hybrid search during the re-embedding: semantic ranks %v, degraded %+v, note %q; want the keyword leg alone, with a note",
				ranked, resp.Degraded, resp.Note)
		}
		if len(resp.Results) == 0 || filepath.Base(resp.Results[0].Path) != "garage.go" {
			t.Errorf("hybrid search for the garage's words: %+v", resp.Results)
		}
	}

	m := start(cfg, Options{})
	if err := m.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	semantic(m, true)
	if re := m.Status(ctx).Index.Reembed; re != nil {
		t.Errorf("first index reports a re-embedding: %+v", re)
	}
	stop(m)

	// Model B, whose embedding of file chunks is held back.
	b, err := static.Load(modelB, "local:"+modelB)
	if err != nil {
		t.Fatal(err)
	}
	gate := gatedEmbedder{Embedder: b, open: make(chan struct{})}
	cfgB := cfg
	cfgB.Embedding.ModelPath = modelB
	newB := func(context.Context, config.Config) (embed.Embedder, error) { return gate, nil }
	for restart := range 2 { // the re-embedding survives a restart
		m = start(cfgB, Options{NewEmbedder: newB})
		re := m.Status(ctx).Index.Reembed
		if re == nil || re.Files != 2 || re.Left != 2 || re.Model == "" {
			t.Fatalf("start %d with model B: engine_status index.reembed %+v, want 2 files left", restart+1, re)
		}
		semantic(m, false)
		if _, err := m.Search(ctx, SearchRequest{Query: "automobile", Mode: "semantic", Limit: 5}); !errors.Is(err, ErrReembedding) {
			t.Errorf("semantic search during the re-embedding: %v, want ErrReembedding", err)
		}
		kw, err := m.Search(ctx, SearchRequest{Query: "sails", Mode: "keyword", Limit: 5})
		if err != nil || len(kw.Results) != 1 || filepath.Base(kw.Results[0].Path) != "harbor.go" {
			t.Errorf("keyword search during the re-embedding: %+v, %v", kw.Results, err)
		}
		if restart == 0 {
			stop(m)
		}
	}
	close(gate.open)
	if err := m.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	enginetest.Eventually(t, "re-embedding done after indexing", 10*time.Second, func() bool { return m.Status(ctx).Index.Reembed == nil })
	semantic(m, true)
	stop(m)
	m = start(cfgB, Options{NewEmbedder: newB})
	if re := m.Status(ctx).Index.Reembed; re != nil {
		t.Errorf("a start after the re-embedding reports one: %+v", re)
	}
	semantic(m, true)
}
