package embedded

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// scored is a search candidate.
type scored struct {
	score float64
	rid   int64
	id    string
}

// compareScored orders candidates best first: higher score first, then
// lower chunk id, so that results are deterministic.
func compareScored(a, b scored) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c // ids are compared only on ties: cmp.Or would compare them always
	}
	return strings.Compare(a.id, b.id)
}

// better reports whether a comes before b, as compareScored orders them;
// cmp.Compare's handling of NaN is left to it, off the common path.
func (a scored) better(b scored) bool {
	switch {
	case a.score > b.score:
		return true
	case a.score < b.score:
		return false
	case a.score == b.score:
		return a.id < b.id
	}
	return compareScored(a, b) < 0
}

// topK keeps the k best candidates offered to it. It appends each
// candidate that can still be among them to a buffer, and when the
// buffer holds 2k, keeps the k best (a linear-time selection) and raises
// its floor to the worst of those: a candidate scoring below the floor
// cannot be among the k best. That is amortised constant time per
// candidate kept; a min-heap of k paid log k moves of each replacement,
// and a quantised scan of GOROOT's 57k vectors for 400 candidates
// replaced often enough for the heap to cost about as much as the dot
// products (BENCHMARKS.md).
type topK struct {
	k      int
	h      []scored // up to 2k-1 candidates, in no order
	floor  float64  // when pruned, the score of the worst of the k best so far
	pruned bool
}

func newTopK(k int) *topK {
	return &topK{k: k, h: make([]scored, 0, min(2*k, 2048))}
}

// scoredBuffers keeps the buffers of the scan's per-worker top-k
// selections, which are dropped as soon as they are merged: about half
// of what a semantic leg allocates.
var scoredBuffers sync.Pool // of *[]scored

// newPooledTopK is newTopK with a buffer from scoredBuffers; release
// gives it back.
func newPooledTopK(k int) *topK {
	if b, ok := scoredBuffers.Get().(*[]scored); ok && cap(*b) >= min(2*k, 2048) {
		return &topK{k: k, h: (*b)[:0]}
	}
	return newTopK(k)
}

// release gives t's buffer to scoredBuffers; t must not be used after,
// nor anything sorted returned.
func (t *topK) release() {
	clear(t.h) // drop the ids
	b := t.h[:0]
	t.h = nil
	scoredBuffers.Put(&b)
}

// below reports whether a candidate scoring score cannot be among the k
// best, so need not be offered.
func (t *topK) below(score float64) bool {
	return t.pruned && score < t.floor
}

// offer considers a candidate.
func (t *topK) offer(score float64, rid int64, id string) {
	if t.k <= 0 || t.below(score) {
		return
	}
	t.h = append(t.h, scored{score: score, rid: rid, id: id})
	if len(t.h) >= 2*t.k {
		t.prune()
	}
}

// prune keeps the k best candidates of the buffer and sets the floor.
func (t *topK) prune() {
	selectBest(t.h, t.k)
	clear(t.h[t.k:]) // drop the ids
	t.h = t.h[:t.k]
	worst := t.h[0]
	for _, c := range t.h[1:] {
		if worst.better(c) {
			worst = c
		}
	}
	t.floor, t.pruned = worst.score, true
}

// sorted returns the k best candidates, best first, and empties t.
func (t *topK) sorted() []scored {
	slices.SortFunc(t.h, compareScored)
	n := min(len(t.h), max(t.k, 0))
	out := t.h[:n:n]
	t.h, t.pruned = nil, false
	return out
}

// selectBest reorders h so that its first k are its k best, as better
// orders them (quickselect; candidates are totally ordered, their ids
// being distinct).
func selectBest(h []scored, k int) {
	if k <= 0 || k >= len(h) {
		return
	}
	lo, hi, nth := 0, len(h)-1, k-1
	for lo < hi {
		// The median of three as the pivot, moved to hi.
		mid := lo + (hi-lo)/2
		if h[mid].better(h[lo]) {
			h[mid], h[lo] = h[lo], h[mid]
		}
		if h[hi].better(h[lo]) {
			h[hi], h[lo] = h[lo], h[hi]
		}
		if h[mid].better(h[hi]) {
			h[mid], h[hi] = h[hi], h[mid]
		}
		pivot := h[hi]
		p := lo
		for i := lo; i < hi; i++ {
			if h[i].better(pivot) {
				h[i], h[p] = h[p], h[i]
				p++
			}
		}
		h[p], h[hi] = h[hi], h[p]
		switch {
		case nth < p:
			hi = p - 1
		case nth > p:
			lo = p + 1
		default:
			return
		}
	}
}
