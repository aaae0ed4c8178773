package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine/embed/static/statictest"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/hfhub/hubtest"
)

// The server with the default configuration (embedding.provider auto),
// as a client meets it. Offline without the model, it runs the builtin
// embedder and engine_status and engine_health say why and how to get the
// model, with no request. Online, it downloads the model from
// HF_ENDPOINT (a loopback hub: no test reaches the real one) and runs it,
// rebuilding the index the builtin embedder made at another size.
func TestAutoProviderE2E(t *testing.T) {
	hub := hubtest.Serve(t, config.DefaultStaticModel, statictest.Files([]string{"quokkaflux", "widgets", "duration"}, nil))
	fx := newFixture(t, fixtureOptions{autostart: true})
	fx.env = append(fx.env, "HF_ENDPOINT="+hub.URL(), "HF_HUB_CACHE="+t.TempDir())
	embedding := func(p *proc) (provider string, choice map[string]any) {
		t.Helper()
		p.initialize(t)
		st := p.waitState(t, "running")
		emb, _ := st.obj["embedding"].(map[string]any)
		choice, _ = emb["choice"].(map[string]any)
		return fmt.Sprint(emb["provider"]), choice
	}

	p := spawn(t, fx, "-config", fx.config)
	provider, choice := embedding(p)
	if provider != "builtin" || !strings.Contains(fmt.Sprint(choice["reason"]), "HF_HUB_OFFLINE") || !strings.Contains(fmt.Sprint(choice["hint"]), "-fetch-model") {
		t.Errorf("offline without the model: provider %s, choice %v; want builtin, naming HF_HUB_OFFLINE and -fetch-model", provider, choice)
	}
	if h := p.mustCall(t, "engine_health", nil); !strings.Contains(h.text, "auto runs builtin") || !strings.Contains(h.text, "-fetch-model") {
		t.Errorf("engine_health does not say which embedder runs and how to get the model: %s", h.text)
	}
	if n := hub.Requests.Load(); n != 0 {
		t.Errorf("offline: %d requests to the hub", n)
	}
	p.closeStdin(t)
	if !p.waitExit(30 * time.Second) {
		t.Fatal("the server did not exit")
	}

	fx.env = append(fx.env, "HF_HUB_OFFLINE=")
	p = spawn(t, fx, "-config", fx.config)
	provider, choice = embedding(p)
	if provider != "static" || !strings.Contains(fmt.Sprint(choice["reason"]), "downloaded") || hub.Requests.Load() == 0 {
		t.Errorf("online: provider %s, choice %v, %d requests; want the static model downloaded from HF_ENDPOINT", provider, choice, hub.Requests.Load())
	}
	p.waitIdle(t)
	res := p.mustCall(t, "search", map[string]any{"query": "quokkaflux", "limit": 1})
	if !strings.Contains(res.text, "README.md") {
		t.Errorf("search after the rebuild at the model's size: %s", res.text)
	}
}
