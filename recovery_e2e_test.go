package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// killableEmbeddings is an OpenAI-compatible embeddings endpoint that the
// test kills (its listener closed: connections are refused) and brings
// back on the same address, or makes answer 429, hang, or answer slowly.
type killableEmbeddings struct {
	t    *testing.T
	addr string
	dims int
	mu   sync.Mutex
	srv  *http.Server

	mode     atomic.Int32 // embedOK, embed429 or embedHang
	perInput atomic.Int64 // a delay per input text, in nanoseconds
	requests atomic.Int64 // requests answered with vectors
}

// Modes of a killableEmbeddings that is up.
const (
	embedOK   = iota
	embed429  // every request: 429 Too Many Requests
	embedHang // every request waits until the client gives up
)

func newKillableEmbeddings(t *testing.T, dims int) *killableEmbeddings {
	k := &killableEmbeddings{t: t, dims: dims}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k.addr = ln.Addr().String()
	k.serve(ln)
	t.Cleanup(k.kill)
	return k
}

func (k *killableEmbeddings) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Input) == 0 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		switch k.mode.Load() {
		case embed429:
			w.Header().Set("Retry-After", "0.05")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"rate limited","code":"rate_limit_exceeded"}}`)
			return
		case embedHang:
			<-r.Context().Done()
			return
		}
		if d := time.Duration(k.perInput.Load()) * time.Duration(len(req.Input)); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		k.requests.Add(1)
		data := make([]map[string]any, len(req.Input))
		for i, in := range req.Input {
			data[i] = map[string]any{"object": "embedding", "index": i, "embedding": hashWords(in, k.dims)}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
	})}
	k.mu.Lock()
	k.srv = srv
	k.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

func (k *killableEmbeddings) kill() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.srv != nil {
		_ = k.srv.Close()
		k.srv = nil
	}
}

func (k *killableEmbeddings) revive() {
	k.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port may linger a moment
		if ln, err = net.Listen("tcp", k.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		k.t.Fatalf("listen again on %s: %v", k.addr, err)
	}
	k.serve(ln)
}

// The embedding endpoint dies while the server runs: engine_health turns
// DEGRADED within one health interval, recovery starts, a file written
// meanwhile cannot be indexed; when the endpoint returns the engine is
// running and HEALTHY again with that file indexed.
func TestEmbeddingEndpointLostAndBack(t *testing.T) {
	const dims = 32
	emb := newKillableEmbeddings(t, dims)
	const interval = 500 * time.Millisecond
	fx := newFixture(t, fixtureOptions{autostart: true, extraConfig: fmt.Sprintf(`embedding:
  provider: openai
  url: http://%s/v1
  model: fake-embed-1
  dimensions: %d
  timeout: 2s
health:
  interval: %s
  thresholds:
    response_time_ms: 1000
recovery:
  initial_delay: 200ms
  max_delay: 1s
  max_attempts: 100
`, emb.addr, dims, interval)})
	p := fx.spawnIdle(t)
	p.eventually(t, callTimeout, "HEALTHY", func() bool {
		return p.mustCall(t, "engine_health", nil).str("overall_status") == "HEALTHY"
	})
	h := p.mustCall(t, "engine_health", map[string]any{"history_limit": 3})
	if hist, _ := h.obj["history"].([]any); len(hist) == 0 {
		t.Errorf("engine_health history empty after several intervals: %s", h.text)
	}
	if rec, _ := h.obj["recovery"].(map[string]any); rec["state"] != "idle" {
		t.Errorf("recovery %v, want idle", h.obj["recovery"])
	}

	emb.kill()
	killed := time.Now()
	// The live check fails at once; the monitor's sample within one
	// interval (plus its check timeout) sees it too.
	p.eventually(t, interval+2*time.Second+5*time.Second, "engine_health DEGRADED or UNHEALTHY", func() bool {
		s := p.mustCall(t, "engine_health", nil).str("overall_status")
		return s == "DEGRADED" || s == "UNHEALTHY"
	})
	t.Logf("unhealthy %s after the endpoint died", time.Since(killed).Round(time.Millisecond))
	if err := os.WriteFile(filepath.Join(fx.workspace, "outage.md"), []byte("# Outage\n\nThe zorblefrump was written while embeddings were down.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p.eventually(t, callTimeout, "recovery to start", func() bool {
		rec, _ := p.mustCall(t, "engine_status", nil).obj["recovery"].(map[string]any)
		return rec["state"] != "idle" && rec["attempts"] != nil
	})

	emb.revive()
	p.eventually(t, callTimeout, "running, recovered and HEALTHY", func() bool {
		st := p.mustCall(t, "engine_status", nil)
		rec, _ := st.obj["recovery"].(map[string]any)
		return st.str("state") == "running" && rec["state"] == "idle" &&
			p.mustCall(t, "engine_health", nil).str("overall_status") == "HEALTHY"
	})
	p.waitIdle(t)
	r := p.mustCall(t, "search", map[string]any{"query": "zorblefrump", "mode": "keyword"})
	if !strings.Contains(r.text, "outage.md") {
		t.Errorf("the file written during the outage is not indexed: %s", r.text)
	}
	var recoveryNotes int
	p.mu.Lock()
	for _, n := range p.notes {
		if n.Params.AdditionalFields["logger"] == "recovery" {
			recoveryNotes++
		}
	}
	p.mu.Unlock()
	if recoveryNotes == 0 {
		t.Error("no recovery log notification reached the client")
	}
}
