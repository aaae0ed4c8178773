package embed

import (
	"bytes"
	"errors"
	"math"
	"testing"
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
			found := wv.EmbedTerms(tt.terms, v, make([]float64, 2))
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
	if !wv.EmbedTerms(terms, a, make([]float64, 3)) || !got.EmbedTerms(terms, b, make([]float64, 3)) || a[0] != b[0] || a[2] != b[2] {
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
