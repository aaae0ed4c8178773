package workspace

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// documentsStore is a store that is no storage.HeadLister: it has only
// whole documents to give.
type documentsStore struct {
	storage.Store
	docs []storage.Document
}

func (s *documentsStore) Documents(_ context.Context, collection string) ([]storage.Document, error) {
	var out []storage.Document
	for _, d := range s.docs {
		if d.Collection == collection {
			out = append(out, d)
		}
	}
	return out, nil
}

// A store that is no storage.HeadLister is paged from its documents, by
// id, of the kind asked.
func TestNoteHeadsWithoutHeadLister(t *testing.T) {
	st := &documentsStore{}
	var want []string
	for i := range 5 {
		id := fmt.Sprintf("note:%d", 4-i) // out of order
		st.docs = append(st.docs, storage.Document{ID: id, Collection: "notes", Kind: storage.KindNote, Title: "t"})
		want = append([]string{id}, want...)
	}
	st.docs = append(st.docs, storage.Document{ID: "file:/x", Collection: "notes", Kind: storage.KindFile})
	var got []string
	q := storage.HeadsQuery{Collection: "notes", Kind: storage.KindNote, Limit: 2}
	for range 5 {
		page, err := noteHeads(t.Context(), st, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Heads) > 2 {
			t.Errorf("a page of %d, want 2 at most", len(page.Heads))
		}
		for _, h := range page.Heads {
			got = append(got, h.ID)
		}
		if q.After = page.Next; q.After == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("notes %v, want %v", got, want)
	}
}
