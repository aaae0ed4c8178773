package embedded

import (
	"cmp"
	"strings"
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

// topK keeps the k best candidates offered to it in a min-heap whose root
// is the worst one kept.
type topK struct {
	k int
	h []scored
}

func newTopK(k int) *topK {
	return &topK{k: k, h: make([]scored, 0, min(k, 1024))}
}

// offer considers a candidate, keeping it when it beats the worst one kept.
func (t *topK) offer(score float64, rid int64, id string) {
	if len(t.h) == t.k && score < t.h[0].score {
		return // the common case, decided without building a scored
	}
	c := scored{score: score, rid: rid, id: id}
	if len(t.h) < t.k {
		t.h = append(t.h, c)
		t.up(len(t.h) - 1)
		return
	}
	if c.better(t.h[0]) {
		t.h[0] = c
		t.down(0)
	}
}

// sorted empties the heap, returning its candidates best first.
func (t *topK) sorted() []scored {
	out := make([]scored, len(t.h))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = t.h[0]
		last := len(t.h) - 1
		t.h[0] = t.h[last]
		t.h = t.h[:last]
		t.down(0)
	}
	return out
}

func (t *topK) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !t.h[parent].better(t.h[i]) {
			return
		}
		t.h[parent], t.h[i] = t.h[i], t.h[parent]
		i = parent
	}
}

func (t *topK) down(i int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(t.h) && t.h[worst].better(t.h[l]) {
			worst = l
		}
		if r < len(t.h) && t.h[worst].better(t.h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		t.h[i], t.h[worst] = t.h[worst], t.h[i]
		i = worst
	}
}
