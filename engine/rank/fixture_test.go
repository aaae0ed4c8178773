package rank

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
)

// fixtureHits chunks testdata/<name> as the engine does (with small
// chunks, so that its header and its functions are apart) and returns
// its chunks as the keyword leg would find them for query: scored by how
// often they hold the query's terms, best first.
func fixtureHits(t *testing.T, name, query string) []storage.Hit {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	terms := analysis.QueryTerms(query)
	var hits []storage.Hit
	for i, c := range chunk.Split(string(data), chunk.Options{MaxChars: 700, Language: chunk.Language(name)}) {
		n := 0
		for _, term := range analysis.Terms(c.Text) {
			if slices.Contains(terms, term) {
				n++
			}
		}
		if n == 0 {
			continue
		}
		hits = append(hits, storage.Hit{Chunk: storage.Chunk{
			ID: fmt.Sprint(name, ":", c.StartLine), DocID: name, Kind: storage.KindFile, Path: "/ws/" + name, Ordinal: i,
			StartLine: c.StartLine, EndLine: c.EndLine, Text: c.Text,
			Metadata: map[string]string{MetaDefines: strings.Join(c.Defines, " ")},
		}, KeywordScore: float64(n)})
	}
	slices.SortStableFunc(hits, func(a, b storage.Hit) int { return int(b.KeywordScore - a.KeywordScore) })
	for i := range hits {
		hits[i].KeywordRank = i + 1
	}
	return hits
}

// fixtureOptions rank fixtureHits as a keyword search with every rule on.
var fixtureOptions = Options{Mode: storage.ModeKeyword, Roots: []string{"/ws"}, Rules: AllRules, Tuning: DefaultTuning}

// fixturesHits is fixtureHits over several files, as one keyword leg.
func fixturesHits(t *testing.T, query string, names ...string) []storage.Hit {
	t.Helper()
	var hits []storage.Hit
	for _, name := range names {
		hits = append(hits, fixtureHits(t, name, query)...)
	}
	slices.SortStableFunc(hits, func(a, b storage.Hit) int { return int(b.KeywordScore - a.KeywordScore) })
	for i := range hits {
		hits[i].KeywordRank = i + 1
	}
	return hits
}

// fixturesFirst is fixturesHits, checked to put a chunk of the file
// first first: a rule's test starts from the order the rule must change.
func fixturesFirst(t *testing.T, query, first string, names ...string) []storage.Hit {
	t.Helper()
	hits := fixturesHits(t, query, names...)
	if len(hits) == 0 || hits[0].Chunk.DocID != first {
		t.Fatalf("the fixture's keyword leg should put %s first for %q: %v", first, query, hits)
	}
	return hits
}
