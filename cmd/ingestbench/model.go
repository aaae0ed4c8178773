package main

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"workspace-qdrant-mcp/engine/embed/static/statictest"
)

// writeSyntheticModel writes into dir a Model2Vec model of rows × dims
// float16 values whose vocabulary is the most frequent words of the Go
// files under src (lowercased, as an uncased BERT vocabulary is), every
// letter and digit alone and as a word piece, and ASCII punctuation, so
// that any text of src tokenizes. Its values are arbitrary: it stands in
// for a real model's size and tokenisation cost when none can be
// downloaded, not for its meaning.
func writeSyntheticModel(dir, src string, rows, dims int) error {
	var pieces []string
	for c := range 128 {
		r := rune(c)
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			pieces = append(pieces, string(r), "##"+string(r))
		case r > ' ' && r < 127 && !(r >= 'A' && r <= 'Z'):
			pieces = append(pieces, string(r))
		}
	}
	if rows < len(pieces)+3 {
		return fmt.Errorf("-model-rows %d: a model needs more than %d rows", rows, len(pieces)+2)
	}
	words, err := frequentWords(src, rows-2-len(pieces))
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range pieces {
		have[p] = true
	}
	vocab := pieces
	for _, w := range words {
		if !have[w] {
			vocab = append(vocab, w)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The tokenizer and config of statictest's model; its 8-dimension
	// table is replaced by one of rows × dims.
	files := statictest.Files(vocab, nil)
	for _, name := range []string{"tokenizer.json", "config.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return writeF16Table(filepath.Join(dir, "model.safetensors"), rows, dims)
}

// writeF16Table writes a safetensors file holding one float16 tensor
// "embeddings" [rows, dims], row by row, so that the table is never held
// in memory.
func writeF16Table(path string, rows, dims int) error {
	n := rows * dims * 2
	header, err := json.Marshal(map[string]any{
		"embeddings": map[string]any{"dtype": "F16", "shape": []int{rows, dims}, "data_offsets": []int{0, n}},
	})
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	_ = binary.Write(w, binary.LittleEndian, uint64(len(header)))
	_, _ = w.Write(header)
	row := make([]byte, dims*2)
	for r := range rows {
		for d := range dims {
			v := float32((r*31+d*17)%97)/97 - 0.5
			binary.LittleEndian.PutUint16(row[2*d:], f16(v))
		}
		_, _ = w.Write(row)
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// f16 converts a float32 in [-1, 1] to IEEE half precision, truncating
// the mantissa (values here need no rounding).
func f16(v float32) uint16 {
	b := math.Float32bits(v)
	sign := uint16(b>>16) & 0x8000
	exp := int((b>>23)&0xff) - 127 + 15
	if exp <= 0 {
		return sign
	}
	return sign | uint16(exp)<<10 | uint16((b>>13)&0x3ff)
}

// frequentWords returns the n most frequent lowercase words (runs of
// ASCII letters and digits) of the .go files under src, most frequent
// first.
func frequentWords(src string, n int) ([]string, error) {
	count := map[string]int{}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(string(b)), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		}) {
			count[w]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read words of %s: %w", src, err)
	}
	words := make([]string, 0, len(count))
	for w := range count {
		words = append(words, w)
	}
	slices.SortFunc(words, func(a, b string) int { return cmp.Or(cmp.Compare(count[b], count[a]), strings.Compare(a, b)) })
	return words[:min(n, len(words))], nil
}
