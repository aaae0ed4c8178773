package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeProvider is an httptest server speaking one wire format. Each
// request's decoded body is recorded; answer decides the reply.
type fakeProvider struct {
	t      *testing.T
	srv    *httptest.Server
	ollama bool
	dims   int

	mu       sync.Mutex
	bodies   []map[string]any
	auth     []string
	inFlight atomic.Int32
	maxIn    atomic.Int32

	// answer, when set, may write a reply itself and return true; n counts
	// requests from 1.
	answer func(w http.ResponseWriter, r *http.Request, n int) bool
	delay  time.Duration
}

func newFake(t *testing.T, ollama bool, dims int) *fakeProvider {
	f := &fakeProvider{t: t, ollama: ollama, dims: dims}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// vector is the fake embedding of text: its byte length, then ones.
func vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	v[0] = float32(len(text))
	for i := 1; i < dims; i++ {
		v[i] = 1
	}
	return v
}

func (f *fakeProvider) serve(w http.ResponseWriter, r *http.Request) {
	cur := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxIn.Load()
		if cur <= m || f.maxIn.CompareAndSwap(m, cur) {
			break
		}
	}
	wantPath := "/v1/embeddings"
	if f.ollama {
		wantPath = "/api/embed"
	}
	if r.Method != http.MethodPost || r.URL.Path != wantPath || r.Header.Get("Content-Type") != "application/json" {
		f.t.Errorf("request %s %s (%s), want POST %s application/json", r.Method, r.URL.Path, r.Header.Get("Content-Type"), wantPath)
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("request body: %v", err)
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	n := len(f.bodies)
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	if f.answer != nil && f.answer(w, r, n) {
		return
	}
	var texts []string
	for _, in := range body["input"].([]any) {
		texts = append(texts, in.(string))
	}
	w.Header().Set("Content-Type", "application/json")
	if f.ollama {
		var embs [][]float32
		for _, t := range texts {
			embs = append(embs, vector(t, f.dims))
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"model": body["model"], "embeddings": embs})
		return
	}
	// OpenAI: answer in reverse order, so that the client must sort by index.
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	var data []item
	for i := len(texts) - 1; i >= 0; i-- {
		data = append(data, item{"embedding", i, vector(texts[i], f.dims)})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": body["model"]})
}

func (f *fakeProvider) requests() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.bodies...)
}

// sleeps records the waits of a Remote instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func (f *fakeProvider) remote(t *testing.T, o Options) *Remote {
	t.Helper()
	var (
		r   *Remote
		err error
	)
	if f.ollama {
		o.URL = f.srv.URL
		r, err = NewOllama(o)
	} else {
		o.URL = f.srv.URL + "/v1/"
		r, err = NewOpenAI(o)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.CloseIdleConnections)
	return r
}

func texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strings.Repeat("x", i+1)
	}
	return out
}

func checkVectors(t *testing.T, in []string, out [][]float32, dims int) {
	t.Helper()
	if len(out) != len(in) {
		t.Fatalf("%d vectors for %d texts", len(out), len(in))
	}
	for i, v := range out {
		if len(v) != dims || v[0] != float32(len(in[i])) {
			t.Fatalf("vector %d = %v..., want the one of text %d (%d dims)", i, v[:min(3, len(v))], i, dims)
		}
	}
}

func TestBatching(t *testing.T) {
	for _, ollama := range []bool{false, true} {
		t.Run(map[bool]string{false: "openai", true: "ollama"}[ollama], func(t *testing.T) {
			f := newFake(t, ollama, 8)
			r := f.remote(t, Options{Model: "m", Dimensions: 8, BatchSize: 64, Concurrency: 2})
			in := texts(150)
			out, err := r.Embed(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			checkVectors(t, in, out, 8)
			reqs := f.requests()
			if len(reqs) != 3 {
				t.Fatalf("%d requests for 150 texts in batches of 64, want 3", len(reqs))
			}
			sizes := map[int]int{}
			for _, b := range reqs {
				sizes[len(b["input"].([]any))]++
				if b["model"] != "m" {
					t.Errorf("model = %v", b["model"])
				}
				if _, ok := b["dimensions"]; ok {
					t.Errorf("dimensions sent for model m: %v", b)
				}
				if ollama && b["truncate"] != true {
					t.Errorf("ollama request without truncate: %v", b)
				}
			}
			if sizes[64] != 2 || sizes[22] != 1 {
				t.Errorf("batch sizes %v, want 64, 64 and 22", sizes)
			}
			st := r.Stats()
			if st.Requests != 3 || st.Batches != 3 || st.Failures != 0 || st.Retries != 0 || st.MeanBatchLatencyMS <= 0 {
				t.Errorf("stats = %+v", st)
			}
			if info := r.Info(); info.Model != "m" || info.Dimensions != 8 || info.Provider != map[bool]string{false: "openai", true: "ollama"}[ollama] {
				t.Errorf("info = %+v", info)
			}
			if out, err := r.Embed(context.Background(), nil); err != nil || len(out) != 0 || len(f.requests()) != 3 {
				t.Errorf("Embed(nil) = %v, %v; want nothing sent", out, err)
			}
		})
	}
}

// OpenAI's text-embedding-3 models are asked for the configured size.
func TestOpenAISendsDimensionsToTextEmbedding3(t *testing.T) {
	f := newFake(t, false, 256)
	r := f.remote(t, Options{Model: "text-embedding-3-small", Dimensions: 256, APIKey: "k"})
	if _, err := r.Embed(context.Background(), []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if b := f.requests()[0]; b["dimensions"] != float64(256) {
		t.Errorf("request %v, want dimensions 256", b)
	}
	if f.auth[0] != "Bearer k" {
		t.Errorf("Authorization = %q", f.auth[0])
	}
}

// failFirst is a fake's answer that replies to the first k requests with
// fail, and lets the fake answer the others.
func failFirst(k int, fail func(w http.ResponseWriter)) func(http.ResponseWriter, *http.Request, int) bool {
	return func(w http.ResponseWriter, _ *http.Request, n int) bool {
		if n > k {
			return false
		}
		fail(w)
		return true
	}
}

// failAll is a fake's answer that replies to every request with fail.
func failAll(fail func(w http.ResponseWriter)) func(http.ResponseWriter, *http.Request, int) bool {
	return failFirst(math.MaxInt, fail)
}

func TestRetryAfterHonoured(t *testing.T) {
	for _, ollama := range []bool{false, true} {
		f := newFake(t, ollama, 8)
		f.answer = failFirst(1, func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"Rate limit reached","type":"requests"}}`)
		})
		var s sleeps
		r := f.remote(t, Options{Model: "m", Dimensions: 8, Sleep: s.sleep})
		out, err := r.Embed(context.Background(), []string{"hello"})
		if err != nil {
			t.Fatal(err)
		}
		checkVectors(t, []string{"hello"}, out, 8)
		if got := s.all(); len(got) != 1 || got[0] != 2*time.Second {
			t.Errorf("waits %v, want one of 2s (Retry-After)", got)
		}
		if st := r.Stats(); st.Requests != 2 || st.Retries != 1 || st.Failures != 1 || !strings.Contains(st.LastError, "429") {
			t.Errorf("stats = %+v", st)
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	limit := time.Minute
	if d := retryAfter("3", limit); d != 3*time.Second {
		t.Errorf("seconds: %s", d)
	}
	if d := retryAfter("0.5", limit); d != 500*time.Millisecond {
		t.Errorf("fraction: %s", d)
	}
	if d := retryAfter("3600", limit); d != limit {
		t.Errorf("capped: %s", d)
	}
	date := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	if d := retryAfter(date, limit); d < 8*time.Second || d > 10*time.Second {
		t.Errorf("HTTP date %s: %s", date, d)
	}
	if d := retryAfter("soon", limit); d != 0 {
		t.Errorf("garbage: %s", d)
	}
	if d := retryAfter("", limit); d != 0 {
		t.Errorf("absent: %s", d)
	}
}

func TestServerErrorThenSuccess(t *testing.T) {
	for _, ollama := range []bool{false, true} {
		f := newFake(t, ollama, 8)
		f.answer = failFirst(2, func(w http.ResponseWriter) {
			http.Error(w, `{"error":"overloaded"}`, http.StatusInternalServerError)
		})
		var s sleeps
		r := f.remote(t, Options{Model: "m", Dimensions: 8, Sleep: s.sleep, InitialBackoff: 100 * time.Millisecond})
		if _, err := r.Embed(context.Background(), []string{"a", "b"}); err != nil {
			t.Fatal(err)
		}
		waits := s.all()
		if len(waits) != 2 || waits[0] < 80*time.Millisecond || waits[0] > 120*time.Millisecond || waits[1] < 160*time.Millisecond || waits[1] > 240*time.Millisecond {
			t.Errorf("waits %v, want about 100ms then 200ms", waits)
		}
		if st := r.Stats(); st.Requests != 3 || st.Retries != 2 || st.Failures != 2 || st.Batches != 1 {
			t.Errorf("stats = %+v", st)
		}
	}
}

func TestServerErrorGivesUp(t *testing.T) {
	f := newFake(t, true, 8)
	f.answer = failAll(func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"error":"server busy, please try again"}`)
	})
	var s sleeps
	r := f.remote(t, Options{Model: "m", Dimensions: 8, Sleep: s.sleep, MaxRetries: 2})
	_, err := r.Embed(context.Background(), []string{"a"})
	if !errors.Is(err, ErrTransient) || errors.Is(err, ErrPermanent) || !IsTransient(err) {
		t.Fatalf("err = %v, want transient only", err)
	}
	for _, w := range []string{"ollama", f.srv.URL + "/api/embed", "3 attempts", "HTTP 503", "server busy, please try again"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	if n := len(f.requests()); n != 3 {
		t.Errorf("%d requests, want 3 (1 + 2 retries)", n)
	}
}

func TestTimeout(t *testing.T) {
	f := newFake(t, false, 8)
	f.delay = time.Minute // cut short by the request's context
	r := f.remote(t, Options{Model: "m", Dimensions: 8, Timeout: 50 * time.Millisecond, MaxRetries: -1})
	begin := time.Now()
	_, err := r.Embed(context.Background(), []string{"a"})
	if !errors.Is(err, context.DeadlineExceeded) || !IsTransient(err) {
		t.Fatalf("err = %v, want a transient timeout", err)
	}
	if !strings.Contains(err.Error(), "no answer within 50ms (embedding.timeout)") {
		t.Errorf("error %q does not name the timeout", err)
	}
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("took %s", took)
	}
}

func TestWrongDimensions(t *testing.T) {
	for _, ollama := range []bool{false, true} {
		f := newFake(t, ollama, 768)
		r := f.remote(t, Options{Model: "nomic-embed-text", Dimensions: 384})
		_, err := r.Embed(context.Background(), []string{"a"})
		if !errors.Is(err, ErrDimensionMismatch) || !errors.Is(err, ErrPermanent) || IsTransient(err) {
			t.Fatalf("err = %v, want a permanent dimension mismatch", err)
		}
		for _, w := range []string{"768", "384", "set embedding.dimensions: 768", "reindex"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not contain %q", err, w)
			}
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("%d requests, want 1 (no retry)", n)
		}
	}
}

func TestInvalidKey(t *testing.T) {
	const key = "sk-test-0123456789secret"
	f := newFake(t, false, 8)
	f.answer = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		w.WriteHeader(http.StatusUnauthorized)
		// A careless server echoes the key it was given.
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s.","type":"invalid_request_error","code":"invalid_api_key"}}`, got)
		return true
	}
	var s sleeps
	r := f.remote(t, Options{Model: "m", Dimensions: 8, APIKey: key, Sleep: s.sleep})
	_, err := r.Embed(context.Background(), []string{"a"})
	if !errors.Is(err, ErrPermanent) || IsTransient(err) {
		t.Fatalf("err = %v, want permanent", err)
	}
	for _, w := range []string{"HTTP 401", "Incorrect API key provided", "embedding.api_key_env"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	if strings.Contains(err.Error(), key) || strings.Contains(r.Stats().LastError, key) {
		t.Errorf("the key leaked: %q / %q", err, r.Stats().LastError)
	}
	if n := len(f.requests()); n != 1 || len(s.all()) != 0 {
		t.Errorf("%d requests, %d waits; want 1 and none", n, len(s.all()))
	}
	if f.auth[0] != "Bearer "+key {
		t.Errorf("Authorization = %q", f.auth[0])
	}
}

func TestOllamaUnknownModel(t *testing.T) {
	f := newFake(t, true, 8)
	f.answer = failAll(func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"model \"nomic-embed-txt\" not found, try pulling it first"}`)
	})
	r := f.remote(t, Options{Model: "nomic-embed-txt", Dimensions: 8})
	_, err := r.Embed(context.Background(), []string{"a"})
	if !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), `model "nomic-embed-txt" not found, try pulling it first`) {
		t.Fatalf("err = %v, want permanent with Ollama's message", err)
	}
}

func TestQuotaExhaustedIsPermanent(t *testing.T) {
	f := newFake(t, false, 8)
	f.answer = failAll(func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`)
	})
	r := f.remote(t, Options{Model: "m", Dimensions: 8})
	if _, err := r.Embed(context.Background(), []string{"a"}); !errors.Is(err, ErrPermanent) || len(f.requests()) != 1 {
		t.Errorf("err = %v after %d requests, want permanent after 1", err, len(f.requests()))
	}
}

func TestTruncation(t *testing.T) {
	f := newFake(t, false, 8)
	r := f.remote(t, Options{Model: "m", Dimensions: 8, MaxInputTokens: 16}) // 48 bytes
	long := strings.Repeat("é", 100)                                         // 200 bytes, 2 per rune
	if _, err := r.Embed(context.Background(), []string{"short", long, ""}); err != nil {
		t.Fatal(err)
	}
	in := f.requests()[0]["input"].([]any)
	if in[0] != "short" {
		t.Errorf("short text changed: %q", in[0])
	}
	cut := in[1].(string)
	if len(cut) > 16*BytesPerToken || len(cut) < 16*BytesPerToken-1 || !utf8.ValidString(cut) || !strings.HasPrefix(long, cut) {
		t.Errorf("long text sent as %d bytes %q, want a valid prefix of at most %d bytes", len(cut), cut, 16*BytesPerToken)
	}
	if in[2] != " " {
		t.Errorf("empty text sent as %q, want one space", in[2])
	}
	if st := r.Stats(); st.Truncated != 1 {
		t.Errorf("truncated = %d, want 1", st.Truncated)
	}
}

func TestConcurrencyBound(t *testing.T) {
	f := newFake(t, true, 8)
	f.delay = 20 * time.Millisecond
	r := f.remote(t, Options{Model: "m", Dimensions: 8, BatchSize: 1, Concurrency: 2})
	var wg sync.WaitGroup
	for range 3 { // the bound holds over concurrent calls too
		wg.Go(func() {
			in := texts(6)
			out, err := r.Embed(context.Background(), in)
			if err != nil {
				t.Error(err)
				return
			}
			checkVectors(t, in, out, 8)
		})
	}
	wg.Wait()
	if got := f.maxIn.Load(); got != 2 {
		t.Errorf("at most %d requests in flight, want 2", got)
	}
	if n := len(f.requests()); n != 18 {
		t.Errorf("%d requests, want 18", n)
	}
}

// A permanent failure of one batch cancels the others and is returned.
func TestFailingBatchCancelsOthers(t *testing.T) {
	f := newFake(t, false, 8)
	f.answer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"message":"bad input"}}`)
			return true
		}
		<-r.Context().Done() // the others hang until cancelled
		return true
	}
	r := f.remote(t, Options{Model: "m", Dimensions: 8, BatchSize: 1, Concurrency: 4})
	_, err := r.Embed(context.Background(), texts(4))
	if !errors.Is(err, ErrPermanent) || !strings.Contains(err.Error(), "bad input") || !strings.Contains(err.Error(), "of 4") {
		t.Errorf("err = %v, want the permanent failure of one batch", err)
	}
}

func TestContextCancelled(t *testing.T) {
	f := newFake(t, false, 8)
	f.delay = time.Minute
	r := f.remote(t, Options{Model: "m", Dimensions: 8})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := r.Embed(ctx, []string{"a"})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTransient) || errors.Is(err, ErrPermanent) {
		t.Errorf("err = %v, want context.Canceled only", err)
	}
	if st := r.Stats(); st.Failures != 0 {
		t.Errorf("a cancelled request counted as a failure: %+v", st)
	}
}

// A deadline of the caller during retries keeps the last failure and is
// transient: the provider did not come back in time.
func TestDeadlineDuringRetries(t *testing.T) {
	f := newFake(t, false, 8)
	f.answer = failAll(func(w http.ResponseWriter) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
	})
	r := f.remote(t, Options{Model: "m", Dimensions: 8, InitialBackoff: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := r.Embed(ctx, []string{"a"})
	if !errors.Is(err, context.DeadlineExceeded) || !IsTransient(err) || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("err = %v, want the 502, transient, and the deadline", err)
	}
}

func TestProviderDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	var s sleeps
	r, err := NewOllama(Options{URL: url, Model: "m", Dimensions: 8, MaxRetries: 1, Sleep: s.sleep})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Embed(context.Background(), []string{"a"})
	if !IsTransient(err) || !strings.Contains(err.Error(), url+"/api/embed") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v, want a transient error naming the URL and the cause", err)
	}
	if st := r.Stats(); st.Requests != 2 || st.Failures != 2 {
		t.Errorf("stats = %+v, want 2 requests failed", st)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{
		{URL: "", Model: "m", Dimensions: 8},
		{URL: "localhost:1234", Model: "m", Dimensions: 8},
		{URL: "http://x", Model: "", Dimensions: 8},
		{URL: "http://x", Model: "m", Dimensions: 0},
	} {
		if _, err := NewOpenAI(o); err == nil {
			t.Errorf("NewOpenAI(%+v) succeeded", o)
		}
	}
	r, err := NewOpenAI(Options{URL: "https://user:pw@example.com/v1", Model: "m", Dimensions: 8})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.shown, "pw") || r.endpoint != "https://user:pw@example.com/v1/embeddings" {
		t.Errorf("shown %q, endpoint %q", r.shown, r.endpoint)
	}
}
