package engine

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// wordVector is a deterministic fake embedding: each lower-cased word
// hashed into one of dims dimensions, the sum scaled to unit length.
func wordVector(text string, dims int) []float32 {
	v := make([]float32, dims)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		h := fnv.New32a()
		h.Write([]byte(w))
		v[h.Sum32()%uint32(dims)]++
	}
	var n float64
	for _, x := range v {
		n += float64(x * x)
	}
	if n > 0 {
		for i := range v {
			v[i] /= float32(math.Sqrt(n))
		}
	}
	return v
}

// fakeOpenAI serves /v1/embeddings with vectors of dims dimensions.
func fakeOpenAI(t *testing.T, dims int) *httptest.Server { return fakeOpenAIObserved(t, dims, nil) }

// fakeOpenAIObserved is fakeOpenAI calling observe, when not nil, with
// the inputs of every request it answers.
func fakeOpenAIObserved(t *testing.T, dims int, observe func(inputs []string)) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if r.URL.Path != "/v1/embeddings" || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		if observe != nil {
			observe(req.Input)
		}
		type item struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		data := make([]item, len(req.Input))
		for i, in := range req.Input {
			data[i] = item{i, wordVector(in, dims)}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "model": req.Model})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func remoteConfig(t *testing.T, url string, dims int) config.Config {
	ws := enginetest.Workspace(t, map[string]string{"notes.md": "# Garden\n\nThe marigold seedlings need water every morning.\n"})
	return enginetest.Valid(t, []string{ws}, func(cfg *config.Config) {
		cfg.Embedding = config.Embedding{
			Provider: "openai", URL: url, Model: "fake-embed", Dimensions: dims,
			BatchSize: 8, Timeout: config.Duration(10e9), Concurrency: 2,
		}
	})
}

// The engine indexes and searches through an OpenAI-compatible provider,
// and status shows the provider's counts.
func TestRemoteEmbedder(t *testing.T) {
	srv := fakeOpenAI(t, 64)
	m := New(remoteConfig(t, srv.URL+"/v1", 64), Options{Logger: zerolog.Nop()})
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(ctx, StopOptions{})
	if err := m.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	res, err := m.Search(ctx, SearchRequest{Query: "marigold water", Mode: "semantic", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) == 0 || !strings.HasSuffix(res.Results[0].Path, "notes.md") {
		t.Errorf("semantic search = %+v, want notes.md first", res.Results)
	}
	st := m.Status(ctx)
	e := st.Embedding
	if e.Provider != "openai" || e.Model != "fake-embed" || e.Dimensions != 64 || e.Stats == nil || e.Requests < 3 || e.Batches != e.Requests || e.Failures != 0 {
		t.Errorf("status embedding = %+v %+v", e.Info, e.Stats)
	}
	raw, _ := json.Marshal(st)
	var decoded struct {
		Embedding map[string]any `json:"embedding"`
	}
	_ = json.Unmarshal(raw, &decoded)
	for _, k := range []string{"provider", "model", "dimensions", "requests", "failures", "retries", "truncated", "mean_batch_latency_ms"} {
		if _, ok := decoded.Embedding[k]; !ok {
			t.Errorf("engine_status.embedding lacks %s: %v", k, decoded.Embedding)
		}
	}
}

func TestRemoteEmbedderWrongDimensions(t *testing.T) {
	srv := fakeOpenAI(t, 32)
	m := New(remoteConfig(t, srv.URL+"/v1", 64), Options{Logger: zerolog.Nop()})
	err := m.Start(context.Background())
	m.Wait()
	if err == nil || m.State() != StateError {
		t.Fatalf("Start = %v, state %s; want an error", err, m.State())
	}
	msg := m.Status(context.Background()).LastError
	for _, w := range []string{"phase initialize", "32", "64", "set embedding.dimensions: 32", "reindex"} {
		if !strings.Contains(msg, w) {
			t.Errorf("last error %q does not contain %q", msg, w)
		}
	}
}

func TestRemoteEmbedderDownAtStartup(t *testing.T) {
	if testing.Short() {
		t.Skip("waits through the retries (about 8s)")
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	cfg := remoteConfig(t, url, 64)
	cfg.Embedding.Provider = "ollama"
	m := New(cfg, Options{Logger: zerolog.Nop()})
	err := m.Start(context.Background())
	m.Wait()
	if err == nil || m.State() != StateError {
		t.Fatalf("Start = %v, state %s; want an error", err, m.State())
	}
	msg := m.Status(context.Background()).LastError
	for _, w := range []string{"phase initialize", "embedding test", url + "/api/embed", "connection refused", "embedding.url"} {
		if !strings.Contains(msg, w) {
			t.Errorf("last error %q does not contain %q", msg, w)
		}
	}
}

// An index built at another size: the error names both sizes and how to
// rebuild. (auto and static rebuild the workspace index instead when the
// model itself changed: see TestAutoRebuildsAtAnotherSize.)
func TestCollectionOfAnotherSize(t *testing.T) {
	cfg := enginetest.Config(t, nil)
	cfg.Embedding.Provider = "builtin"
	ctx := context.Background()
	m := New(cfg, Options{Logger: zerolog.Nop()})
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg.Embedding.Dimensions = 256
	m2 := New(cfg, Options{Logger: zerolog.Nop()})
	err := m2.Start(ctx)
	m2.Wait()
	if err == nil {
		t.Fatal("Start at another size succeeded")
	}
	for _, w := range []string{"384", "256", "engine_restart reindex: true"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}
