package storagetest

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// fillers pad the keyword corpus's texts to one length in terms, so that
// BM25 orders them by the query term's frequency alone, whatever the
// backend's length normalisation.
var fillers = strings.Fields("amber basil cedar dune ember fable garnet harbor island jasper kettle lantern meadow nectar orchid pepper")

// LoadRankingCorpus stores, in a fresh store, a corpus whose keyword and
// semantic orders every backend must agree on, and returns its chunks by
// document id. Collection "code" holds 24 single-chunk files; file i
// contains the query term "kangaroo" 12-i/2 times for even i < 24 (so
// twelve distinct frequencies in texts of 16 terms) and points at cosine
// similarity 0.97-0.03·((7·i) mod 24) from the query vector axis(0), so
// the two legs disagree. Collection "notes" holds 8 notes without the
// term whose cosines fall between those of the files, so a search of
// every collection fuses across collections.
func LoadRankingCorpus(t *testing.T, st storage.Store) map[string]storage.Chunk {
	t.Helper()
	ensure(t, st, "code", "notes")
	out := map[string]storage.Chunk{}
	at := func(cos float64) []float32 { return blend(float32(cos), float32(math.Sqrt(1-cos*cos))) }
	for i := range 24 {
		words := slices.Clone(fillers)
		if i%2 == 0 {
			tf := 12 - i/2
			words = append(slices.Repeat([]string{"kangaroo"}, tf), fillers[:len(fillers)-tf]...)
		}
		doc := fileDoc("code", fmt.Sprintf("/proj/pkg/f%02d.go", i))
		cs := chunksOf(doc, chunkSpec{strings.Join(words, " "), at(0.97 - 0.03*float64((7*i)%24)), "go"})
		replace(t, st, doc, cs)
		out[doc.ID] = cs[0]
	}
	for i := range 8 {
		doc := noteDoc("notes", fmt.Sprintf("n%d", i), fmt.Sprintf("Note %d", i))
		cs := chunksOf(doc, chunkSpec{strings.Join(fillers[i:i+8], " "), at(0.955 - 0.09*float64(i)), ""})
		replace(t, st, doc, cs)
		out[doc.ID] = cs[0]
	}
	return out
}

// CompareHybrid checks that two stores holding LoadRankingCorpus rank it
// alike: first that their keyword legs and their semantic legs agree (the
// corpus is built so that they must), then that hybrid searches, with
// legs cut short by Prefetch and a Limit below the union of their
// candidates, return the same hits in the same order, with the same
// per-leg ranks, semantic scores and fused scores, and whole chunks.
// Keyword scores are not compared: backends may normalise BM25 lengths
// differently.
func CompareHybrid(t *testing.T, a, b storage.Store) {
	t.Helper()
	base := storage.Query{Text: "kangaroo", Dense: axis(0)}
	legs := func(q storage.Query) {
		t.Helper()
		for _, mode := range []string{storage.ModeKeyword, storage.ModeSemantic} {
			q.Mode, q.Limit = mode, 12
			ha, hb := search(t, a, q), search(t, b, q)
			if !slices.Equal(hitIDs(ha), hitIDs(hb)) {
				t.Fatalf("collection %q: the %s legs disagree: %v and %v", q.Collection, mode, hitIDs(ha), hitIDs(hb))
			}
		}
	}
	legs(base)
	for _, tc := range []struct {
		collection      string
		limit, prefetch int
	}{
		{"", 6, 10}, {"", 20, 10}, {"code", 5, 8}, {"code", 16, 8}, {"", 3, 0},
	} {
		q := base
		q.Mode, q.Collection, q.Limit, q.Prefetch = storage.ModeHybrid, tc.collection, tc.limit, tc.prefetch
		legs(q)
		ha, hb := search(t, a, q), search(t, b, q)
		name := fmt.Sprintf("collection %q, limit %d, prefetch %d", tc.collection, tc.limit, tc.prefetch)
		if !slices.Equal(hitIDs(ha), hitIDs(hb)) {
			t.Errorf("%s: hybrid hits %v and %v", name, hitIDs(ha), hitIDs(hb))
			continue
		}
		if len(ha) != tc.limit {
			t.Errorf("%s: %d hits, want %d", name, len(ha), tc.limit)
		}
		for i := range ha {
			x, y := ha[i], hb[i]
			if x.KeywordRank != y.KeywordRank || x.SemanticRank != y.SemanticRank ||
				!nearCosine(x.SemanticScore, y.SemanticScore) || !near(x.Score, y.Score) || (x.KeywordScore > 0) != (y.KeywordScore > 0) {
				t.Errorf("%s: hit %d (%s): ranks %d/%d, scores %v/%v/%v and ranks %d/%d, scores %v/%v/%v", name, i, x.Chunk.ID,
					x.KeywordRank, x.SemanticRank, x.KeywordScore, x.SemanticScore, x.Score,
					y.KeywordRank, y.SemanticRank, y.KeywordScore, y.SemanticScore, y.Score)
			}
			if !reflect.DeepEqual(asRead(x.Chunk), asRead(y.Chunk)) {
				t.Errorf("%s: hit %d chunks %+v and %+v", name, i, x.Chunk, y.Chunk)
			}
		}
	}
}
