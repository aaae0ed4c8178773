package main

import (
	"slices"
	"time"
)

// Query is one question of the query set and the file, relative to the
// corpus root, that best answers it.
type Query struct {
	Query string `json:"query"`
	File  string `json:"file"`

	name bool // from the symbol-name set (-names): scored in its own rows
}

// dedupe returns the distinct files of a ranked list of hits, in order of
// first appearance: a file's rank is that of its best hit.
func dedupe(files []string) []string {
	seen := make(map[string]bool, len(files))
	out := make([]string, 0, len(files))
	for _, f := range files {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// rankOf returns the 1-based rank of target among the distinct files of
// ranked, or 0 when it is absent.
func rankOf(ranked []string, target string) int {
	if i := slices.Index(dedupe(ranked), target); i >= 0 {
		return i + 1
	}
	return 0
}

// scores accumulates one method's results over the query set.
type scores struct {
	ranks []int // per query: the target's rank, 0 when not found
	took  []time.Duration
}

func (s *scores) add(rank int, took time.Duration) {
	s.ranks = append(s.ranks, rank)
	s.took = append(s.took, took)
}

// recallAt is the share of queries whose target ranks k or better.
func (s *scores) recallAt(k int) float64 {
	if len(s.ranks) == 0 {
		return 0
	}
	n := 0
	for _, r := range s.ranks {
		if r > 0 && r <= k {
			n++
		}
	}
	return float64(n) / float64(len(s.ranks))
}

// mrrAt is the mean reciprocal rank, counting a target ranked below k as
// not found.
func (s *scores) mrrAt(k int) float64 {
	if len(s.ranks) == 0 {
		return 0
	}
	sum := 0.0
	for _, r := range s.ranks {
		if r > 0 && r <= k {
			sum += 1 / float64(r)
		}
	}
	return sum / float64(len(s.ranks))
}

// latency returns the p-th percentile (nearest rank) of the query times.
func (s *scores) latency(p int) time.Duration {
	if len(s.took) == 0 {
		return 0
	}
	sorted := slices.Clone(s.took)
	slices.Sort(sorted)
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}
