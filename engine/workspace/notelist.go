package workspace

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"workspace-qdrant-mcp/engine/storage"
)

// NotesPageSize is how many notes a page of ListNotesPage holds when
// NotesQuery.Limit is 0.
const NotesPageSize = 50

// ErrBadCursor marks a notes cursor this server did not give.
var ErrBadCursor = errors.New("invalid cursor")

// badCursor is the error for a cursor this server did not give, saying
// what to pass instead.
func badCursor(cursor string) error {
	return fmt.Errorf("%w %q: pass the nextCursor of the previous page, or none for the first page", ErrBadCursor, cursor)
}

// NotesQuery asks for one page of the notes.
type NotesQuery struct {
	// Cursor is the Next of the previous page; "" asks for the first.
	Cursor string `json:"cursor,omitempty"`
	// Limit bounds the notes of the page; 0 means NotesPageSize.
	Limit int `json:"limit,omitempty"`
}

// NotesPage is one page of the notes.
type NotesPage struct {
	Notes []Note `json:"notes"`
	// Next is the cursor of the next page; "" on the last page.
	Next string `json:"next,omitempty"`
}

// notesCursor is what a notes cursor holds: where the next page starts.
type notesCursor struct {
	Collection string `json:"c"`           // the notes collection it starts in
	After      string `json:"a,omitempty"` // the store's cursor within it; "" from its start
}

// ParseNotesCursor checks that cursor is one ListNotesPage gives (or "");
// the error wraps ErrBadCursor.
func ParseNotesCursor(cursor string) error {
	_, err := decodeNotesCursor(cursor)
	return err
}

func decodeNotesCursor(cursor string) (notesCursor, error) {
	var c notesCursor
	if cursor == "" {
		return c, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil || c.Collection == "" {
		return notesCursor{}, badCursor(cursor)
	}
	return c, nil
}

func (c notesCursor) encode() string {
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// ListNotesPage returns one page of the notes of every notes collection
// (every collection but the workspace files'), by collection name, then
// in the store's order, reading only the documents' heads: no note's
// text is read. A cursor this server did not give is an error wrapping
// ErrBadCursor.
func (l *Local) ListNotesPage(ctx context.Context, q NotesQuery) (NotesPage, error) {
	return shared(ctx, l, func() (NotesPage, error) { return l.listNotesPage(ctx, q) })
}

// listNotesPage is ListNotesPage, the caller holding the notes lock shared.
func (l *Local) listNotesPage(ctx context.Context, q NotesQuery) (NotesPage, error) {
	cur, err := decodeNotesCursor(q.Cursor)
	if err != nil {
		return NotesPage{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = NotesPageSize
	}
	infos, err := l.Store.Collections(ctx)
	if err != nil {
		return NotesPage{}, fmt.Errorf("list notes: %w", err)
	}
	var names []string
	for _, c := range infos {
		if c.Name != l.Config.Workspace.Collection && c.Name >= cur.Collection {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	page := NotesPage{Notes: []Note{}}
	for i, name := range names {
		after := ""
		if name == cur.Collection {
			after = cur.After
		}
		heads, err := noteHeads(ctx, l.Store, storage.HeadsQuery{Collection: name, Kind: storage.KindNote, After: after, Limit: limit - len(page.Notes)})
		if errors.Is(err, storage.ErrBadCursor) {
			return NotesPage{}, badCursor(q.Cursor)
		}
		if err != nil {
			return NotesPage{}, fmt.Errorf("list the notes of %s: %w", name, err)
		}
		for _, h := range heads.Heads {
			page.Notes = append(page.Notes, Note{ID: h.ID, Collection: h.Collection, Title: h.Title})
		}
		switch {
		case heads.Next != "":
			page.Next = notesCursor{Collection: name, After: heads.Next}.encode()
			return page, nil
		case len(page.Notes) >= limit && i+1 < len(names):
			page.Next = notesCursor{Collection: names[i+1]}.encode()
			return page, nil
		}
	}
	return page, nil
}

// noteHeads pages through document heads: by the store's own paging
// when it is a storage.HeadLister, else from its whole documents, by id.
func noteHeads(ctx context.Context, st storage.Store, q storage.HeadsQuery) (storage.HeadsPage, error) {
	if hl, ok := st.(storage.HeadLister); ok {
		return hl.DocumentHeads(ctx, q)
	}
	docs, err := st.Documents(ctx, q.Collection)
	if err != nil {
		return storage.HeadsPage{}, err
	}
	slices.SortFunc(docs, func(a, b storage.Document) int { return cmp.Compare(a.ID, b.ID) })
	page := storage.HeadsPage{Heads: []storage.DocumentHead{}}
	for _, d := range docs {
		if d.ID <= q.After || (q.Kind != "" && d.Kind != q.Kind) {
			continue
		}
		if len(page.Heads) == q.Limit {
			page.Next = page.Heads[len(page.Heads)-1].ID
			break
		}
		page.Heads = append(page.Heads, storage.DocumentHead{ID: d.ID, Collection: d.Collection, Kind: d.Kind, Path: d.Path, Title: d.Title})
	}
	return page, nil
}
