package qdrant_test

import (
	"testing"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/engine/storage/qdrant"
	"workspace-qdrant-mcp/engine/storage/storagetest"
)

// openAnalyzed opens a store on the double with the engine's analyzer, as
// the embedded store below uses it.
func openAnalyzed(t *testing.T, addr, prefix string) *qdrant.Store {
	t.Helper()
	st, err := qdrant.Open(t.Context(), qdrant.Options{URL: addr, CollectionPrefix: prefix, Analyzer: analysis.Terms})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestHybridMatchesEmbedded: on a corpus whose keyword and semantic legs
// the two backends rank alike, hybrid searches through Qdrant's fused
// query return what the embedded store's client-side fusion returns: the
// same hits in the same order, with the same ranks and scores.
func TestHybridMatchesEmbedded(t *testing.T) {
	emb, err := embedded.Open(t.Context(), t.TempDir(), embedded.Options{Analyzer: analysis.Terms})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emb.Close() })
	qd := openAnalyzed(t, double(t).Addr(), "cmp_")
	storagetest.LoadRankingCorpus(t, emb)
	storagetest.LoadRankingCorpus(t, qd)
	storagetest.CompareHybrid(t, emb, qd)
}

// TestHybridOneFusedQueryPerCollection: a hybrid search of every
// collection sends each collection one request, holding one query that
// fuses both legs as prefetches with RRF at k = 61 (Σ 1/(60+rank)) and the
// two legs without payloads; only the fused query's points carry whole
// payloads, and no chunk has to be read afterwards.
func TestHybridOneFusedQueryPerCollection(t *testing.T) {
	srv := double(t)
	st := openAnalyzed(t, srv.Addr(), "n_")
	storagetest.LoadRankingCorpus(t, st)
	before := srv.QueryStats()
	const limit, prefetch = 4, 12
	hits, err := st.Search(t.Context(), storage.Query{
		Text: "kangaroo", Dense: storagetest.Axis(0), Mode: storage.ModeHybrid, Limit: limit, Prefetch: prefetch,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != limit {
		t.Fatalf("%d hits, want %d", len(hits), limit)
	}
	for _, h := range hits {
		if h.Chunk.Text == "" || h.Chunk.DocID == "" || h.Chunk.Collection == "" {
			t.Errorf("hit %s has a partial chunk: %+v", h.Chunk.ID, h.Chunk)
		}
	}
	after := srv.QueryStats()
	const colls = 2
	got := struct{ requests, queries, fused, prefetches, gets int }{
		after.Requests - before.Requests, after.Queries - before.Queries, after.Fused - before.Fused,
		after.Prefetches - before.Prefetches, after.Gets - before.Gets,
	}
	// "notes" has no keyword match: its keyword leg still runs (the
	// query does not know), so each collection fuses two prefetches.
	want := struct{ requests, queries, fused, prefetches, gets int }{colls, 3 * colls, colls, 2 * colls, colls}
	if got != want {
		t.Errorf("requests, queries, fused queries, prefetches, gets = %+v; want %+v (the gets read document heads)", got, want)
	}
	if after.LastK != 61 || after.LastWeights != nil {
		t.Errorf("fused with k %d and weights %v; want k 61 and equal weights", after.LastK, after.LastWeights)
	}
	// Each leg fetches prefetch plus slack points; the fused queries return
	// a little more than limit each.
	if whole := after.WholePayloads - before.WholePayloads; whole == 0 || whole > colls*(limit+8) {
		t.Errorf("%d points came with whole payloads, want 1 to %d", whole, colls*(limit+8))
	}
}
