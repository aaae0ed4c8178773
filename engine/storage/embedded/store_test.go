package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/storagetest"
	"workspace-qdrant-mcp/internal/half"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// openStore opens a store in dir, closing it when the test ends.
func openStore(t testing.TB, dir string, opts Options) *Store {
	t.Helper()
	st, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

// openToReopen opens a store in dir with a "code" collection of 4
// dimensions; the caller closes it, to open dir again.
func openToReopen(t testing.TB, dir string) *Store {
	t.Helper()
	st, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureCollection(context.Background(), "code", 4); err != nil {
		_ = st.Close()
		t.Fatal(err)
	}
	return st
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		st := openStore(t, t.TempDir(), Options{})
		t.Cleanup(func() {
			if err := st.IntegrityCheck(context.Background()); err != nil && !errors.Is(err, storage.ErrClosed) {
				t.Errorf("after the test: %v", err)
			}
		})
		return st
	})
}

// unit returns a dims-sized unit vector along axis i.
func unit(dims, i int) []float32 {
	v := make([]float32, dims)
	v[i%dims] = 1
	return v
}

// testDoc returns a file document in collection "code" with n chunks whose
// text contains word.
func testDoc(path, word string, n int) (storage.Document, []storage.Chunk) {
	doc := storage.Document{ID: "file:" + path, Collection: "code", Kind: storage.KindFile, Path: path}
	chunks := make([]storage.Chunk, n)
	for i := range chunks {
		chunks[i] = storage.Chunk{
			ID: fmt.Sprintf("%s#%d", doc.ID, i), DocID: doc.ID, Collection: "code", Kind: storage.KindFile,
			Path: path, Language: "go", Ordinal: i, StartLine: i + 1, EndLine: i + 1,
			Text: fmt.Sprintf("%s part %d", word, i), Hash: fmt.Sprintf("%s-%d", word, i), Dense: unit(4, i),
		}
	}
	return doc, chunks
}

func TestReopen(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st := openToReopen(t, dir)
	for i, word := range []string{"apple", "banana", "cherry"} {
		doc, chunks := testDoc(fmt.Sprintf("/p/%s.go", word), word, i+1)
		if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DeleteDocument(ctx, "file:/p/apple.go"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openStore(t, dir, Options{})
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := st.index.size(), 5; got != want {
		t.Errorf("reloaded index holds %d vectors, want %d", got, want)
	}
	stats, err := st.Stats(ctx)
	if err != nil || stats != (storage.Stats{Documents: 2, Files: 2, Chunks: 5}) {
		t.Errorf("Stats = %+v, %v", stats, err)
	}
	hits, err := st.Search(ctx, storage.Query{Text: "cherry 2", Dense: unit(4, 2), Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Chunk.ID != "file:/p/cherry.go#2" || hits[0].KeywordRank != 1 || hits[0].SemanticRank != 1 {
		t.Errorf("hybrid search after reopen = %+v", hits)
	}
}

func TestSecondOpenFails(t *testing.T) {
	dir := t.TempDir()
	openStore(t, dir, Options{})
	if st, err := Open(t.Context(), dir, Options{}); err == nil {
		st.Close()
		t.Fatal("a second Open of the same directory succeeded")
	}
}

func TestNewerSchemaIsRejected(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations)+1))
	if closeErr := db.Close(); err != nil || closeErr != nil {
		t.Fatal(err, closeErr)
	}
	st, err := Open(t.Context(), dir, Options{})
	if err == nil {
		st.Close()
		t.Fatal("Open accepted a newer schema")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open: %v", err)
	}
}

func TestHostileKeywordQueries(t *testing.T) {
	analyzers := map[string]func(string) []string{
		"default": nil,
		"raw":     strings.Fields, // leaves query syntax in the terms
	}
	for name, analyzer := range analyzers {
		t.Run(name, func(t *testing.T) {
			st := openStore(t, t.TempDir(), Options{Analyzer: analyzer})
			if err := st.EnsureCollection(t.Context(), "code", 4); err != nil {
				t.Fatal(err)
			}
			doc, chunks := testDoc("/p/foo.go", `foo* AND ( NEAR - "quoted"`, 2)
			if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
				t.Fatal(err)
			}
			for _, text := range []string{`"foo* AND (`, `-`, `NEAR`, `NEAR(foo part)`, `"`, `""`, `*`, `foo:bar`, `^foo`, `)`, `{a b}`, `'`, "\x00"} {
				q := storage.Query{Text: text, Mode: storage.ModeKeyword, Limit: 5}
				if _, err := st.Search(t.Context(), q); err != nil {
					t.Errorf("Search(%q): %v", text, err)
				}
			}
			hits, err := st.Search(t.Context(), storage.Query{Text: `"foo* AND (`, Mode: storage.ModeKeyword, Limit: 5})
			if err != nil || len(hits) != 2 {
				t.Errorf("Search for the document's own words = %d hits, %v; want 2", len(hits), err)
			}
		})
	}
}

func TestIntegrityCheckFindsIndexDrift(t *testing.T) {
	st := openStore(t, t.TempDir(), Options{})
	if err := st.EnsureCollection(t.Context(), "code", 4); err != nil {
		t.Fatal(err)
	}
	doc, chunks := testDoc("/p/a.go", "apple", 3)
	if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
		t.Fatal(err)
	}
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
	vs := st.index.sets["code"]
	vs.remove(vs.items[0].rid)
	if err := st.IntegrityCheck(t.Context()); err == nil {
		t.Error("IntegrityCheck missed a vector dropped from the index")
	}
}

func TestTopK(t *testing.T) {
	top := newTopK(3)
	for i, score := range []float64{0.1, 0.9, 0.5, 0.9, 0.3, 0.7} {
		top.offer(score, int64(i), fmt.Sprintf("c%d", i))
	}
	var got []string
	for _, c := range top.sorted() {
		got = append(got, c.id)
	}
	if want := "c1 c3 c5"; strings.Join(got, " ") != want {
		t.Errorf("top 3 = %v, want %s", got, want)
	}
}

func TestVectorSetRemoveKeepsSlotsConsistent(t *testing.T) {
	vs := newVectorIndex().ensureSet("c", 2)
	for i := range 5 {
		vs.add(item{rid: int64(i), id: fmt.Sprint(i)}, []float32{float32(i + 1), 0})
	}
	vs.remove(1)
	vs.remove(4)
	vs.remove(42) // absent
	if len(vs.items) != 3 || len(vs.blocks) != 1 || len(vs.blocks[0]) != 6 || len(vs.slots) != 3 {
		t.Fatalf("after removals: %d items, %d blocks, %d slots", len(vs.items), len(vs.blocks), len(vs.slots))
	}
	for rid, slot := range vs.slots {
		if vs.items[slot].rid != rid || vectorValues(vs, int(slot))[0] != 1 {
			t.Errorf("rid %d: slot %d holds rid %d, vector %v", rid, slot, vs.items[slot].rid, vectorValues(vs, int(slot)))
		}
	}
}

// TestVectorSetAcrossBlocks adds and removes vectors across block
// boundaries and checks that every rid keeps its own vector and that a
// scan sees each vector once.
func TestVectorSetAcrossBlocks(t *testing.T) {
	vs := newVectorIndex().ensureSet("c", 2)
	const n = 3*blockVectors + 7
	// Vector of rid r points at its own angle, at least 1.5e-3 radians
	// from any other rid's, so that neighbours differ by more than 1e-3
	// in one value, more than twice float16's rounding error (2.4e-4 at most
	// for values near 1, twice: once as stored, once normalised).
	vec := func(rid int64) []float32 {
		a := 2 * math.Pi * float64(rid) / (n + blockVectors)
		return []float32{float32(math.Cos(a)), float32(math.Sin(a))}
	}
	check := func(stage string) {
		t.Helper()
		if want := (len(vs.items) + blockVectors - 1) / blockVectors; len(vs.blocks) != max(want, 1) {
			t.Fatalf("%s: %d items in %d blocks", stage, len(vs.items), len(vs.blocks))
		}
		for rid, slot := range vs.slots {
			got, want := vectorValues(vs, int(slot)), vec(rid)
			if vs.items[slot].rid != rid || math.Abs(float64(got[0]-want[0])) > 4e-4 || math.Abs(float64(got[1]-want[1])) > 4e-4 {
				t.Fatalf("%s: rid %d: slot %d holds rid %d, vector %v, want %v", stage, rid, slot, vs.items[slot].rid, got, want)
			}
		}
		top := newTopK(n)
		vs.search([]float32{1, 0}, nil, top)
		if got := len(top.sorted()); got != len(vs.slots) {
			t.Fatalf("%s: scan offered %d vectors, set holds %d", stage, got, len(vs.slots))
		}
	}
	for r := range int64(n) {
		vs.add(item{rid: r, id: fmt.Sprint(r)}, vec(r))
	}
	check("after adds")
	for r := int64(0); r < n; r += 2 {
		vs.remove(r)
	}
	check("after removing every other")
	for r := int64(n); r < n+blockVectors; r++ {
		vs.add(item{rid: r, id: fmt.Sprint(r)}, vec(r))
	}
	check("after adding again")
	for rid := range vs.slots {
		vs.remove(rid)
	}
	check("after removing all")
}

func TestConcurrentWritersNeverBusy(t *testing.T) {
	st := openStore(t, t.TempDir(), Options{})
	if err := st.EnsureCollection(t.Context(), "code", 4); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 15 {
				doc, chunks := testDoc(fmt.Sprintf("/p/w%d-%d.go", w, i%3), "word", 1+i%4)
				if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if i%5 == 4 {
					if _, err := st.DeleteDocument(t.Context(), doc.ID); err != nil {
						t.Errorf("writer %d: %v", w, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestMigrateDropsFTS5 opens a store written with schema version 1,
// whose keyword index was an FTS5 table, and checks that the migrations
// (through version 4) leave no FTS5 table or trigger behind, and that
// keyword search and the integrity check work on the migrated chunks.
func TestMigrateDropsFTS5(t *testing.T) {
	dir := t.TempDir()
	st := openAtVersion(t, dir, 1)
	for i, word := range []string{"apple", "banana", "cherry"} {
		doc, chunks := testDoc(fmt.Sprintf("/p/%d.go", i), word, 2)
		if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
			t.Fatal(err)
		}
	}
	st = reopenMigrated(t, st, dir)
	var left int
	if err := st.writer.QueryRowContext(t.Context(),
		`SELECT count(*) FROM sqlite_schema WHERE name LIKE 'chunks_fts%'`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d FTS5 tables or triggers left after the migrations (%v)", left, err)
	}
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
	find := func(word string) int {
		t.Helper()
		hits, err := st.Search(t.Context(), storage.Query{Text: word, Mode: storage.ModeKeyword, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(hits)
	}
	if n := find("banana"); n != 2 {
		t.Errorf("banana: %d hits after migration, want 2", n)
	}
	doc, chunks := testDoc("/p/1.go", "durian", 1)
	if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
		t.Fatal(err)
	}
	if n, m := find("banana"), find("durian"); n != 0 || m != 1 {
		t.Errorf("after replacing banana by durian: %d banana hits, %d durian hits", n, m)
	}
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// topK returns what sorting every candidate and taking the first k
// returns, whatever the order of the offers, with many ties (ordered by
// id) and k from 1 to more than were offered.
func TestTopKMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		n := rng.IntN(3000)
		all := make([]scored, n)
		for i := range all {
			all[i] = scored{score: float64(rng.IntN(50)) / 7, rid: int64(i), id: fmt.Sprintf("%05d", rng.IntN(1e5)*n+i)}
			if round%4 == 0 {
				all[i].score = float64(i) // ascending: every offer beats the floor
			}
		}
		k := 1 + rng.IntN(max(n, 1)+5)
		top := newTopK(k)
		for _, c := range all {
			top.offer(c.score, c.rid, c.id)
		}
		want := slices.Clone(all)
		slices.SortFunc(want, compareScored)
		want = want[:min(k, n)]
		if got := top.sorted(); !slices.Equal(got, want) {
			t.Fatalf("round %d, %d candidates, k %d: got %d, want %d; first difference at %d", round, n, k, len(got), len(want),
				slices.IndexFunc(got, func(c scored) bool { return !slices.Contains(want, c) }))
		}
	}
}

// vectorValues returns the float32 values of the vector in slot.
func vectorValues(vs *vectorSet, slot int) []float32 {
	v := make([]float32, vs.dims)
	half.Decode(v, vs.vector(slot))
	return v
}

// A new store gets pageSize pages; a store made with SQLite's default
// 4 KiB pages keeps them, and reads and writes as before.
func TestPageSize(t *testing.T) {
	pageSizeOf := func(st *Store) int {
		t.Helper()
		var n int
		if err := st.writer.QueryRowContext(t.Context(), `PRAGMA page_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("new", func(t *testing.T) {
		dir := t.TempDir()
		st := openToReopen(t, dir)
		if got := pageSizeOf(st); got != pageSize {
			t.Errorf("new store's page size %d, want %d", got, pageSize)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if got := pageSizeOf(openStore(t, dir, Options{})); got != pageSize {
			t.Errorf("reopened store's page size %d, want %d", got, pageSize)
		}
	})
	t.Run("old", func(t *testing.T) {
		dir := t.TempDir()
		db, err := sql.Open("sqlite", dsn(filepath.Join(dir, "store.db"), []string{"_pragma=page_size(4096)", "_pragma=journal_mode(WAL)"}))
		if err != nil {
			t.Fatal(err)
		}
		if err := migrate(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		st := openToReopen(t, dir)
		doc, chunks := testDoc("/p/a.go", "apple", 3)
		if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		st = openStore(t, dir, Options{})
		if got := pageSizeOf(st); got != 4096 {
			t.Errorf("old store's page size %d after reopening, want 4096 kept", got)
		}
		hits, err := st.Search(t.Context(), storage.Query{Text: "apple", Mode: storage.ModeKeyword, Limit: 10})
		if err != nil || len(hits) != 3 {
			t.Errorf("keyword search of the old store: %d hits, %v; want 3", len(hits), err)
		}
		if err := st.IntegrityCheck(t.Context()); err != nil {
			t.Error(err)
		}
	})
}

// A chunk written with its Terms is indexed by them, not by analysing its
// text again; one written without is analysed.
func TestGivenTermsAreIndexed(t *testing.T) {
	st := openStore(t, t.TempDir(), Options{})
	if err := st.EnsureCollection(t.Context(), "code", 4); err != nil {
		t.Fatal(err)
	}
	doc, chunks := testDoc("/p/a.go", "apple", 2)
	chunks[0].Terms = []string{"banana", "banana"}
	if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string]string{"banana": chunks[0].ID, "apple": chunks[1].ID} {
		hits, err := st.Search(t.Context(), storage.Query{Text: word, Mode: storage.ModeKeyword, Limit: 10})
		if err != nil || len(hits) != 1 || hits[0].Chunk.ID != want {
			t.Errorf("%s: hits %+v, %v; want %s alone", word, hits, err, want)
		}
	}
}

// VectorsByHash finds a hash by the index on its first characters (the
// query plan says so), and tells apart hashes that share them.
func TestVectorsByHashPrefix(t *testing.T) {
	st := openStore(t, t.TempDir(), Options{})
	if err := st.EnsureCollection(t.Context(), "code", 4); err != nil {
		t.Fatal(err)
	}
	doc, chunks := testDoc("/p/a.go", "apple", 3)
	chunks[0].Hash = strings.Repeat("ab", 8) + "-first"
	chunks[1].Hash = strings.Repeat("ab", 8) + "-second"
	chunks[2].Hash = "Größe-" + strings.Repeat("ü", 20) // prefixes count characters, as substr does
	if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
		t.Fatal(err)
	}
	found, err := st.VectorsByHash(t.Context(), []string{chunks[1].Hash, chunks[2].Hash, strings.Repeat("ab", 8) + "-third"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || !slices.Equal(found[chunks[1].Hash], chunks[1].Dense) || !slices.Equal(found[chunks[2].Hash], chunks[2].Dense) {
		t.Errorf("VectorsByHash = %v, want the second and third chunks' vectors alone", found)
	}
	if plan := queryPlan(t, st, vectorsQuery(2), "a", "b", "a", "b"); !strings.Contains(plan, "INDEX chunks_hash_prefix") {
		t.Errorf("query plan %q does not use chunks_hash_prefix", plan)
	}
}
