// Package statictest writes tiny Model2Vec models for tests: a handful
// of words, 8 dimensions, synonyms sharing a row, so that a test can
// check that the static embedder finds a word through its synonym.
package statictest

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// Dims is the vector size of the models written here.
const Dims = 8

// Files returns the files of a model whose vocabulary is words (after
// [PAD] and [UNK]), where each synonyms key shares the row of its value.
// Row r is 1 at r mod 8 and 0.5 at (r+3) mod 8. The tokenizer lowercases.
func Files(words []string, synonyms map[string]string) map[string][]byte {
	vocab := map[string]int{"[PAD]": 0, "[UNK]": 1}
	var rowOf []int32 = []int32{0, 1}
	rows := map[string]int32{}
	next := int32(2)
	for _, w := range words {
		vocab[w] = len(rowOf)
		canon := w
		if s, ok := synonyms[w]; ok {
			canon = s
		}
		r, ok := rows[canon]
		if !ok {
			r, next = next, next+1
			rows[canon] = r
		}
		rowOf = append(rowOf, r)
	}
	emb := make([]float32, int(next)*Dims)
	for r := range int(next) {
		emb[r*Dims+r%Dims] = 1
		emb[r*Dims+(r+3)%Dims] += 0.5
	}
	tok := map[string]any{
		"normalizer":    map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": nil, "lowercase": true},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"model":         map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab},
		"added_tokens":  []any{},
	}
	tokJSON, _ := json.Marshal(tok)
	return map[string][]byte{
		"config.json":       []byte(`{"model_type": "model2vec", "normalize": true}`),
		"tokenizer.json":    tokJSON,
		"model.safetensors": Safetensors(map[string]Tensor{"embeddings": F32([]int{int(next), Dims}, emb), "mapping": I32(rowOf)}),
	}
}

// Write writes the model of Files into dir.
func Write(dir string, words []string, synonyms map[string]string) error {
	for name, data := range Files(words, synonyms) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Tensor is one tensor of a safetensors file.
type Tensor struct {
	DType string
	Shape []int
	Data  []byte
}

// F32 is a float32 tensor.
func F32(shape []int, v []float32) Tensor {
	var b []byte
	for _, f := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return Tensor{"F32", shape, b}
}

// I32 is a vector of int32.
func I32(v []int32) Tensor {
	var b []byte
	for _, i := range v {
		b = binary.LittleEndian.AppendUint32(b, uint32(i))
	}
	return Tensor{"I32", []int{len(v)}, b}
}

// Safetensors encodes tensors in the safetensors format, in name order.
func Safetensors(ts map[string]Tensor) []byte {
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var data []byte
	names := make([]string, 0, len(ts))
	for n := range ts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		t := ts[n]
		header[n] = map[string]any{"dtype": t.DType, "shape": t.Shape, "data_offsets": []int{len(data), len(data) + len(t.Data)}}
		data = append(data, t.Data...)
	}
	h, _ := json.Marshal(header)
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(out, h...), data...)
}
