package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

// A handmade case: four queries whose targets rank 1, 3 (after a
// duplicate file is folded into its first appearance), 7 and never.
func TestMetrics(t *testing.T) {
	var s scores
	lists := []struct {
		ranked []string
		target string
		rank   int
	}{
		{[]string{"a.go", "b.go"}, "a.go", 1},
		{[]string{"x.go", "x.go", "y.go", "x.go", "t.go"}, "t.go", 3},
		{[]string{"1", "2", "3", "4", "5", "6", "t"}, "t", 7},
		{[]string{"a", "b"}, "t", 0},
	}
	for i, l := range lists {
		r := rankOf(l.ranked, l.target)
		if r != l.rank {
			t.Errorf("list %d: rank %d, want %d", i, r, l.rank)
		}
		s.add(r, time.Duration(i+1)*time.Millisecond)
	}
	if got, want := s.recallAt(5), 2.0/4; got != want {
		t.Errorf("recall@5 = %v, want %v", got, want)
	}
	if got, want := s.mrrAt(10), (1+1.0/3+1.0/7)/4; math.Abs(got-want) > 1e-12 {
		t.Errorf("MRR@10 = %v, want %v", got, want)
	}
	if got, want := s.mrrAt(5), (1+1.0/3)/4; math.Abs(got-want) > 1e-12 {
		t.Errorf("MRR@5 = %v, want %v (rank 7 counts as not found)", got, want)
	}
	if got := s.latency(50); got != 2*time.Millisecond {
		t.Errorf("p50 = %v, want 2ms", got)
	}
	if got := s.latency(95); got != 4*time.Millisecond {
		t.Errorf("p95 = %v, want 4ms", got)
	}
}

// The grep baseline's words: lowercased, split at non-word characters,
// without stop words, each once.
func TestGrepWords(t *testing.T) {
	got := grepWords("How does the HTTP server read a request, and re-read it?")
	want := []string{"http", "server", "read", "request", "re"}
	if len(got) != len(want) {
		t.Fatalf("grepWords = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("grepWords = %q, want %q", got, want)
		}
	}
}

// Files are ranked by Σ (1+ln tf)·ln(N/df), ties by path.
func TestRankByTFIDF(t *testing.T) {
	counts := map[string]map[string]int{ // word → file → count
		"rare":   {"a.go": 1},
		"common": {"a.go": 1, "b.go": 5, "c.go": 1, "d.go": 1},
	}
	// a: ln4 + 1·ln(4/4) = 1.39; b, c, d: 0, tied, so by path.
	if got, want := rankByTFIDF(counts, 4), "a.go b.go c.go d.go"; strings.Join(got, " ") != want {
		t.Errorf("N=4: ranking %q, want %s", got, want)
	}
	// With N=8: a = ln8 + ln(8/4) = 2.77; b = (1+ln5)·ln2 = 1.81; c = d = ln2.
	if got, want := rankByTFIDF(counts, 8), "a.go b.go c.go d.go"; strings.Join(got, " ") != want {
		t.Errorf("N=8: ranking %q, want %s", got, want)
	}
	counts["rare"] = map[string]int{"d.go": 1}
	if got, want := rankByTFIDF(counts, 8), "d.go b.go a.go c.go"; strings.Join(got, " ") != want {
		t.Errorf("rare word in d: ranking %q, want %s", got, want)
	}
}
