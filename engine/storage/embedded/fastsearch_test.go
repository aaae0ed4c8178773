package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"workspace-qdrant-mcp/engine/storage"
)

// TestDotKernels checks the vectorised float32 dot product against the
// scalar one; dot_test.go checks the int8 kernels.
func TestDotKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for n := range 100 {
		a, b := make([]float32, n), make([]float32, n)
		for i := range n {
			a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		if got, want := dot(a, b), dotGeneric(a, b); math.Abs(float64(got-want)) > 1e-4*max(1, math.Abs(float64(want))) {
			t.Errorf("n=%d: dot %v, scalar %v", n, got, want)
		}
	}
}

// TestSemanticLegMatchesExactScan checks that the quantised, parallel
// scan with exact rescoring (forced on these sets, which are below
// quantMinVectors) returns exactly the top k of an exact
// single-threaded scan, on vectors in clusters and on pure noise (where
// scores are close together), with and without a filter, across two
// collections and after removals.
func TestSemanticLegMatchesExactScan(t *testing.T) {
	const dims = 384
	for _, clustered := range []bool{true, false} {
		t.Run(fmt.Sprintf("clustered=%v", clustered), func(t *testing.T) {
			defer func(f int) { quantMinFactor = f }(quantMinFactor)
			quantMinFactor = 0 // these sets are below quantMinVectors
			c := newCorpus(7)
			vec := func() []float32 {
				if clustered {
					return c.vector()
				}
				return c.noise(1)
			}
			s := &Store{index: newVectorIndex()}
			sets := []*vectorSet{s.index.ensureSet("a", dims), s.index.ensureSet("b", dims)}
			rid := int64(0)
			for i := range 2*blockVectors + 300 {
				lang := []string{"go", "python"}[i%2]
				rid++
				sets[i%5/4].add(item{rid: rid, id: fmt.Sprintf("c%05d", rid), path: "/p", language: lang}, vec())
			}
			for r := int64(1); r < rid; r += 7 {
				sets[0].remove(r)
				sets[1].remove(r)
			}
			if !sets[0].quant && quantFirstPass {
				t.Fatal("set keeps no int8 copy")
			}
			for qi := range 20 {
				q := storage.Query{Dense: vec()}
				if qi%3 == 1 {
					q.Collection = "a"
				}
				if qi%3 == 2 {
					q.Language = "go"
				}
				f, err := newFilter(q)
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range []int{1, 10, 100, 400} {
					got := s.semanticLeg(q, f, k)
					want := exactScan(s.index, q, f, k)
					if !slices.Equal(ids(got), ids(want)) {
						t.Fatalf("query %d, k=%d: got %v\nwant %v", qi, k, ids(got), ids(want))
					}
					for i := range got {
						if got[i].score != want[i].score {
							t.Fatalf("query %d, k=%d: hit %d scores %v, exact %v", qi, k, i, got[i].score, want[i].score)
						}
					}
				}
			}
		})
	}
}

// exactScan is the reference semantic leg: every float32 vector scored,
// one goroutine.
func exactScan(ix *vectorIndex, q storage.Query, f filter, k int) []scored {
	query := slices.Clone(q.Dense)
	normalize(query)
	top := newTopK(k)
	accept := f.itemFilter()
	for name, vs := range ix.sets {
		if q.Collection == "" || name == q.Collection {
			vs.search(query, accept, top)
		}
	}
	return top.sorted()
}

func ids(hits []scored) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.id
	}
	return out
}

// TestVectorSetQuantisedCopies checks that every slot's int8 copy stays
// the quantised copy of its vector through removals across blocks.
func TestVectorSetQuantisedCopies(t *testing.T) {
	vs := newVectorIndex().ensureSet("c", 16)
	vs.quant = true // also where AVX2 is missing: the copies are kept the same way
	c := newCorpus(3)
	const n = 2*blockVectors + 5
	for r := range int64(n) {
		v := c.noise(1)[:16]
		vs.add(item{rid: r, id: fmt.Sprint(r)}, v)
	}
	for r := int64(0); r < n; r += 3 {
		vs.remove(r)
	}
	for r := int64(0); r < n; r += 2 {
		vs.remove(r)
	}
	if len(vs.qblocks) != len(vs.blocks) {
		t.Fatalf("%d int8 blocks for %d blocks", len(vs.qblocks), len(vs.blocks))
	}
	want := make([]int8, 16)
	for _, slot := range vs.slots {
		scale := quantize(want, vectorValues(vs, int(slot)))
		if !slices.Equal(vs.qvector(int(slot)), want) || vs.items[slot].scale != scale {
			t.Fatalf("slot %d: int8 copy %v scale %v, want %v scale %v", slot, vs.qvector(int(slot)), vs.items[slot].scale, want, scale)
		}
	}
}

// TestKeywordIndexMatchesFTS5 checks that the in-memory BM25 ranks and
// scores like SQLite FTS5's bm25() over the same chunks (a reference FTS5
// table made by the test), over a store that went through replaces,
// deletes, a dropped collection and a reopen, and that the integrity
// check finds the keyword index consistent.
func TestKeywordIndexMatchesFTS5(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openStore(t, dir, Options{})
	for _, coll := range []string{"code", "other"} {
		if err := st.EnsureCollection(ctx, coll, benchDims); err != nil {
			t.Fatal(err)
		}
	}
	c := newCorpus(5)
	const docs = 60
	for i := range docs {
		doc, chunks := c.document(i)
		if i%6 == 5 {
			doc.Collection = "other"
			doc.ID += "-other"
			for j := range chunks {
				chunks[j].Collection, chunks[j].DocID = "other", doc.ID
				chunks[j].ID += "-other"
			}
		}
		if i%10 == 0 {
			chunks[0].Text += " Ünïcode ÉCOLE naïve x²"
		}
		if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
			t.Fatal(err)
		}
	}
	queries := []string{c.text(1), c.text(3), c.text(6), c.text(10), "école naïve", "unknownword " + c.text(2)}
	compare := func(stage string) {
		t.Helper()
		if err := st.IntegrityCheck(ctx); err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		ref := newFTS5Reference(t, st)
		st.mu.RLock()
		defer st.mu.RUnlock()
		for _, text := range queries {
			for _, q := range []storage.Query{
				{Text: text},
				{Text: text, Collection: "code"},
				{Text: text, Language: "python"},
				{Text: text, PathGlob: "**/pkg1*/**"},
			} {
				f, err := newFilter(q)
				if err != nil {
					t.Fatal(err)
				}
				terms := distinctTerms(st.analyzer(q.Text))
				for _, k := range []int{5, 50, 1000} {
					got := st.keywordIndexed(q.Collection, terms, f.definesSignature(), f.itemFilter(), k)
					want := ref.search(t, st, q, f, k, terms)
					if len(got) != len(want) {
						t.Fatalf("%s: %+v k=%d: %d hits, FTS5 %d", stage, q, k, len(got), len(want))
					}
					for i := range got {
						if got[i].id != want[i].id || math.Abs(got[i].score-want[i].score) > 1e-9*math.Abs(want[i].score) {
							t.Fatalf("%s: %+v k=%d: hit %d is %s %v, FTS5 %s %v", stage, q, k, i, got[i].id, got[i].score, want[i].id, want[i].score)
						}
					}
				}
			}
		}
	}
	compare("after inserts")
	for i := 0; i < docs; i += 4 {
		doc, chunks := c.document(i) // new text, new chunk ids
		if i%6 == 5 {
			continue
		}
		if err := st.ReplaceDocument(ctx, doc, chunks[:1+i%3]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < docs; i += 5 {
		doc, _ := c.document(i)
		if i%6 == 5 {
			doc.ID += "-other"
		}
		if _, err := st.DeleteDocument(ctx, doc.ID); err != nil {
			t.Fatal(err)
		}
	}
	compare("after replaces and deletes")
	if _, err := st.DropCollection(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	compare("after dropping a collection")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir, Options{})
	compare("after reopening")
}

// TestTermIndexCompaction checks that compaction drops the dead
// documents and the postings of the terms only they held, and scores
// like an index built afresh from the live documents.
func TestTermIndexCompaction(t *testing.T) {
	ti := newTermIndex(nil)
	c := newCorpus(9)
	const n = 3 * compactMinDead
	texts := make(map[int64]string)
	for r := range int64(n) {
		texts[r] = c.text(20)
		ti.add(r, analyzeTerms(texts[r]))
	}
	ti.add(n, analyzeTerms("onlyhere"))
	phrases := [][]string{{c.vocab[0]}, {c.vocab[3]}, {c.vocab[40]}, {c.vocab[500]}, {"onlyhere"}}
	search := func(ti *termIndex) []scored {
		top := newTopK(100)
		ti.search(phrases, 0, func(rid int64) (*item, bool) {
			return &item{rid: rid, id: fmt.Sprintf("%06d", rid)}, true
		}, top)
		return top.sorted()
	}
	for r := int64(0); r <= n; r++ {
		if r%3 != 0 || r == n {
			ti.remove(r)
			delete(texts, r)
		}
	}
	if len(ti.rids) >= n {
		t.Fatalf("%d removals out of %d did not compact", n-len(texts), n+1)
	}
	ti.compact()
	if ti.dead != 0 || len(ti.rids) != ti.live || ti.live != len(texts) {
		t.Fatalf("after compaction: %d dead, %d docs, %d live, want %d", ti.dead, len(ti.rids), ti.live, len(texts))
	}
	if list, ok := ti.list("onlyhere"); !ok || list.n != 0 || len(list.data) != 0 {
		t.Error("a term no document holds kept postings after compaction")
	}
	fresh := newTermIndex(ti.dict)
	for r := int64(0); r <= n; r++ {
		if text, ok := texts[r]; ok {
			fresh.add(r, analyzeTerms(text))
		}
	}
	if err := ti.sameAs(fresh); err != nil {
		t.Error(err)
	}
	got, want := search(ti), search(fresh)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("compacted index finds %v\nfresh index %v", got, want)
	}
	ti.add(n+1, analyzeTerms(c.text(20))) // still usable
	if len(search(ti)) == 0 {
		t.Fatal("nothing found after adding to the compacted index")
	}
}

// TestAnalyzeASCII checks the one-pass analysis used at Open against
// DefaultAnalyzer followed by the general one.
func TestAnalyzeASCII(t *testing.T) {
	for _, text := range []string{
		"", "   ", "func (s *Store) Open(ctx context.Context) error { return nil }",
		"HTTP2Server x_y-Z9 __init__ ABC abc Abc", "a\tb\nc\x00d", "naïve café",
	} {
		want := analyzeTermList(DefaultAnalyzer(text))
		got, ok := analyzeASCII(text)
		if !ok {
			if strings.IndexFunc(text, func(r rune) bool { return r >= utf8.RuneSelf }) < 0 {
				t.Errorf("%q: refused an ASCII text", text)
			}
			continue
		}
		if !slices.Equal(got.terms, want.terms) || !slices.Equal(got.tf, want.tf) || got.length != want.length {
			t.Errorf("%q: got %+v, want %+v", text, got, want)
		}
	}
}

// fts5Reference is an FTS5 table of a store's chunks, analyzed, in a
// database of its own: the ranking the keyword index must reproduce.
type fts5Reference struct{ db *sql.DB }

// newFTS5Reference indexes every chunk st holds with FTS5.
func newFTS5Reference(t *testing.T, st *Store) *fts5Reference {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "ref.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE VIRTUAL TABLE ref USING fts5 (terms, tokenize = 'unicode61 remove_diacritics 0')`); err != nil {
		t.Fatal(err)
	}
	rows, err := st.reader.Query(`SELECT rid, text FROM chunks`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rid  int64
			text string
		)
		if err := rows.Scan(&rid, &text); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO ref (rowid, terms) VALUES (?, ?)`, rid, strings.Join(st.analyzer(text), " ")); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return &fts5Reference{db}
}

// search returns the k best chunks by FTS5's bm25() that pass f, ties
// ordered by id, as the keyword leg orders them. st.mu must be held.
func (r *fts5Reference) search(t *testing.T, st *Store, q storage.Query, f filter, k int, terms []string) []scored {
	t.Helper()
	quoted := make([]string, len(terms))
	for i, term := range terms {
		quoted[i] = `"` + strings.ReplaceAll(term, `"`, `""`) + `"`
	}
	rows, err := r.db.Query(`SELECT rowid, -bm25(ref) AS score FROM ref WHERE ref MATCH ? ORDER BY score DESC`,
		strings.Join(quoted, " OR "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	accept := f.itemFilter()
	var found []scored
	for rows.Next() {
		var c scored
		if err := rows.Scan(&c.rid, &c.score); err != nil {
			t.Fatal(err)
		}
		if len(found) >= k && c.score < found[len(found)-1].score {
			break // past the ties at the limit
		}
		it, ok := st.index.find(q.Collection, c.rid)
		if !ok || (accept != nil && !accept(it)) {
			continue
		}
		c.id = it.id
		found = append(found, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(found, compareScored)
	return found[:min(k, len(found))]
}
