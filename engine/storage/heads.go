package storage

import (
	"context"
	"errors"
)

// ErrBadCursor reports a page cursor that the store did not give.
var ErrBadCursor = errors.New("bad page cursor")

// DocumentHead is a document without its chunks: what a listing needs.
type DocumentHead struct {
	ID         string
	Collection string
	Kind       string
	Path       string // for KindFile
	Title      string // for KindNote
}

// HeadsQuery asks for one page of a collection's document heads.
type HeadsQuery struct {
	Collection string
	Kind       string // KindFile or KindNote; "" means any
	// After is the Next of the previous page; "" starts from the
	// beginning. Its form is the backend's own.
	After string
	Limit int // heads wanted at most, > 0
}

// HeadsPage is one page of document heads, in an order of the backend's
// that is stable from page to page.
type HeadsPage struct {
	Heads []DocumentHead
	Next  string // the After of the next page; "" on the last page
}

// HeadLister pages through a collection's document heads without reading
// their chunks, so that listing the notes costs no texts. Both backends
// implement it. A missing collection has no heads; an After the backend
// cannot read is an ErrBadCursor.
type HeadLister interface {
	DocumentHeads(ctx context.Context, q HeadsQuery) (HeadsPage, error)
}
