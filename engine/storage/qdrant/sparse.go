package qdrant

import (
	"hash/fnv"
	"slices"
	"strings"
	"unicode"

	"workspace-qdrant-mcp/engine/storage"
)

// BM25 parameters of the document side of keyword vectors; see the
// package comment.
const (
	bm25K1     = 1.2
	bm25B      = 0.75
	bm25AvgLen = 128.0
)

// defaultAnalyzer lower-cases text and splits it into runs of letters and
// digits.
func defaultAnalyzer(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// termIndex is a term's sparse index: its 32-bit FNV-1a hash.
func termIndex(term string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(term))
	return h.Sum32()
}

// documentVector is the keyword vector of a chunk's text, whose terms
// are given when the writer had them (nil: analysed here): BM25's
// term-frequency weight per term index, sorted by index.
func (s *Store) documentVector(text string, terms []string) storage.SparseVector {
	if terms == nil {
		terms = s.analyzer(text)
	}
	tf := map[uint32]float64{}
	for _, t := range terms {
		if t != "" {
			tf[termIndex(t)]++
		}
	}
	norm := bm25K1 * (1 - bm25B + bm25B*float64(len(terms))/bm25AvgLen)
	return sortedVector(tf, func(f float64) float64 { return f * (bm25K1 + 1) / (f + norm) })
}

// queryVector is the keyword vector of a query: weight 1 per distinct
// term.
func (s *Store) queryVector(text string) storage.SparseVector {
	w := map[uint32]float64{}
	for _, t := range s.analyzer(text) {
		if t != "" {
			w[termIndex(t)] = 1
		}
	}
	return sortedVector(w, func(f float64) float64 { return f })
}

func sortedVector(w map[uint32]float64, weight func(float64) float64) storage.SparseVector {
	v := storage.SparseVector{Indices: make([]uint32, 0, len(w)), Values: make([]float32, 0, len(w))}
	for i := range w {
		v.Indices = append(v.Indices, i)
	}
	slices.Sort(v.Indices)
	for _, i := range v.Indices {
		v.Values = append(v.Values, float32(weight(w[i])))
	}
	return v
}
