package storagetest

import (
	"errors"
	"fmt"
	"maps"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// testDocumentHeads pages through a collection's heads, by kind, with
// pages of 3: every head once, with its title and path, none of another
// collection or kind; a missing collection has none. A store that is not
// a storage.HeadLister skips it.
func testDocumentHeads(t *testing.T, st storage.Store) {
	hl, ok := st.(storage.HeadLister)
	if !ok {
		t.Skip("not a storage.HeadLister")
	}
	ensure(t, st, "code", "notes")
	file := fileDoc("code", "/ws/main.go")
	replace(t, st, file, chunksOf(file, chunkSpec{"package main", axis(0), "go"}))
	want := map[string]string{}
	for i := range 8 {
		n := noteDoc("notes", fmt.Sprintf("n%d", i), fmt.Sprintf("Note %d", i))
		replace(t, st, n, chunksOf(n, chunkSpec{fmt.Sprintf("text of note %d", i), axis(i % dims), ""}))
		want[n.ID] = n.Title
	}
	f2 := fileDoc("notes", "/ws/in-notes.go") // a file among the notes
	replace(t, st, f2, chunksOf(f2, chunkSpec{"package x", axis(1), "go"}))

	got := map[string]string{}
	q := storage.HeadsQuery{Collection: "notes", Kind: storage.KindNote, Limit: 3}
	for pages := 0; ; pages++ {
		if pages > 4 {
			t.Fatalf("more than 4 pages of 3 for 8 notes: %v", got)
		}
		page, err := hl.DocumentHeads(t.Context(), q)
		if err != nil {
			t.Fatalf("DocumentHeads(%+v): %v", q, err)
		}
		if len(page.Heads) > 3 {
			t.Errorf("a page of %d heads, want 3 at most", len(page.Heads))
		}
		for _, h := range page.Heads {
			if _, dup := got[h.ID]; dup || h.Kind != storage.KindNote || h.Collection != "notes" {
				t.Errorf("head %+v: a duplicate, or not a note of notes", h)
			}
			got[h.ID] = h.Title
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	if !maps.Equal(got, want) {
		t.Errorf("heads %v, want %v", got, want)
	}

	page, err := hl.DocumentHeads(t.Context(), storage.HeadsQuery{Collection: "notes", Kind: storage.KindFile, Limit: 10})
	if err != nil || len(page.Heads) != 1 || page.Heads[0].ID != f2.ID || page.Heads[0].Path != f2.Path || page.Next != "" {
		t.Errorf("file heads of notes = %+v, %v; want %s alone", page, err, f2.ID)
	}
	page, err = hl.DocumentHeads(t.Context(), storage.HeadsQuery{Collection: "nothing", Limit: 10})
	if err != nil || len(page.Heads) != 0 || page.Next != "" {
		t.Errorf("heads of a missing collection = %+v, %v; want none", page, err)
	}
	if _, err := hl.DocumentHeads(t.Context(), storage.HeadsQuery{Collection: "notes", After: "\x00not a cursor", Limit: 3}); err != nil && !errors.Is(err, storage.ErrBadCursor) {
		t.Errorf("a cursor the store did not give = %v, want ErrBadCursor or a page", err)
	}
}
