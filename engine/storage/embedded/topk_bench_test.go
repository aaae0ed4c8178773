package embedded

import (
	"fmt"
	"testing"
)

// BenchmarkTopK offers the int8 scores of a quantised scan of 28k
// clustered vectors (one scan worker's share of GOROOT) to a topK of 400,
// the first pass of a hybrid search's semantic leg.
func BenchmarkTopK(b *testing.B) {
	const n = 28 << 10
	c := newCorpus(5)
	vs := newVectorIndex().ensureSet("c", benchDims)
	for i := range n {
		vs.add(item{rid: int64(i), id: fmt.Sprintf("%032d", i)}, c.vector())
	}
	q := c.vector()
	normalize(q)
	qq := quantizeQuery(q)
	b.ResetTimer()
	for b.Loop() {
		top := newTopK(400)
		for blk := range vs.blocks {
			vs.searchBlockQuant(blk, qq, nil, top)
		}
		top.sorted()
	}
}
