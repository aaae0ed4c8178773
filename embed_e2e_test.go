package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode"
)

// fakeEmbeddings is an OpenAI-compatible embeddings server in the test
// process. Its deterministic embedding hashes each lower-cased word into
// one of dims dimensions and scales the sum to unit length, so texts that
// share words are close.
type fakeEmbeddings struct {
	srv      *httptest.Server
	requests atomic.Int64
	badAuth  atomic.Int64

	mu     sync.Mutex
	inputs []string // every text it was asked to embed
}

// received returns every text the server was asked to embed so far.
func (f *fakeEmbeddings) received() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.inputs)
}

func newFakeEmbeddings(t *testing.T, dims int, key string) *fakeEmbeddings {
	t.Helper()
	f := &fakeEmbeddings{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+key {
			f.badAuth.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}`)
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" || json.NewDecoder(r.Body).Decode(&req) != nil || len(req.Input) == 0 {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"message":"bad request"}}`)
			return
		}
		f.mu.Lock()
		f.inputs = append(f.inputs, req.Input...)
		f.mu.Unlock()
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		data := make([]item, len(req.Input))
		for i, in := range req.Input {
			data[i] = item{"embedding", i, hashWords(in, dims)}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func hashWords(text string, dims int) []float32 {
	v := make([]float32, dims)
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%uint32(dims)]++
	}
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	for i := range v {
		if n > 0 {
			v[i] /= float32(math.Sqrt(n))
		}
	}
	return v
}

func openAIConfig(url string, dims int) string {
	return fmt.Sprintf(`embedding:
  provider: openai
  url: %s/v1
  model: fake-embed-1
  dimensions: %d
  api_key_env: WQM_E2E_EMBED_KEY
  batch_size: 4
  timeout: 10s
`, url, dims)
}

// The real server indexes the workspace through the openai provider
// served by a local test server, and finds a file by meaning; the API key
// reaches the provider but never the output.
func TestEmbeddingProviderOpenAI(t *testing.T) {
	const key = "sk-e2e-very-secret-key"
	fake := newFakeEmbeddings(t, 64, key)
	fx := newFixture(t, fixtureOptions{autostart: true, extraConfig: openAIConfig(fake.srv.URL, 64)})
	fx.env = append(fx.env, "WQM_E2E_EMBED_KEY="+key)
	p := fx.spawnIdle(t)

	r := p.mustCall(t, "search", map[string]any{"query": "quokkaflux widgets", "mode": "semantic", "limit": 3})
	hits, _ := r.obj["results"].([]any)
	found := false // the semantic leg ranks README.md first (the ranking rules then put docs below code)
	for _, h := range hits {
		hit := h.(map[string]any)
		found = found || strings.HasSuffix(fmt.Sprint(hit["path"]), "README.md") && hit["semantic_rank"] == 1.0
	}
	if !found {
		t.Errorf("semantic search = %s, want README.md at semantic rank 1", r.text)
	}
	st := p.mustCall(t, "engine_status", nil)
	emb, _ := st.obj["embedding"].(map[string]any)
	if emb["provider"] != "openai" || emb["model"] != "fake-embed-1" || emb["dimensions"] != float64(64) ||
		emb["requests"] == nil || emb["requests"].(float64) < 1 || emb["failures"] != float64(0) || emb["mean_batch_latency_ms"] == nil {
		t.Errorf("engine_status.embedding = %v", emb)
	}
	if fake.requests.Load() == 0 || fake.badAuth.Load() != 0 {
		t.Errorf("provider saw %d requests, %d without the key", fake.requests.Load(), fake.badAuth.Load())
	}
	if h := p.mustCall(t, "engine_health", nil); h.str("overall_status") != "HEALTHY" {
		t.Errorf("engine_health = %s", h.text)
	}
	for name, out := range map[string]string{"stdout": string(p.stdout.Bytes()), "stderr": p.stderr.String(), "status": st.text} {
		if strings.Contains(out, key) {
			t.Errorf("the API key appears in %s", name)
		}
	}
}

// A provider whose vectors are not embedding.dimensions long: the engine
// is in error, naming both sizes.
func TestEmbeddingProviderWrongDimensions(t *testing.T) {
	fake := newFakeEmbeddings(t, 32, "k")
	fx := newFixture(t, fixtureOptions{autostart: true, extraConfig: openAIConfig(fake.srv.URL, 64)})
	fx.env = append(fx.env, "WQM_E2E_EMBED_KEY=k")
	p := spawn(t, fx, "-config", fx.config)
	p.initialize(t)
	st := p.waitState(t, "error")
	msg := st.str("last_error")
	for _, w := range []string{"32", "64", "embedding.dimensions"} {
		if !strings.Contains(msg, w) {
			t.Errorf("last_error %q does not contain %q", msg, w)
		}
	}
}
