package embedded

import (
	"context"
	"fmt"
	"math/rand/v2"
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

// TestHashSetCounts checks the hash set against a plain count of each
// hash through random adds and removals, many merges among them, with
// hashes that several chunks hold.
func TestHashSetCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	h := newHashSet()
	want := make(map[string]int)
	var held []string // one entry per chunk
	merges := 0
	for op := range 40000 {
		if len(held) > 0 && rng.IntN(3) == 0 {
			i := rng.IntN(len(held))
			hash := held[i]
			held[i] = held[len(held)-1]
			held = held[:len(held)-1]
			h.remove(hash)
			want[hash]--
		} else {
			hash := fmt.Sprintf("h%d", rng.IntN(6000))
			held = append(held, hash)
			h.add(hash)
			want[hash]++
		}
		if len(h.added)+len(h.removed) == 0 {
			merges++
		}
		if op%500 == 0 {
			for hash, n := range want {
				if h.mayHold(hash) != (n > 0) {
					t.Fatalf("op %d: mayHold(%s) = %v with %d chunks holding it", op, hash, h.mayHold(hash), n)
				}
			}
			if h.size() != len(held) {
				t.Fatalf("op %d: size %d, want %d", op, h.size(), len(held))
			}
		}
	}
	if merges == 0 {
		t.Fatal("no merge happened")
	}
	if n := 8 * len(h.sorted) / max(1, len(held)); n > 10 {
		t.Errorf("%d bytes a chunk in the sorted keys", n)
	}
}
