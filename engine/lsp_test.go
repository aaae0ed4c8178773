package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/lsp"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// TestLanguageServerEnrichesIndex indexes a small Go workspace through
// the real engine with gopls: chunks come to carry symbols, search returns and
// filters on them, status lists the server, and after a stop no language
// server process remains.
func TestLanguageServerEnrichesIndex(t *testing.T) {
	gopls := enginetest.Gopls(t)
	ws := t.TempDir()
	if r, err := filepath.EvalSymlinks(ws); err == nil {
		ws = r
	}
	files := map[string]string{
		"go.mod":    "module example.com/ws\n\ngo 1.22\n",
		"dur.go":    "package ws\n\nimport \"time\"\n\n// ParseDuration parses a duration.\nfunc ParseDuration(s string) (time.Duration, error) {\n\treturn time.ParseDuration(s)\n}\n\n// Limit is a limit.\nconst Limit = 3\n",
		"README.md": "# ws\n\nParseDuration is documented here too.\n",
	}
	enginetest.WriteFiles(t, ws, files)
	cfg := enginetest.Config(t, []string{ws})
	cfg.LSP.Enabled = true
	cfg.LSP.RequestTimeout = config.Duration(20 * time.Second)
	cfg.LSP.Servers = map[string]config.LSPServer{"go": {Command: gopls}}
	m := New(cfg, Options{Logger: zerolog.Nop()})
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			_, _ = m.Stop(ctx, StopOptions{})
		}
	}()
	if err := m.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}

	// Files are searchable once indexed; their symbols follow in the
	// background (engine_status.index.enrich_pending counts those due).
	deadline := time.Now().Add(60 * time.Second)
	for {
		doc, err := m.GetDocument(ctx, DocumentRef{Path: filepath.Join(ws, "dur.go")})
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Chunks) > 0 && lsp.Defines(doc.Chunks[0].Metadata, "ParseDuration") && lsp.Defines(doc.Chunks[0].Metadata, "Limit") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dur.go chunks = %+v, want symbols ParseDuration and Limit", doc.Chunks)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for m.Status(ctx).Index.EnrichPending > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("enrich_pending = %d, want 0", m.Status(ctx).Index.EnrichPending)
		}
		time.Sleep(20 * time.Millisecond)
	}

	resp, err := m.Search(ctx, SearchRequest{Query: "ParseDuration", Limit: 10, Mode: storage.ModeKeyword})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Results) < 2 {
		t.Fatalf("search found %d results, want dur.go and README.md", len(resp.Results))
	}
	resp, err = m.Search(ctx, SearchRequest{Query: "ParseDuration", Limit: 10, Mode: storage.ModeHybrid, Symbol: "parseduration"})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Results) != 1 || resp.Results[0].Path != filepath.Join(ws, "dur.go") || resp.Results[0].Symbol != "func ParseDuration" {
		t.Fatalf("symbol search = %+v, want dur.go alone with symbol func ParseDuration", resp.Results)
	}
	if resp, err := m.Search(ctx, SearchRequest{Query: "ParseDuration", Limit: 10, Symbol: "NoSuchSymbol"}); err != nil || len(resp.Results) != 0 {
		t.Fatalf("search for an undefined symbol = %+v, %v; want nothing", resp.Results, err)
	}

	st := m.Status(ctx)
	if st.LSP == nil || len(st.LSP.Running) != 1 || st.LSP.Running[0].Language != "go" || st.LSP.Running[0].PID == 0 {
		t.Fatalf("status lsp = %+v, want one running gopls", st.LSP)
	}
	pid := st.LSP.Running[0].PID
	if _, err := m.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	stopped = true
	// Linux only, through /proc; package lsp checks every OS's stop.
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		t.Errorf("gopls %d remains after the engine stopped: %s", pid, b)
	}
}
