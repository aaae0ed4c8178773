package engine

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine/embed/static/statictest"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/hfhub/hubtest"
)

// autoWorkspace is a one-file workspace for the auto tests.
func autoWorkspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "garage.go"), []byte("package garage\n\n// the red car engine\nvar x = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return ws
}

// startAuto starts an engine with the default configuration, whose
// provider is auto, and returns its embedding status.
func startAuto(t *testing.T, edit func(*config.Config)) (*Manager, EmbeddingInfo) {
	t.Helper()
	m, _ := startIndexed(t, autoWorkspace(t), func(c *config.Config) {
		c.LSP.Enabled = false
		if edit != nil {
			edit(c)
		}
	})
	st := m.Status(t.Context())
	if st.Embedding.Choice == nil {
		t.Fatalf("engine_status embedding %+v has no choice for provider auto", st.Embedding)
	}
	return m, st.Embedding
}

// embedderCheck is engine_health's embedder check.
func embedderCheck(t *testing.T, m *Manager) Check {
	t.Helper()
	for _, c := range m.Checks(t.Context()) {
		if c.Name == "embedder" {
			return c
		}
	}
	t.Fatal("no embedder check")
	return Check{}
}

// The default provider, auto, downloads the static model from
// HF_ENDPOINT within the bound when it is not cached, and then uses the
// cached model without a single request. The hub is a loopback server
// counting requests, with HF_HUB_OFFLINE unset: had the default
// configuration reached for the network, the count would show it.
func TestAutoDownloadsThenUsesTheCache(t *testing.T) {
	if p := config.Default().Embedding.Provider; p != "auto" {
		t.Fatalf("default embedding.provider %q, want auto", p)
	}
	words := []string{"the", "car", "automobile", "red", "engine"}
	hub := hubtest.Serve(t, config.DefaultStaticModel, statictest.Files(words, map[string]string{"automobile": "car"}))
	t.Setenv("HF_ENDPOINT", hub.URL())
	t.Setenv("HF_HUB_CACHE", t.TempDir())
	t.Setenv("HF_HUB_OFFLINE", "")

	begin := time.Now()
	m, emb := startAuto(t, nil)
	if emb.Provider != "static" || emb.Dimensions != statictest.Dims || !strings.Contains(emb.Choice.Reason, "downloaded") {
		t.Fatalf("first start: embedding %+v, choice %+v; want the static model, downloaded", emb.Info, emb.Choice)
	}
	if hub.Requests.Load() == 0 {
		t.Fatal("the model was downloaded without a request to HF_ENDPOINT")
	}
	if took := time.Since(begin); took > config.Default().Embedding.DownloadTimeout.D() {
		t.Errorf("the start took %s, longer than embedding.download_timeout", took)
	}
	if c := embedderCheck(t, m); c.Status != CheckPass || !strings.Contains(c.Message, "auto runs static") {
		t.Errorf("engine_health embedder check %+v: want pass, naming the static model", c)
	}
	res := search(t, m, SearchRequest{Query: "automobile", Mode: "semantic", Limit: 1})
	if len(res) != 1 || filepath.Base(res[0].Path) != "garage.go" {
		t.Errorf("semantic search for a synonym: %+v", res)
	}

	hub.Requests.Store(0)
	_, emb = startAuto(t, nil)
	if emb.Provider != "static" || !strings.Contains(emb.Choice.Reason, "cached") {
		t.Errorf("second start: embedding %+v, choice %+v; want the cached static model", emb.Info, emb.Choice)
	}
	if n := hub.Requests.Load(); n != 0 {
		t.Errorf("auto with a cached model made %d requests to the hub, want none", n)
	}
}

// Without the model and without network (HF_HUB_OFFLINE, or a hub that
// does not answer within embedding.download_timeout), auto runs the
// builtin embedder and engine_status and engine_health say why and how
// to get the model.
func TestAutoFallsBackToBuiltin(t *testing.T) {
	t.Run("offline", func(t *testing.T) {
		hub := hubtest.Serve(t, config.DefaultStaticModel, statictest.Files([]string{"car"}, nil))
		t.Setenv("HF_ENDPOINT", hub.URL())
		t.Setenv("HF_HUB_CACHE", t.TempDir())
		t.Setenv("HF_HUB_OFFLINE", "1")
		m, emb := startAuto(t, nil)
		if emb.Provider != "builtin" || emb.Dimensions != 384 || !strings.Contains(emb.Choice.Reason, "HF_HUB_OFFLINE") ||
			!strings.Contains(emb.Choice.Hint, "-fetch-model") {
			t.Errorf("offline: embedding %+v, choice %+v; want builtin, naming HF_HUB_OFFLINE and -fetch-model", emb.Info, emb.Choice)
		}
		if c := embedderCheck(t, m); c.Status != CheckPass || !strings.Contains(c.Message, "auto runs builtin") || !strings.Contains(c.Message, "-fetch-model") {
			t.Errorf("engine_health embedder check %+v: want pass, naming builtin and -fetch-model", c)
		}
		if n := hub.Requests.Load(); n != 0 {
			t.Errorf("offline auto made %d requests", n)
		}
	})
	t.Run("slow hub", func(t *testing.T) {
		stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // answers nothing until the client gives up
		}))
		t.Cleanup(stuck.Close)
		t.Setenv("HF_ENDPOINT", stuck.URL)
		t.Setenv("HF_HUB_CACHE", t.TempDir())
		t.Setenv("HF_HUB_OFFLINE", "")
		begin := time.Now()
		_, emb := startAuto(t, func(c *config.Config) { c.Embedding.DownloadTimeout = config.Duration(300 * time.Millisecond) })
		if emb.Provider != "builtin" || !strings.Contains(emb.Choice.Reason, "did not finish within 300ms") {
			t.Errorf("slow hub: embedding %+v, choice %+v; want builtin after the download bound", emb.Info, emb.Choice)
		}
		if took := time.Since(begin); took > 10*time.Second {
			t.Errorf("the start took %s with a download bound of 300ms", took)
		}
	})
	t.Run("test binary without a hub", func(t *testing.T) {
		// What every other test of the package meets with the default
		// configuration: no HF_ENDPOINT, so the real hub is never asked
		// (see hfhub.FromEnv), and no cache of the developer's is read.
		for _, v := range []string{"HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HUB_CACHE", "HF_HOME"} {
			t.Setenv(v, "")
		}
		_, emb := startAuto(t, nil)
		if emb.Provider != "builtin" || !strings.Contains(emb.Choice.Reason, "not cached") {
			t.Errorf("test binary: embedding %+v, choice %+v; want builtin", emb.Info, emb.Choice)
		}
	})
}

// auto switching from builtin (no model at hand) to the static model,
// whose vectors have another size, rebuilds the workspace index instead
// of refusing to start, and the semantic leg then uses the model.
func TestAutoRebuildsAtAnotherSize(t *testing.T) {
	t.Setenv("HF_ENDPOINT", "")
	t.Setenv("HF_HUB_CACHE", t.TempDir())
	t.Setenv("HF_HUB_OFFLINE", "1")
	ws, data := autoWorkspace(t), t.TempDir()
	cfg := func(c *config.Config) { c.Storage.DataDir, c.LSP.Enabled = data, false }
	m, _ := startIndexed(t, ws, cfg)
	if p := m.Status(t.Context()).Embedding.Provider; p != "builtin" {
		t.Fatalf("auto without a model runs %s, want builtin", p)
	}
	if _, err := m.Stop(t.Context(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
	m.Wait()

	model := t.TempDir()
	if err := statictest.Write(model, []string{"the", "car", "automobile", "red", "engine"}, map[string]string{"automobile": "car"}); err != nil {
		t.Fatal(err)
	}
	m, _ = startIndexed(t, ws, func(c *config.Config) { cfg(c); c.Embedding.ModelPath = model })
	st := m.Status(t.Context())
	if st.Embedding.Provider != "static" || st.Embedding.Dimensions != statictest.Dims || st.Index.Files != 1 {
		t.Fatalf("auto with a model of %d dimensions over a builtin index: embedding %+v, %d files indexed",
			statictest.Dims, st.Embedding.Info, st.Index.Files)
	}
	res := search(t, m, SearchRequest{Query: "automobile", Mode: "semantic", Limit: 1})
	if len(res) != 1 || filepath.Base(res[0].Path) != "garage.go" || res[0].SemanticRank != 1 {
		t.Errorf("semantic search for a synonym after the rebuild: %+v", res)
	}
}
