package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/rs/zerolog"
)

// ListNotesPage pages through the notes of every notes collection, with
// the real store and with one that is no storage.HeadLister (its whole
// documents are read instead): every note once, none of the workspace
// files, pages of the limit asked, and a cursor it did not give refused
// with ErrBadCursor.
func TestListNotesPage(t *testing.T) {
	cfg := workspaceConfig(t, map[string]string{"a.go": "package a\n\nfunc A() {}\n"})
	m := New(cfg, Options{Logger: zerolog.Nop()})
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(context.Background(), StopOptions{}) //nolint:errcheck // the test is over
	if err := m.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{}
	for i := range 11 {
		coll := []string{"notes", "research", "zeta"}[i%3]
		res, err := m.AddDocument(ctx, AddDocumentRequest{Content: fmt.Sprintf("note number %d", i), Title: fmt.Sprintf("Note %d", i), Collection: coll})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, res.ID)
	}
	slices.Sort(want)
	for _, limit := range []int{1, 4, 11, 0} {
		var got []string
		q := NotesQuery{Limit: limit}
		for pages := 0; ; pages++ {
			if pages > 12 {
				t.Fatalf("limit %d: more than 12 pages", limit)
			}
			page, err := m.ListNotesPage(ctx, q)
			if err != nil {
				t.Fatalf("limit %d, cursor %q: %v", limit, q.Cursor, err)
			}
			if limit > 0 && len(page.Notes) > limit {
				t.Errorf("limit %d: a page of %d", limit, len(page.Notes))
			}
			for _, n := range page.Notes {
				if n.Title == "" || n.Collection == cfg.Workspace.Collection {
					t.Errorf("note %+v", n)
				}
				got = append(got, n.ID)
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: notes %v, want %v", limit, got, want)
		}
	}
	for _, bad := range []string{"nonsense!", "e30", "bm90IGpzb24"} {
		if _, err := m.ListNotesPage(ctx, NotesQuery{Cursor: bad}); !errors.Is(err, ErrBadCursor) {
			t.Errorf("cursor %q: %v, want ErrBadCursor", bad, err)
		}
		if err := ParseNotesCursor(bad); !errors.Is(err, ErrBadCursor) {
			t.Errorf("ParseNotesCursor(%q) = %v, want ErrBadCursor", bad, err)
		}
	}
}
