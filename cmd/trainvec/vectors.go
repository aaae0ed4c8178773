package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"gonum.org/v1/gonum/mat"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
)

// segment is the number of terms of one SIF sample for the common
// component.
const segment = 200

// buildVectors makes the word-vector table: row i of U·Σ^power, unit
// length, for the term rows[i], with the common component of SIF taken
// from the means of the corpus's segments.
func buildVectors(c *corpus, rows []uint32, u *mat.Dense, sv []float64, power float64, withCommon bool) (*embed.WordVectors, error) {
	n, k := u.Dims()
	words := make([]string, n)
	counts := make([]uint32, n)
	vecs := make([][]float32, n)
	var total uint64
	for _, x := range c.counts {
		total += x
	}
	for i := range n {
		words[i] = c.terms[rows[i]]
		counts[i] = uint32(min(c.counts[rows[i]], math.MaxUint32))
		v := make([]float32, k)
		var s float64
		for j := range k {
			x := u.At(i, j) * math.Pow(sv[j], power)
			v[j] = float32(x)
			s += x * x
		}
		if s > 0 {
			inv := float32(1 / math.Sqrt(s))
			for j := range v {
				v[j] *= inv
			}
		}
		vecs[i] = v
	}
	plain, err := embed.NewWordVectors(words, counts, total, vecs, nil)
	if err != nil || !withCommon {
		return plain, err
	}
	common := commonComponent(c, plain)
	return embed.NewWordVectors(words, counts, total, vecs, common)
}

// commonComponent returns the first principal direction (uncentred, as
// in SIF) of the SIF means of up to 20,000 segments of the corpus, spread
// evenly over it.
func commonComponent(c *corpus, wv *embed.WordVectors) []float32 {
	d := wv.Dims()
	step := max(1, len(c.seq)/segment/20000)
	var samples [][]float32
	terms := make([]string, 0, segment)
	acc := make([]float32, d)
	for s := 0; s*segment < len(c.seq); s += step {
		terms = terms[:0]
		for _, id := range c.seq[s*segment : min(len(c.seq), (s+1)*segment)] {
			if id != sep {
				terms = append(terms, c.terms[id])
			}
		}
		v := make([]float32, d)
		if wv.EmbedTerms(terms, v, acc) {
			samples = append(samples, v)
		}
	}
	// Power iteration on Σ v vᵀ.
	pc := make([]float64, d)
	for j := range pc {
		pc[j] = 1 / math.Sqrt(float64(d))
	}
	for range 50 {
		next := make([]float64, d)
		for _, v := range samples {
			var dot float64
			for j, x := range v {
				dot += float64(x) * pc[j]
			}
			for j, x := range v {
				next[j] += dot * float64(x)
			}
		}
		var s float64
		for _, x := range next {
			s += x * x
		}
		s = math.Sqrt(s)
		for j := range next {
			next[j] /= s
		}
		pc = next
	}
	out := make([]float32, d)
	for j, x := range pc {
		out[j] = float32(x)
	}
	return out
}

// runNear prints each word's nearest terms in the model.
func runNear(args []string) error {
	fs := flag.NewFlagSet("near", flag.ExitOnError)
	model := fs.String("model", "wordvec.bin", "the model file")
	n := fs.Int("n", 10, "neighbours per word")
	_ = fs.Parse(args)
	b, err := os.ReadFile(*model)
	if err != nil {
		return fmt.Errorf("near: %w", err)
	}
	wv, err := embed.ReadWordVectors(b)
	if err != nil {
		return fmt.Errorf("near: %w", err)
	}
	d := wv.Dims()
	all := make([]float32, wv.Len()*d)
	for i, t := range wv.Words() {
		wv.Row(t, all[i*d:(i+1)*d])
	}
	q := make([]float32, d)
	for _, word := range fs.Args() {
		// The word as the index and queries see it (stemmed, lowercase).
		ts := analysis.Terms(word)
		if len(ts) == 0 {
			continue
		}
		w := ts[len(ts)-1]
		if !wv.Row(w, q) {
			fmt.Fprintf(stdout, "%s: not in the vocabulary\n", w)
			continue
		}
		type hit struct {
			t string
			s float32
		}
		hits := make([]hit, 0, wv.Len())
		for i, t := range wv.Words() {
			var s float32
			for j, x := range all[i*d : (i+1)*d] {
				s += x * q[j]
			}
			if t != w {
				hits = append(hits, hit{t, s})
			}
		}
		slices.SortFunc(hits, func(a, b hit) int {
			if a.s > b.s {
				return -1
			}
			if a.s < b.s {
				return 1
			}
			return 0
		})
		fmt.Fprintf(stdout, "%s:", w)
		for _, h := range hits[:min(*n, len(hits))] {
			fmt.Fprintf(stdout, " %s", h.t)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// stdout is where near prints the neighbours: trainvec is a command of
// its own, not the server.
var stdout io.Writer = os.Stdout // stdout-ok
