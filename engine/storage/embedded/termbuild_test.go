package embedded

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine/storage"
)

// keywordBuilt reports whether searches use the in-memory keyword index.
func keywordBuilt(st *Store) bool {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.index.terms != nil
}

// keywordSearch runs a keyword search of text.
func keywordSearch(t *testing.T, st *Store, text string, limit int) []storage.Hit {
	t.Helper()
	hits, err := st.Search(t.Context(), storage.Query{Text: text, Mode: storage.ModeKeyword, Limit: limit})
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	return hits
}

// sameHits fails unless got and want list the same chunks in the same
// order with the same scores (to 1e-9, relative).
func sameHits(t *testing.T, what string, got, want []storage.Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d hits, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Chunk.ID != w.Chunk.ID || g.KeywordRank != w.KeywordRank ||
			math.Abs(g.Score-w.Score) > 1e-9*math.Abs(w.Score) {
			t.Fatalf("%s: hit %d is %s (rank %d, %v), want %s (rank %d, %v)",
				what, i, g.Chunk.ID, g.KeywordRank, g.Score, w.Chunk.ID, w.KeywordRank, w.Score)
		}
	}
}

// TestKeywordIndexBuildsInBackground checks that Open returns before the
// keyword index is built, that meanwhile Stats says it is loading,
// semantic searches answer, keyword searches wait for it (bounded by
// their context) and then answer, and that writes committed during the
// build (a new document, a replace, a document added and deleted again)
// are all in that index, which ranks as FTS5 over the stored chunks.
func TestKeywordIndexBuildsInBackground(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := buildCorpusStore(t, dir, 11, 60)

	reached, release := make(chan struct{}), make(chan struct{})
	st := openStore(t, dir, Options{beforeKeywordInstall: func(bctx context.Context) {
		close(reached)
		select {
		case <-release:
		case <-bctx.Done():
		}
	}})
	<-reached // the build has read its snapshot and waits to install
	if keywordBuilt(st) {
		t.Fatal("the keyword index is in use before its build installed it")
	}
	if stats, err := st.Stats(ctx); err != nil || !stats.KeywordIndexLoading {
		t.Fatalf("Stats during the build = %+v, %v; want the keyword index loading", stats, err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	_, err := st.Search(short, storage.Query{Text: c.text(1), Mode: storage.ModeKeyword, Limit: 5})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a keyword search during the build returned %v, want it to wait until its deadline", err)
	}
	sem, err := st.Search(ctx, storage.Query{Dense: c.vector(), Mode: storage.ModeSemantic, Limit: 5})
	if err != nil || len(sem) == 0 {
		t.Fatalf("a semantic search during the build = %d hits, %v", len(sem), err)
	}

	// Writes during the build.
	added, _ := testDoc("/p/added.go", "zebraword", 2)
	gone, _ := testDoc("/p/gone.go", "quokkaword", 2)
	for _, d := range []storage.Document{added, gone} {
		_, chunks := c.document(100)
		for i := range chunks {
			chunks[i].ID = d.ID + "#" + chunks[i].ID
			chunks[i].DocID, chunks[i].Path = d.ID, d.Path
			chunks[i].Text += " " + map[string]string{added.ID: "zebraword", gone.ID: "quokkaword"}[d.ID]
		}
		if err := st.ReplaceDocument(ctx, d, chunks); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DeleteDocument(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	doc, chunks := c.document(3) // new text and chunk ids for document 3
	if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan []storage.Hit)
	go func() { waiting <- keywordSearch(t, st, "zebraword", 5) }()
	if keywordBuilt(st) {
		t.Fatal("the keyword index was installed before the build was released")
	}

	close(release)
	if hits := <-waiting; len(hits) == 0 || hits[0].Chunk.DocID != added.ID {
		t.Fatalf("a search that waited for the build misses a document written during it: %+v", hits)
	}
	if err := st.WaitKeywordIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if stats, err := st.Stats(ctx); err != nil || stats.KeywordIndexLoading {
		t.Fatalf("Stats after the build = %+v, %v; want the keyword index loaded", stats, err)
	}
	if hits := keywordSearch(t, st, "quokkaword", 5); len(hits) != 0 {
		t.Fatalf("a document deleted during the build is found: %s", hits[0].Chunk.ID)
	}
	ref := newFTS5Reference(t, st)
	st.mu.RLock()
	for _, q := range []string{c.text(1), c.text(2), c.text(4), c.text(8), "zebraword", chunks[0].Text} {
		terms := distinctTerms(st.analyzer(q))
		got := st.keywordIndexed("", terms, 0, nil, 20)
		want := ref.search(t, st, storage.Query{Text: q}, filter{}, 20, terms)
		if !slices.EqualFunc(got, want, func(a, b scored) bool {
			return a.id == b.id && math.Abs(a.score-b.score) <= 1e-9*math.Abs(b.score)
		}) {
			t.Errorf("%.30q: keyword index ranks %v, FTS5 %v", q, got, want)
		}
	}
	st.mu.RUnlock()
	// The index holds exactly the stored chunks: nothing written during
	// the build is lost or left behind.
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCloseStopsKeywordIndexBuild checks that Close stops a build still
// running and waits for it (goleak checks that nothing is left), and
// that WaitKeywordIndex then reports the build as stopped.
func TestCloseStopsKeywordIndexBuild(t *testing.T) {
	dir := t.TempDir()
	buildCorpusStore(t, dir, 11, 5)
	reached := make(chan struct{})
	st, err := Open(t.Context(), dir, Options{beforeKeywordInstall: func(bctx context.Context) {
		close(reached)
		<-bctx.Done() // only Close lets it go on
	}})
	if err != nil {
		t.Fatal(err)
	}
	<-reached
	// A keyword search waiting for the build does not hold Close up.
	searched := make(chan error)
	go func() {
		_, err := st.Search(t.Context(), storage.Query{Text: newCorpus(11).text(2), Mode: storage.ModeKeyword, Limit: 5})
		searched <- err
	}()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.WaitKeywordIndex(t.Context()); !errors.Is(err, errBuildStopped) {
		t.Fatalf("WaitKeywordIndex after Close = %v, want %v", err, errBuildStopped)
	}
	if err := <-searched; !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("a keyword search waiting when Close stopped the build = %v, want %v", err, storage.ErrClosed)
	}
}

// TestEmptyStoreHasKeywordIndexAtOnce checks that a store without chunks
// starts no build: its (empty) index is in use when Open returns.
func TestEmptyStoreHasKeywordIndexAtOnce(t *testing.T) {
	st := openStore(t, t.TempDir(), Options{beforeKeywordInstall: func(context.Context) {
		t.Error("a store without chunks built its keyword index in the background")
	}})
	if !keywordBuilt(st) {
		t.Fatal("the keyword index of an empty store is not in use after Open")
	}
}

// TestReopenQuantisesEveryVector checks that the int8 copies and scales
// made while a store opens (by a second goroutine, block by block) are
// those of each loaded vector, across several blocks.
func TestReopenQuantisesEveryVector(t *testing.T) {
	dir := t.TempDir()
	buildCorpusStore(t, dir, 12, 2*blockVectors/benchChunksPerDoc+3)
	st := openStore(t, dir, Options{})
	st.mu.RLock()
	defer st.mu.RUnlock()
	vs := st.index.sets["code"]
	if !vs.quant {
		t.Skip("no int8 copies on this machine")
	}
	if len(vs.blocks) < 3 {
		t.Fatalf("%d blocks, want at least 3", len(vs.blocks))
	}
	want := make([]int8, vs.dims)
	for slot := range vs.items {
		scale := quantize(want, vectorValues(vs, slot))
		if got := vs.items[slot].scale; got != scale || !slices.Equal(vs.qvector(slot), want) {
			t.Fatalf("slot %d of %d: int8 copy or scale %v differs from the vector's (scale %v)", slot, len(vs.items), got, scale)
		}
	}
}

// TestMultiTokenTerm checks that a query term the keyword index splits
// into several tokens (a custom analyzer's "foo.bar") matches exactly
// the chunks holding all of them, in any order (FTS5 matched only
// "foo bar" in that order).
func TestMultiTokenTerm(t *testing.T) {
	st := openStore(t, t.TempDir(), Options{Analyzer: strings.Fields})
	if err := st.EnsureCollection(t.Context(), "code", 4); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{
		"call foo.bar here",
		"bar and foo apart, foo.bar twice: foo.bar",
		"only foo here",
		"only bar here",
		"neither",
		"bar foo",
	} {
		doc, chunks := testDoc(fmt.Sprintf("/p/%d.go", i), "x", 1)
		chunks[0].Text = text
		if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.WaitKeywordIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
	hits := keywordSearch(t, st, "foo.bar", 10)
	var got []string
	for _, h := range hits {
		got = append(got, h.Chunk.DocID)
	}
	slices.Sort(got)
	if want := []string{"file:/p/0.go", "file:/p/1.go", "file:/p/5.go"}; !slices.Equal(got, want) {
		t.Errorf("foo.bar found %v, want %v", got, want)
	}
}

// TestPingReportsFailedKeywordIndex checks that a store whose keyword
// index could not be built fails its ping with the reason, so that the
// storage check does not pass while keyword searches fail.
func TestPingReportsFailedKeywordIndex(t *testing.T) {
	dir := t.TempDir()
	buildCorpusStore(t, dir, 11, 5)
	st := openStore(t, dir, Options{})
	if err := st.WaitKeywordIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(t.Context()); err != nil {
		t.Fatalf("Ping with the keyword index built = %v", err)
	}
	disk := errors.New("disk I/O error")
	st.build.err = disk // as a build whose read of the chunks failed leaves it
	if err := st.Ping(t.Context()); !errors.Is(err, disk) {
		t.Fatalf("Ping after a failed build = %v, want it to wrap %v", err, disk)
	}
}
