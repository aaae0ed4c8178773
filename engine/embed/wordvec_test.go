package embed

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/analysis"
)

// tinyWords is a two-term table computed by hand: alpha is 1 in 1,000
// terms of its corpus (SIF weight a/(a+p) = 0.001/0.002 = 0.5), beta 3 in
// 1,000 (0.001/0.004 = 0.25).
func tinyWords(t *testing.T, common []float32) *WordVectors {
	t.Helper()
	wv, err := NewWordVectors([]string{"alpha", "beta"}, []uint32{1, 3}, 1000,
		[][]float32{{1, 0}, {0, 1}}, common)
	if err != nil {
		t.Fatal(err)
	}
	return wv
}

func TestWordVectorsByHand(t *testing.T) {
	for _, tt := range []struct {
		name   string
		common []float32
		terms  []string
		want   []float32
		found  bool
	}{
		// 0.5·(1,0) + 0.25·(0,1) = (0.5, 0.25), unit length (2, 1)/√5;
		// gamma is not in the vocabulary.
		{"mean", nil, []string{"alpha", "beta", "gamma"}, []float32{2 / float32(math.Sqrt(5)), 1 / float32(math.Sqrt(5))}, true},
		// Each occurrence counts: 2·0.5·(1,0) + 0.25·(0,1) = (1, 0.25).
		{"repeats", nil, []string{"alpha", "alpha", "beta"}, []float32{4 / float32(math.Sqrt(17)), 1 / float32(math.Sqrt(17))}, true},
		// The common component (1, 0) is taken out: (0, 0.25), then (0, 1).
		{"common", []float32{1, 0}, []string{"alpha", "beta"}, []float32{0, 1}, true},
		{"none known", nil, []string{"gamma"}, []float32{0, 0}, false},
		// Only the common direction: nothing is left, the zero vector.
		{"only common", []float32{1, 0}, []string{"alpha"}, []float32{0, 0}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wv := tinyWords(t, tt.common)
			v := make([]float32, 2)
			found := wv.EmbedTerms(tt.terms, v, make([]float32, 2))
			if found != tt.found || math.Abs(float64(v[0]-tt.want[0])) > 1e-6 || math.Abs(float64(v[1]-tt.want[1])) > 1e-6 {
				t.Errorf("EmbedTerms(%q) = %v, %v; want %v, %v", tt.terms, v, found, tt.want, tt.found)
			}
		})
	}
}

func TestWordVectorsRoundTrip(t *testing.T) {
	wv, err := NewWordVectors([]string{"timeout", "deadlin", "x"}, []uint32{7, 5, 1}, 100,
		[][]float32{{0.6, -0.8, 0}, {0.5, -0.5, 0.7}, {0, 0, 0}}, []float32{0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := wv.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadWordVectors(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != 3 || got.Dims() != 3 || got.Words()[1] != "deadlin" {
		t.Fatalf("read %d terms × %d, words %q", got.Len(), got.Dims(), got.Words())
	}
	a, b := make([]float32, 3), make([]float32, 3)
	for _, term := range wv.Words() {
		wv.Row(term, a)
		got.Row(term, b)
		if a[0] != b[0] || a[1] != b[1] || a[2] != b[2] {
			t.Errorf("row %q: wrote %v, read %v", term, a, b)
		}
	}
	// int8 with a scale per row: within half a step of the float.
	if !wv.Row("timeout", a) || math.Abs(float64(a[0])-0.6) > 0.8/254 || math.Abs(float64(a[1])+0.8) > 0.8/254 || a[2] != 0 {
		t.Errorf("timeout row %v, want about (0.6, -0.8, 0)", a)
	}
	terms := []string{"timeout", "deadlin"}
	if !wv.EmbedTerms(terms, a, make([]float32, 3)) || !got.EmbedTerms(terms, b, make([]float32, 3)) || a[0] != b[0] || a[2] != b[2] {
		t.Errorf("text vector: written table %v, read table %v", a, b)
	}
}

func TestReadWordVectorsRefusesDamage(t *testing.T) {
	wv := tinyWords(t, nil)
	var buf bytes.Buffer
	if _, err := wv.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for name, b := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XXXXXXXX"), good[8:]...),
		"truncated": good[:len(good)-1],
		"longer":    append(append([]byte{}, good...), 0),
		"header":    good[:20],
	} {
		if _, err := ReadWordVectors(b); !errors.Is(err, ErrBadWordVectors) {
			t.Errorf("%s: err = %v, want ErrBadWordVectors", name, err)
		}
	}
}

// The built-in embedder with code words: its vector is the hashed one,
// then the words' mean, weighted so that the cosine is (1−β)·hashed +
// β·words; the two halves are computed here by hand from their parts.
func TestBuiltinWithWordsByHand(t *testing.T) {
	wv := tinyWords(t, nil)
	b := NewBuiltin(10)
	b.withWords(wv, 0.36, "+tiny")
	if info := b.Info(); info.Dimensions != 10 || info.Model != builtinModel+"+tiny" {
		t.Fatalf("Info() = %+v, want 10 dimensions, model %s+tiny", info, builtinModel)
	}
	text := "alpha beta"
	got := embedOne(t, b, text)
	hashed := embedOne(t, NewBuiltin(8), text)
	// sqrt(1-0.36) = 0.8 and sqrt(0.36) = 0.6; words (2, 1)/√5 as in
	// TestWordVectorsByHand.
	want := append(slices.Clone(hashed), 0.6*2/float32(math.Sqrt(5)), 0.6*1/float32(math.Sqrt(5)))
	for i := range 8 {
		want[i] *= 0.8
	}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Fatalf("vector = %v, want %v", got, want)
		}
	}
	if n := norm(got); math.Abs(n-1) > 1e-6 {
		t.Errorf("norm %v, want 1", n)
	}
	// A text without known words keeps only the weighted hashed part.
	got = embedOne(t, b, "gamma")
	if got[8] != 0 || got[9] != 0 || math.Abs(norm(got)-0.8) > 1e-6 {
		t.Errorf("vector of an unknown word = %v, want the hashed part at norm 0.8 and zero words", got)
	}
	terms := [][]string{analysis.Terms(text)}
	viaTerms, err := b.EmbedTerms(context.Background(), terms)
	if err != nil || !slices.Equal(viaTerms[0], embedOne(t, b, text)) {
		t.Errorf("EmbedTerms = %v, %v; want Embed's vector", viaTerms, err)
	}
}

// The code words built into the binary relate words that share no
// letters, which hashing cannot: a question about a deadline and code
// about a timeout.
func TestCodeWordsRelateParaphrases(t *testing.T) {
	words := NewBuiltin(0, WithCodeWords())
	if info := words.Info(); info.Dimensions != DefaultBuiltinDimensions || !strings.HasPrefix(info.Model, builtinModel+"+cw") {
		t.Errorf("Info() = %+v", info)
	}
	if info := NewBuiltin(MinCodeWordsDimensions-1, WithCodeWords()).Info(); info.Model != builtinModel {
		t.Errorf("below %d dimensions: Info() = %+v, want hashing alone", MinCodeWordsDimensions, info)
	}
	hashing := NewBuiltin(DefaultBuiltinDimensions - CodeWords().Dims())
	query := "the deadline passed"
	code := "conn.SetTimeout(d) // give up waiting after a while"
	other := "paint the wall blue with a brush"
	qw, cw, ow := embedOne(t, words, query), embedOne(t, words, code), embedOne(t, words, other)
	near, far := cosine(qw, cw), cosine(qw, ow)
	t.Logf("cosine to the timeout code %.3f, to the unrelated text %.3f", near, far)
	if near < 0.15 || near-far < 0.08 {
		t.Errorf("with code words: cosine to the timeout code %.3f, to the unrelated text %.3f; want ≥ 0.15 and 0.08 nearer", near, far)
	}
	hq := embedOne(t, hashing, query)
	hc, ho := cosine(hq, embedOne(t, hashing, code)), cosine(hq, embedOne(t, hashing, other))
	if hc > 0.1 || hc-ho > 0.1 {
		t.Errorf("hashing alone: cosine to the timeout code %.3f, to the unrelated text %.3f; want both about 0 (no shared features)", hc, ho)
	}
}

// The built-in table is trained with each comment tied to the code after
// it (cmd/trainvec -comments), so the English of a question lies near the
// identifiers it describes, not only near other English: the window
// alone gave 0.44, 0.59 and 0.50.
func TestCodeWordsTieEnglishToIdentifiers(t *testing.T) {
	w := CodeWords()
	for _, tt := range []struct {
		word, ident string
		min         float64
	}{
		{"invisibl", "getvisibl", 0.6}, // stemmed, as the index stores them
		{"deadlock", "mutex", 0.68},
		{"forward", "remoteip", 0.55},
	} {
		a, b := make([]float32, w.Dims()), make([]float32, w.Dims())
		if !w.Row(tt.word, a) || !w.Row(tt.ident, b) {
			t.Fatalf("%q or %q is not in the vocabulary", tt.word, tt.ident)
		}
		c := cosine(a, b)
		t.Logf("cosine(%s, %s) = %.3f", tt.word, tt.ident, c)
		if c < tt.min {
			t.Errorf("cosine(%s, %s) = %.3f, want ≥ %.2f", tt.word, tt.ident, c, tt.min)
		}
	}
}

// The built-in table finds every term of its vocabulary by hash: no two
// share one (rowHashed would find only one of them).
func TestCodeWordsHashesDistinct(t *testing.T) {
	w := CodeWords()
	if w.byHash.n != w.Len() {
		t.Fatalf("%d hashes for %d terms", w.byHash.n, w.Len())
	}
	v := make([]float32, w.Dims())
	for i, term := range w.Words() {
		if r, ok := w.row(term); !ok || int(r) != i {
			t.Fatalf("row(%q) = %d, %v; want %d", term, r, ok, i)
		}
	}
	if w.Row("not a term", v) {
		t.Error("Row found a term outside the vocabulary")
	}
}
