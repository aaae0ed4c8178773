package embedded

import (
	"context"
	"slices"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// TestHashSetKeepsStep checks that the hash set VectorsByHash consults
// leaves out exactly the hashes no stored chunk has, through a hash two
// documents share, replaces, deletes, a dropped collection and a
// reopen, and that the integrity check finds it equal to one built
// afresh.
func TestHashSetKeepsStep(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st := openStore(t, dir, Options{})
	for _, coll := range []string{"code", "other"} {
		if err := st.EnsureCollection(ctx, coll, 4); err != nil {
			t.Fatal(err)
		}
	}
	a, ac := testDoc("/p/a.go", "apple", 2) // hashes apple-0, apple-1
	b, bc := testDoc("/p/b.go", "apple", 1) // apple-0 again
	o, oc := testDoc("/p/o.go", "olive", 2)
	o.Collection = "other"
	for i := range oc {
		oc[i].Collection = "other"
	}
	for _, w := range []struct {
		doc    storage.Document
		chunks []storage.Chunk
	}{{a, ac}, {b, bc}, {o, oc}} {
		if err := st.ReplaceDocument(ctx, w.doc, w.chunks); err != nil {
			t.Fatal(err)
		}
	}
	all := []string{"apple-0", "apple-1", "olive-0", "olive-1", "banana-0", "never"}
	check := func(stage string, want ...string) {
		t.Helper()
		if got := st.mayHold(all); !slices.Equal(got, want) {
			t.Errorf("%s: hashes that may be stored = %v, want %v", stage, got, want)
		}
		vecs, err := st.VectorsByHash(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(vecs) != len(want) {
			t.Errorf("%s: VectorsByHash found %d vectors, want %d", stage, len(vecs), len(want))
		}
		if err := st.IntegrityCheck(ctx); err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
	}
	check("after writes", "apple-0", "apple-1", "olive-0", "olive-1")
	if _, err := st.DeleteDocument(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	check("after deleting one holder of apple-0", "apple-0", "olive-0", "olive-1")
	b2, bc2 := testDoc("/p/b.go", "banana", 1)
	if err := st.ReplaceDocument(ctx, b2, bc2); err != nil {
		t.Fatal(err)
	}
	check("after replacing the last one", "olive-0", "olive-1", "banana-0")
	if _, err := st.DropCollection(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	check("after dropping a collection", "banana-0")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	st = openStore(t, dir, Options{beforeKeywordInstall: func(context.Context) { <-release }})
	if got := st.mayHold(all); len(got) != len(all) {
		t.Errorf("before the keyword index is built every hash may be stored, got %v", got)
	}
	close(release)
	if err := st.WaitKeywordIndex(ctx); err != nil {
		t.Fatal(err)
	}
	check("after reopening", "banana-0")
}
