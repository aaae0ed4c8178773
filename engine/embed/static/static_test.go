package static

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/embed/static/statictest"
	"workspace-qdrant-mcp/internal/half"
)

// tinyVocab is the vocabulary of the test model: "car" and "automobile"
// are synonyms, mapped to one row.
var tinyVocab = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "car", "automobile", "fast", "red", "##s", "engine", "the", "cafe"}

// writeTinyModel writes a Model2Vec model of 8 dimensions to dir: rows
// are one-hot-ish vectors so that sums can be checked by hand. The
// mapping sends automobile (5) to car's row; weights scale fast by 2.
func writeTinyModel(t testing.TB, dir string, tweak func(tensors map[string]statictest.Tensor, tok map[string]any)) {
	t.Helper()
	const dims = 8
	rows := 11
	emb := make([]float32, rows*dims)
	for r := range rows {
		emb[r*dims+r%dims] = 1
		emb[r*dims+(r+3)%dims] = 0.5
	}
	mapping := []int32{0, 1, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10}
	weights := []float32{1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1}
	tensors := map[string]statictest.Tensor{
		"embeddings": statictest.F32([]int{rows, dims}, emb),
		"mapping":    statictest.I32(mapping),
		"weights":    statictest.F32([]int{len(weights)}, weights),
	}
	vocab := map[string]int{}
	for i, v := range tinyVocab {
		vocab[v] = i
	}
	tok := map[string]any{
		"normalizer":    map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": nil, "lowercase": true},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"model":         map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab},
		"added_tokens":  []any{map[string]any{"id": 2, "content": "[CLS]", "special": true}},
	}
	if tweak != nil {
		tweak(tensors, tok)
	}
	writeJSON(t, filepath.Join(dir, "tokenizer.json"), tok)
	writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{"model_type": "model2vec"})
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), statictest.Safetensors(tensors), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func loadTiny(t *testing.T, tweak func(map[string]statictest.Tensor, map[string]any)) *Model {
	t.Helper()
	dir := t.TempDir()
	writeTinyModel(t, dir, tweak)
	m, err := Load(dir, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// row returns the test model's row r as it is built.
func row(r int) []float64 {
	v := make([]float64, 8)
	v[r%8] += 1
	v[(r+3)%8] += 0.5
	return v
}

func normalized(v []float64) []float32 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x / math.Sqrt(s))
	}
	return out
}

func TestEncodeByHand(t *testing.T) {
	m := loadTiny(t, nil)
	// "Fast REDs!" → fast (id 6, row 5, weight 2), red (7, row 6), ##s (8,
	// row 7), "!" unknown and dropped: mean of 2·row5, row6, row7.
	want := make([]float64, 8)
	for i := range want {
		want[i] = (2*row(5)[i] + row(6)[i] + row(7)[i]) / 3
	}
	got, err := m.Embed(context.Background(), []string{"Fast REDs!"})
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range normalized(want) {
		if math.Abs(float64(got[0][i]-w)) > 1e-3 {
			t.Fatalf("vector %v, want %v", got[0], normalized(want))
		}
	}
	// Synonyms share a row; accents are stripped when lowercasing; an
	// added token is matched before normalisation.
	v, _ := m.Embed(context.Background(), []string{"car", "AUTOMOBILE", "cafe", "café", "[CLS]"})
	if !equal(v[0], v[1]) || !equal(v[2], v[3]) || equal(v[2], make([]float32, 8)) {
		t.Errorf("car %v / automobile %v, cafe %v / café %v", v[0], v[1], v[2], v[3])
	}
	if ids := m.tok.tokenize("the [CLS] car", 10); len(ids) != 3 || ids[1] != 2 {
		t.Errorf("added token: ids %v, want [10 2 4]", ids)
	}
	// Nothing known: a zero vector, reported by Empty.
	z, _ := m.Embed(context.Background(), []string{"zzz ???"})
	if !equal(z[0], make([]float32, 8)) || !m.Empty("zzz ???") || m.Empty("car") {
		t.Errorf("unknown text: %v, Empty %v", z[0], m.Empty("zzz ???"))
	}
	if info := m.Info(); info.Provider != "static" || info.Dimensions != 8 || info.Model != "tiny" {
		t.Errorf("Info = %+v", info)
	}
}

func TestNormalizeFalseAndInt8(t *testing.T) {
	m := loadTiny(t, func(ts map[string]statictest.Tensor, _ map[string]any) {
		emb := make([]byte, 11*8)
		for r := range 11 {
			emb[r*8+r%8] = 4
		}
		ts["embeddings"] = statictest.Tensor{DType: "I8", Shape: []int{11, 8}, Data: emb}
		delete(ts, "weights")
	})
	m.normalize = false
	v, _ := m.Embed(context.Background(), []string{"red"})
	if v[0][6] != 4 {
		t.Errorf("int8 row without normalising: %v, want 4 at 6", v[0])
	}
}

func TestLoadRefuses(t *testing.T) {
	tests := []struct {
		name  string
		tweak func(map[string]statictest.Tensor, map[string]any)
		want  error
		text  string
	}{
		{"unknown pre-tokenizer", func(_ map[string]statictest.Tensor, tok map[string]any) {
			tok["pre_tokenizer"] = map[string]any{"type": "Metaspace"}
		}, ErrUnsupported, `pre_tokenizer "Metaspace"`},
		{"unknown model", func(_ map[string]statictest.Tensor, tok map[string]any) {
			tok["model"] = map[string]any{"type": "BPE", "vocab": map[string]int{"a": 0}}
		}, ErrUnsupported, `model "BPE"`},
		{"unknown normalizer", func(_ map[string]statictest.Tensor, tok map[string]any) {
			tok["normalizer"] = map[string]any{"type": "NFKC"}
		}, ErrUnsupported, `normalizer "NFKC"`},
		{"no embeddings", func(ts map[string]statictest.Tensor, _ map[string]any) { delete(ts, "embeddings") }, ErrCorrupt, "no tensor embeddings"},
		{"mapping out of range", func(ts map[string]statictest.Tensor, _ map[string]any) {
			ts["mapping"] = statictest.I32([]int32{99})
		}, ErrCorrupt, "row 99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTinyModel(t, dir, tt.tweak)
			_, err := Load(dir, "x")
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("Load = %v, want %v naming %q", err, tt.want, tt.text)
			}
		})
	}
}

func TestTruncatedSafetensors(t *testing.T) {
	dir := t.TempDir()
	writeTinyModel(t, dir, nil)
	p := filepath.Join(dir, "model.safetensors")
	data, _ := os.ReadFile(p)
	for _, n := range []int{4, 20, len(data) - 5} {
		if err := os.WriteFile(p, data[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(dir, "x"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated to %d bytes: %v, want ErrCorrupt", n, err)
		}
	}
}

// The sentence-transformers layout keeps the model under
// 0_StaticEmbedding with the tensor embedding.weight.
func TestSentenceTransformersLayout(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "0_StaticEmbedding")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	writeTinyModel(t, sub, func(ts map[string]statictest.Tensor, _ map[string]any) {
		ts["embedding.weight"] = ts["embeddings"]
		delete(ts, "embeddings")
	})
	if _, err := Load(dir, "st"); err != nil {
		t.Fatal(err)
	}
}

func TestHalfPrecision(t *testing.T) {
	for _, f := range []float32{0, 1, -2.5, 0.1, 65504, 1e-5, -3e-8, float32(math.Inf(1))} {
		got := half.ToFloat32(half.FromFloat32(f))
		if f != 0 && math.Abs(float64(got-f)) > math.Abs(float64(f))*1e-3+1e-7 && !math.IsInf(float64(f), 0) {
			t.Errorf("half(%v) = %v", f, got)
		}
	}
	if !math.IsInf(float64(half.ToFloat32(half.FromFloat32(1e6))), 1) {
		t.Error("1e6 should overflow to +Inf in half precision")
	}
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}
