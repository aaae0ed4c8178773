package storagetest

import (
	"maps"
	"math"
	"reflect"
	"slices"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// corpusDoc is one single-chunk file document of a test corpus.
type corpusDoc struct {
	path string
	spec chunkSpec
}

// store adds the documents to collection, returning their chunks by path.
func store(t *testing.T, st storage.Store, collection string, docs ...corpusDoc) map[string]storage.Chunk {
	t.Helper()
	chunks := make(map[string]storage.Chunk, len(docs))
	for _, d := range docs {
		doc := fileDoc(collection, d.path)
		cs := chunksOf(doc, d.spec)
		replace(t, st, doc, cs)
		chunks[d.path] = cs[0]
	}
	return chunks
}

// checkOrder fails the test unless hits are exactly want, in order, with
// their chunks as stored and scores not increasing.
func checkOrder(t *testing.T, hits []storage.Hit, want ...storage.Chunk) {
	t.Helper()
	wantIDs := make([]string, len(want))
	for i, c := range want {
		wantIDs[i] = c.ID
	}
	if got := hitIDs(hits); !slices.Equal(got, wantIDs) {
		t.Fatalf("hits = %v, want %v", got, wantIDs)
	}
	for i, h := range hits {
		if g, w := asRead(h.Chunk), asRead(want[i]); !reflect.DeepEqual(g, w) {
			t.Errorf("hit %d chunk = %+v, want %+v", i, g, w)
		}
		if i > 0 && h.Score > hits[i-1].Score {
			t.Errorf("hit %d scores %v, more than hit %d (%v)", i, h.Score, i-1, hits[i-1].Score)
		}
	}
}

// near reports whether a is within 1e-4 of b.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-4 }

// nearCosine compares cosine similarities of unit vectors, which a store
// may keep as float16 (see storage.Store.VectorsByHash): each value then
// within 2^-11 of itself, the cosine within 2^-11 (4.9e-4).
func nearCosine(a, b float64) bool { return math.Abs(a-b) < 1e-3 }

func testKeywordRanking(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	c := store(t, st, "code",
		corpusDoc{"/proj/crossing.go", chunkSpec{"the zebra crossing handler validates pedestrian signals", axis(0), "go"}},
		corpusDoc{"/proj/stripes.go", chunkSpec{"zebra zebra zebra stripes", axis(1), "go"}},
		corpusDoc{"/proj/db.go", chunkSpec{"completely unrelated text about databases", axis(2), "go"}},
	)
	hits := search(t, st, storage.Query{Text: "Zebra!", Mode: storage.ModeKeyword, Limit: 10})
	checkOrder(t, hits, c["/proj/stripes.go"], c["/proj/crossing.go"])
	for i, h := range hits {
		if h.KeywordRank != i+1 || h.KeywordScore <= 0 || h.SemanticRank != 0 {
			t.Errorf("hit %d: keyword rank %d score %v, semantic rank %d; want rank %d, positive score, no semantic rank",
				i, h.KeywordRank, h.KeywordScore, h.SemanticRank, i+1)
		}
	}
	if hits[0].KeywordScore <= hits[1].KeywordScore {
		t.Errorf("keyword scores %v, %v: want the better match to score higher", hits[0].KeywordScore, hits[1].KeywordScore)
	}

	for _, text := range []string{`"foo* AND (`, `-`, `NEAR`, `NEAR(zebra stripes)`, `zebra OR`, `"`, `*`, `col:zebra`, `^zebra`, `)(`, ``} {
		if _, err := st.Search(t.Context(), storage.Query{Text: text, Dense: axis(0), Limit: 5}); err != nil {
			t.Errorf("Search(%q): %v", text, err)
		}
	}
}

// Query.Defines keeps the chunks that define the name (a member by its
// last part), however many chunks outscore them on its words.
func testDefinesFilter(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	specs := []struct {
		path, text, defines string
	}{
		{"/proj/instance.go", "type Validate struct holds the rules", "Validate"},
		{"/proj/config.go", "func (c Config) Validate() error checks it", "Config.Validate Config"},
		{"/proj/uses.go", "validate validate validate: validate the name", "validateName"},
		{"/proj/more.go", "validate validate validate validate", ""},
	}
	want := map[string]bool{}
	for i, sp := range specs {
		doc := fileDoc("code", sp.path)
		cs := chunksOf(doc, chunkSpec{sp.text, axis(i), "go"})
		cs[0].Metadata[storage.MetaDefines] = sp.defines
		replace(t, st, doc, cs)
		if i < 2 {
			want[cs[0].ID] = true
		}
	}
	hits := search(t, st, storage.Query{Text: "validate", Mode: storage.ModeKeyword, Limit: 10, Defines: storage.FoldName("Validate")})
	got := map[string]bool{}
	for i, h := range hits {
		got[h.Chunk.ID] = true
		if h.KeywordRank != i+1 {
			t.Errorf("hit %d %s has keyword rank %d, want %d", i, h.Chunk.Path, h.KeywordRank, i+1)
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("Defines validate found %v, want the type and the method: %v", hitIDs(hits), slices.Collect(maps.Keys(want)))
	}
	if !storage.DefinesName("Config.Validate Config", "validate") || storage.DefinesName("validateName", "validate") || storage.DefinesName("", "validate") {
		t.Error("DefinesName")
	}
}

func testSemanticRanking(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	c := store(t, st, "code",
		corpusDoc{"/proj/a.go", chunkSpec{"apple", axis(0), "go"}},
		corpusDoc{"/proj/b.go", chunkSpec{"banana", blend(1, 1), "go"}},
		corpusDoc{"/proj/c.go", chunkSpec{"cherry", axis(1), "go"}},
		corpusDoc{"/proj/d.go", chunkSpec{"date", axis(2), "go"}},
	)
	long := make([]float32, dims)
	long[0] = 3 // not unit length: scores are still cosine similarities
	for _, query := range [][]float32{axis(0), long} {
		hits := search(t, st, storage.Query{Dense: query, Mode: storage.ModeSemantic, Limit: 2})
		checkOrder(t, hits, c["/proj/a.go"], c["/proj/b.go"])
		for i, want := range []float64{1, math.Sqrt2 / 2} {
			h := hits[i]
			if h.SemanticRank != i+1 || !near(h.SemanticScore, want) || h.KeywordRank != 0 {
				t.Errorf("hit %d: semantic rank %d score %v, keyword rank %d; want rank %d, score %v, no keyword rank",
					i, h.SemanticRank, h.SemanticScore, h.KeywordRank, i+1, want)
			}
		}
	}
}

func testHybridRanking(t *testing.T, st storage.Store) {
	ensure(t, st, "code")
	c := store(t, st, "code",
		corpusDoc{"/proj/x.go", chunkSpec{"kangaroo jumps high", axis(3), "go"}},
		corpusDoc{"/proj/y.go", chunkSpec{"kangaroo kangaroo kangaroo", axis(5), "go"}},
		corpusDoc{"/proj/z.go", chunkSpec{"unrelated words here", blend(0, 0, 0, 10, 1), "go"}},
		corpusDoc{"/proj/w.go", chunkSpec{"nothing relevant", axis(6), "go"}},
	)
	for _, mode := range []string{storage.ModeHybrid, ""} {
		hits := search(t, st, storage.Query{Text: "kangaroo", Dense: axis(3), Mode: mode, Limit: 3})
		// x is found by both legs; y is the best keyword match; z is
		// found by the semantic leg alone.
		checkOrder(t, hits, c["/proj/x.go"], c["/proj/y.go"], c["/proj/z.go"])
		x, y, z := hits[0], hits[1], hits[2]
		if x.KeywordRank == 0 || x.SemanticRank != 1 || x.KeywordScore <= 0 || !near(x.SemanticScore, 1) {
			t.Errorf("mode %q: hit x = %+v, want both ranks and scores filled", mode, x)
		}
		if y.KeywordRank != 1 {
			t.Errorf("mode %q: hit y has keyword rank %d, want 1", mode, y.KeywordRank)
		}
		if z.KeywordRank != 0 || z.KeywordScore != 0 || z.SemanticRank != 2 {
			t.Errorf("mode %q: hit z = %+v, want semantic rank 2 and no keyword rank", mode, z)
		}
		if z.Score <= 0 {
			t.Errorf("mode %q: hit z scores %v, want a positive fused score", mode, z.Score)
		}
	}
}

func testFilters(t *testing.T, st storage.Store) {
	ensure(t, st, "code", "notes")
	store(t, st, "code",
		corpusDoc{"/proj/engine/store.go", chunkSpec{"common common words", blend(5, 1), "go"}},
		corpusDoc{"/proj/engine/store_test.go", chunkSpec{"common common test words", blend(5, 2), "go"}},
		corpusDoc{"/proj/web/app.py", chunkSpec{"common and many other unrelated words in python", axis(7), "python"}},
	)
	for _, n := range []struct {
		collection, id string
		dense          []float32
	}{{"code", "code-note", blend(5, 3)}, {"notes", "idea", blend(5, 4)}} {
		doc := noteDoc(n.collection, n.id, "Note "+n.id)
		replace(t, st, doc, chunksOf(doc, chunkSpec{"common common note", n.dense, ""}))
	}
	const (
		storeGo   = "file:/proj/engine/store.go"
		storeTest = "file:/proj/engine/store_test.go"
		app       = "file:/proj/web/app.py"
		codeNote  = "note:code-note"
		idea      = "note:idea"
	)
	cases := []struct {
		name  string
		query storage.Query
		want  []string // document IDs, in any order
	}{
		{"collection", storage.Query{Collection: "notes"}, []string{idea}},
		{"language", storage.Query{Language: "python"}, []string{app}},
		{"any-depth glob", storage.Query{PathGlob: "**/*_test.go"}, []string{storeTest}},
		{"relative glob", storage.Query{PathGlob: "engine/*.go"}, []string{storeGo, storeTest}},
		{"absolute glob", storage.Query{PathGlob: "/proj/web/**"}, []string{app}},
		{"negated glob", storage.Query{Collection: "code", PathGlob: "!**/*_test.go"}, []string{storeGo, app, codeNote}},
		{"all filters", storage.Query{Collection: "code", Language: "go", PathGlob: "!**/*_test.go"}, []string{storeGo}},
		{"notes never match", storage.Query{PathGlob: "!**"}, []string{codeNote, idea}},
		{"filter before limit", storage.Query{PathGlob: "**/*.py", Limit: 1}, []string{app}},
	}
	for _, mode := range []string{storage.ModeKeyword, storage.ModeSemantic, storage.ModeHybrid} {
		for _, tc := range cases {
			q := tc.query
			q.Text, q.Dense, q.Mode = "common", axis(0), mode
			if q.Limit == 0 {
				q.Limit = 10
			}
			var got []string
			for _, h := range search(t, st, q) {
				got = append(got, h.Chunk.DocID)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("%s search, %s: got documents %v, want %v", mode, tc.name, got, want)
			}
		}
	}
}
