package qdrant

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	pb "github.com/qdrant/go-client/qdrant"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/qdrant/qdranttest"
	"workspace-qdrant-mcp/engine/storage/storagetest"
)

// TestHybridIgnoresUncommittedGenerations writes, for 16 documents,
// chunk points of a generation no head names (as a write in flight, or a
// crashed one, leaves them) that both legs rank above everything else.
// Qdrant's fused query then returns mostly those; hybrid hits must still
// be what they were before, with the same ranks, semantic and fused
// scores, their chunks read by id where the fused query did not bring
// them. Keyword scores are not compared: Qdrant's IDF counts every point
// with a sparse vector, the uncommitted ones too.
func TestHybridIgnoresUncommittedGenerations(t *testing.T) {
	srv, err := qdranttest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	st, err := Open(t.Context(), Options{URL: srv.Addr(), CollectionPrefix: "u_", Analyzer: analysis.Terms})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	corpus := storagetest.LoadRankingCorpus(t, st)
	queries := []storage.Query{
		{Text: "kangaroo", Dense: storagetest.Axis(0), Limit: 5, Prefetch: 8, Collection: "code"},
		{Text: "kangaroo", Dense: storagetest.Axis(0), Limit: 6, Prefetch: 10},
	}
	var before [][]storage.Hit
	for _, q := range queries {
		hits, err := st.Search(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, hits)
	}

	var ghosts []*pb.PointStruct
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range corpus {
			if strings.HasPrefix(id, "file:") && !yield(id) {
				return
			}
		}
	})[:16] {
		c := corpus[id]
		c.Text, c.Dense = strings.Repeat("kangaroo ", 16), storagetest.Axis(0)
		ghosts = append(ghosts, st.chunkPoint(c, st.nextGen()))
	}
	if err := st.upsert(t.Context(), "code", ghosts); err != nil {
		t.Fatal(err)
	}

	for i, q := range queries {
		stats := srv.QueryStats()
		hits, err := st.Search(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(withoutKeywordScores(hits), withoutKeywordScores(before[i])) {
			t.Errorf("query %d: with uncommitted points the hits are\n%+v\nwant\n%+v", i, hits, before[i])
		}
		for _, h := range hits {
			if strings.HasPrefix(h.Chunk.Text, strings.Repeat("kangaroo ", 13)) {
				t.Errorf("query %d: hit %s shows an uncommitted generation", i, h.Chunk.ID)
			}
		}
		// Gets: the heads of each collection; in "code", whose legs
		// found mostly uncommitted points and asked again, the heads of
		// the documents the second round found, and the chunks that the
		// fused query, polluted by uncommitted points, did not bring.
		colls := 1
		if q.Collection == "" {
			colls = 2
		}
		if gets := srv.QueryStats().Gets - stats.Gets; gets != colls+2 {
			t.Errorf("query %d: %d gets, want %d: the fused query was not polluted, or the chunks were not read by id", i, gets, colls+2)
		}
	}
}

// withoutKeywordScores returns hits with keyword scores replaced by
// whether they are positive.
func withoutKeywordScores(hits []storage.Hit) []storage.Hit {
	out := slices.Clone(hits)
	for i := range out {
		out[i].KeywordScore = min(out[i].KeywordScore, 1)
		if out[i].KeywordScore > 0 {
			out[i].KeywordScore = 1
		}
	}
	return out
}
