package embedded

import (
	"fmt"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// A chunk that defines a name (storage.DefinesName) has every bit of the
// name's signature in its defined names' signature, whatever the case,
// owner or underscores the name is written with.
func TestDefinesSignatureHoldsItsNames(t *testing.T) {
	for _, tc := range []struct{ names, name string }{
		{"Errorf", "Errorf"}, {"fmt.Errorf wrapError", "errorf"}, {"Server.ServeHTTP Server", "ServeHTTP"},
		{"parse_args main", "parseargs"}, {"Parser.Parser.parse", "parse"}, {"a b c d e f g h i j k l", "k"},
	} {
		folded := storage.FoldName(tc.name)
		if !storage.DefinesName(tc.names, folded) {
			t.Fatalf("the table is wrong: %q does not define %q", tc.names, tc.name)
		}
		if sig, want := namesSignature(tc.names), nameSignature(folded); sig&want != want {
			t.Errorf("namesSignature(%q) = %#x lacks %q's %#x", tc.names, sig, tc.name, want)
		}
	}
	if namesSignature("") != 0 || (filter{}).definesSignature() != 0 {
		t.Error("no names must give the signature that every chunk has")
	}
}

// A lookup of a name's definitions among the many chunks that say it
// finds the one that defines it, and the keyword index asks for the
// entries of only the chunks whose signature allows it, both as written
// and as loaded again when the store reopens.
func TestDefinesLookupSkipsChunksThatDefineOtherNames(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st := openToReopen(t, dir)
	const uses = 300
	for i := range uses {
		doc, chunks := testDoc(fmt.Sprintf("/p/use%d.go", i), "errorf", 1)
		chunks[0].Metadata = map[string]string{storage.MetaDefines: fmt.Sprintf("use%d Caller%d.run", i, i)}
		if i%3 == 0 {
			chunks[0].Metadata = nil // defines nothing
		}
		if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
			t.Fatal(err)
		}
	}
	def, chunks := testDoc("/p/fmt/errors.go", "errorf", 1)
	chunks[0].Metadata = map[string]string{storage.MetaDefines: "Errorf"}
	if err := st.ReplaceDocument(ctx, def, chunks); err != nil {
		t.Fatal(err)
	}
	check := func(st *Store, when string) {
		t.Helper()
		hits, err := st.Search(ctx, storage.Query{Text: "errorf", Mode: storage.ModeKeyword, Limit: 5, Defines: "errorf"})
		if err != nil || len(hits) != 1 || hits[0].Chunk.DocID != def.ID {
			t.Fatalf("%s: the definitions of errorf = %v, %v; want %s's chunk alone", when, hits, err, def.Path)
		}
		st.mu.RLock()
		defer st.mu.RUnlock()
		asked := 0
		st.index.terms.search(queryPhrases([]string{"errorf"}), nameSignature("errorf"), func(rid int64) (*item, bool) {
			asked++
			return st.index.find("", rid)
		}, newTopK(5))
		if asked > 10 {
			t.Errorf("%s: the keyword index asked for %d of the %d chunks' entries, not only those that may define errorf", when, asked, uses+1)
		}
	}
	check(st, "as written")
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir, Options{})
	if err := st.WaitKeywordIndex(ctx); err != nil {
		t.Fatal(err)
	}
	check(st, "reopened")
}
