package embedded

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Posting lists read back what was pushed, in order, however their
// regions moved: with blocks so small that long lists get blocks of
// their own, and freed regions reused by other lists.
func TestPostingsReadBackWhatWasPushed(t *testing.T) {
	type posting struct{ doc, tf uint32 }
	for _, blockSize := range []int{64, 4096, arenaBlockSize} {
		p := newPostings(blockSize)
		rng := rand.New(rand.NewPCG(1, uint64(blockSize)))
		const terms = 300
		want := make([][]posting, terms)
		doc := uint32(0)
		for range 3000 {
			doc++
			if rng.IntN(20) == 0 {
				doc += 1 << 15 // a difference of several bytes
			}
			for range rng.IntN(12) {
				// Skewed: a few terms in most documents, most in few.
				id := uint32(rng.IntN(terms) * rng.IntN(terms) / terms)
				if l := want[id]; len(l) > 0 && l[len(l)-1].doc == doc {
					continue
				}
				tf := uint32(1 + rng.IntN(3))
				if rng.IntN(50) == 0 {
					tf = 1 << 20 // a count of several bytes
				}
				p.push(id, doc, tf)
				want[id] = append(want[id], posting{doc, tf})
			}
		}
		freed := 0
		for _, f := range p.free {
			freed += cap(f)
		}
		for id := range uint32(terms) {
			var got []posting
			view := p.list(id)
			view.each(func(doc, tf uint32) { got = append(got, posting{doc, tf}) })
			if !slices.Equal(got, want[id]) || int(view.n) != len(want[id]) {
				t.Fatalf("block %d, term %d: read %v (n=%d), pushed %v", blockSize, id, got, view.n, want[id])
			}
		}
		if p.terms() > terms {
			t.Errorf("block %d: %d lists for %d terms", blockSize, p.terms(), terms)
		}
		if freed == 0 {
			t.Errorf("block %d: no region was ever freed", blockSize)
		}
		if blockSize == 64 && len(p.blocks) < 2 {
			t.Errorf("block %d: %d blocks", blockSize, len(p.blocks))
		}
	}
}
