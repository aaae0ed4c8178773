package embed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"workspace-qdrant-mcp/engine/analysis"
)

func embedOne(t testing.TB, e Embedder, text string) []float32 {
	t.Helper()
	vecs, err := e.Embed(context.Background(), []string{text})
	if err != nil {
		t.Fatalf("Embed(%q): %v", text, err)
	}
	if len(vecs) != 1 {
		t.Fatalf("Embed returned %d vectors for 1 text", len(vecs))
	}
	return vecs[0]
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestBuiltinInfo(t *testing.T) {
	tests := []struct{ dims, want int }{{0, 384}, {-5, 384}, {1, 1}, {64, 64}, {1536, 1536}}
	for _, tt := range tests {
		info := NewBuiltin(tt.dims).Info()
		model := fmt.Sprintf("hash-v1.a%d", analysis.Version) // a new analysis is a new model: indexes re-embed
		if info.Provider != "builtin" || info.Model != model || info.Dimensions != tt.want {
			t.Errorf("NewBuiltin(%d).Info() = %+v, want builtin, %s, %d", tt.dims, info, model, tt.want)
		}
	}
}

func TestBuiltinImplementsEmbedder(t *testing.T) {
	var _ Embedder = NewBuiltin(0)
}

func TestBuiltinDimensionsHonoured(t *testing.T) {
	for _, dims := range []int{1, 7, 128, 384, 1000} {
		e := NewBuiltin(dims)
		vecs, err := e.Embed(context.Background(), []string{"parse a duration", "", sampleChunk})
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vecs {
			if len(v) != dims {
				t.Errorf("dims %d: vector %d has length %d", dims, i, len(v))
			}
		}
	}
}

func TestBuiltinDeterministic(t *testing.T) {
	texts := []string{"parse a duration string", sampleChunk, "naïve café 日本語", "x"}
	a, b := NewBuiltin(0), NewBuiltin(0)
	first, err := a.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := b.Embed(context.Background(), texts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range texts {
			if !slices.Equal(first[i], again[i]) {
				t.Fatalf("text %d embeds differently across calls", i)
			}
		}
	}
	// One text alone embeds as it does in a batch.
	if !slices.Equal(embedOne(t, a, texts[1]), first[1]) {
		t.Error("a text embeds differently alone and in a batch")
	}
}

// TestBuiltinStable pins a few coordinates, so that any change to the
// features or hashing is noticed and featureVersion bumped with it.
func TestBuiltinStable(t *testing.T) {
	v := embedOne(t, NewBuiltin(8), "func ParseDuration(s string) (Duration, error)")
	got := fmt.Sprintf("%.4f", v)
	const want = "[0.3054 0.2679 0.5123 0.3170 0.2684 -0.5970 0.1222 0.1694]"
	if got != want {
		t.Errorf("vector = %s, want %s; if the algorithm changed on purpose, bump featureVersion and update want", got, want)
	}
}

func TestBuiltinUnitNorm(t *testing.T) {
	e := NewBuiltin(0)
	for _, text := range []string{"x", "parse", "Parse the duration", sampleChunk, "日本語", strings.Repeat("abc ", 5000)} {
		if n := norm(embedOne(t, e, text)); math.Abs(n-1) > 1e-5 {
			t.Errorf("norm of %.20q = %v, want 1", text, n)
		}
	}
}

func TestBuiltinZeroVectorWithoutTerms(t *testing.T) {
	e := NewBuiltin(16)
	for _, text := range []string{"", "   \n\t", "(){}[];,.", "the of and a to is"} {
		v := embedOne(t, e, text)
		if n := norm(v); n != 0 {
			t.Errorf("norm of %q = %v, want the zero vector", text, n)
		}
	}
}

func TestBuiltinRelatedTextsAreCloser(t *testing.T) {
	tests := []struct{ query, related, unrelated string }{
		{"parse a duration string", "func ParseDuration(s string) (Duration, error)",
			"SELECT name FROM users WHERE id = 1"},
		{"open a file for reading", "f, err := os.Open(name) // read the file",
			"The quick brown fox jumps over the lazy dog"},
		{"http server handler", "type Handler interface { ServeHTTP(ResponseWriter, *Request) }",
			"def fibonacci(n): return n if n < 2 else fibonacci(n-1) + fibonacci(n-2)"},
		{"configuration", "config := loadConfig(path)", "for i := range items { total += i }"},
	}
	e := NewBuiltin(0)
	for _, tt := range tests {
		q := embedOne(t, e, tt.query)
		rel := cosine(q, embedOne(t, e, tt.related))
		unrel := cosine(q, embedOne(t, e, tt.unrelated))
		if rel <= unrel {
			t.Errorf("%q: cosine with related %q = %.3f, not above unrelated %q = %.3f",
				tt.query, tt.related, rel, tt.unrelated, unrel)
		}
	}
}

func TestBuiltinHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	vecs, err := NewBuiltin(0).Embed(ctx, []string{"a text"})
	if !errors.Is(err, context.Canceled) || vecs != nil {
		t.Errorf("Embed with a cancelled context = %d vectors, %v; want nil, context.Canceled", len(vecs), err)
	}
	if vecs, err := NewBuiltin(0).Embed(ctx, nil); err != nil || len(vecs) != 0 {
		t.Errorf("Embed of no texts = %v, %v; want no vectors and no error", vecs, err)
	}
}

func TestBuiltinVectorsDoNotAlias(t *testing.T) {
	vecs, err := NewBuiltin(4).Embed(context.Background(), []string{"alpha", "beta"})
	if err != nil {
		t.Fatal(err)
	}
	second := slices.Clone(vecs[1])
	_ = append(vecs[0], 42)
	if !slices.Equal(vecs[1], second) {
		t.Error("appending to one vector changed the next")
	}
}

func TestBuiltinConcurrent(t *testing.T) {
	e := NewBuiltin(0)
	want := embedOne(t, e, sampleChunk)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				vecs, err := e.Embed(context.Background(), []string{sampleChunk, "other text"})
				if err != nil || !slices.Equal(vecs[0], want) {
					t.Errorf("concurrent Embed = %v; vector equal: %v", err, err == nil && slices.Equal(vecs[0], want))
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestCounterGrowsAndResets(t *testing.T) {
	var c counter
	for i := range 5000 {
		c.add(uint64(i%2500), kindTerm, 1)
	}
	if len(c.used) != 2500 {
		t.Fatalf("counted %d distinct features, want 2500", len(c.used))
	}
	for h := range uint64(2500) {
		if n := c.count(h); n != 2 {
			t.Fatalf("feature %d counted %d times, want 2", h, n)
		}
	}
	c.reset()
	if len(c.used) != 0 || slices.ContainsFunc(c.slots, func(s slot) bool { return s.key != 0 }) {
		t.Error("reset left features behind")
	}
}

func BenchmarkBuiltinEmbed(b *testing.B) {
	const batch = 64
	texts := make([]string, batch)
	for i := range texts {
		// Vary the chunks a little so that each is a distinct text.
		texts[i] = fmt.Sprintf("// chunk %d\n%s", i, sampleChunk)
	}
	e := NewBuiltin(0)
	ctx := context.Background()
	b.SetBytes(int64(batch * len(texts[0])))
	b.ReportAllocs()
	chunks := 0
	for b.Loop() {
		if _, err := e.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
		chunks += batch
	}
	b.ReportMetric(float64(chunks)/b.Elapsed().Seconds(), "chunks/s")
}

// sampleChunk is about 1.5 KB of Go source, the size of a typical chunk.
const sampleChunk = `// ServeHTTP dispatches the request to the handler whose
// pattern most closely matches the request URL.
func (mux *ServeMux) ServeHTTP(w ResponseWriter, r *Request) {
	if r.RequestURI == "*" {
		if r.ProtoAtLeast(1, 1) {
			w.Header().Set("Connection", "close")
		}
		w.WriteHeader(StatusBadRequest)
		return
	}
	var h Handler
	if use121 {
		h, _ = mux.mux121.findHandler(r)
	} else {
		h, r.Pattern, r.pat, r.matches = mux.findHandler(r)
	}
	h.ServeHTTP(w, r)
}

// findHandler finds a handler for a request.
// If there is a matching handler, it returns it and the pattern that matched.
// Otherwise it returns a Redirect or NotFound handler with the path that would match
// after the redirect.
func (mux *ServeMux) findHandler(r *Request) (h Handler, patStr string, _ *pattern, matches []string) {
	var n *routingNode
	host := r.URL.Host
	escapedPath := r.URL.EscapedPath()
	path := escapedPath
	// CONNECT requests are not canonicalized.
	if r.Method == "CONNECT" {
		// If r.URL.Path is /tree and its handler is not registered,
		// the /tree -> /tree/ redirect applies to CONNECT requests
		// but the path canonicalization does not.
		_, _, u := mux.matchOrRedirect(host, r.Method, path, r.URL)
		if u != nil {
			return RedirectHandler(u.String(), StatusTemporaryRedirect), u.Path, nil, nil
		}
		// Redo the match, this time with r.Host instead of r.URL.Host.
		// Pass a nil URL to skip the trailing-slash redirect logic.
		n, matches, _ = mux.matchOrRedirect(r.Host, r.Method, path, nil)
	} else {
`

// EmbedTerms of a text's analysis.Terms is exactly Embed of the text, for
// ASCII and other text, identifiers, repeats and texts without terms.
func TestBuiltinEmbedTermsMatchesEmbed(t *testing.T) {
	texts := []string{
		"func ParseDuration(s string) (Duration, error)",
		"the the the", "", "  ...  ",
		"HTTPServer handles URLs; parse_json2Value parsing parsed",
		"Größe änderung für naïve café — 東京 タワー",
		strings.Repeat("request timeout handler ", 50),
	}
	b := NewBuiltin(64)
	want, err := b.Embed(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	terms := make([][]string, len(texts))
	for i, text := range texts {
		terms[i] = analysis.Terms(text)
	}
	got, err := b.EmbedTerms(t.Context(), terms)
	if err != nil {
		t.Fatal(err)
	}
	for i := range texts {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("%q: EmbedTerms differs from Embed", texts[i])
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.EmbedTerms(ctx, terms); !errors.Is(err, context.Canceled) {
		t.Errorf("EmbedTerms after cancel: %v, want context.Canceled", err)
	}
}
