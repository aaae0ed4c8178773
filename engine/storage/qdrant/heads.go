package qdrant

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	pb "github.com/qdrant/go-client/qdrant"

	"workspace-qdrant-mcp/engine/storage"
)

var _ storage.HeadLister = (*Store)(nil)

// headFields are the payload fields a head of a listing needs.
var headFields = []string{fDocID, fCollection, fKind, fPath, fTitle}

// DocumentHeads returns a page of the collection's document heads: one
// scroll of head points (no chunk point, no text), in Qdrant's order of
// point ids. A page's Next is the id of the point that starts the next
// page.
func (s *Store) DocumentHeads(ctx context.Context, q storage.HeadsQuery) (storage.HeadsPage, error) {
	page, err := s.documentHeads(ctx, q)
	if err != nil {
		return storage.HeadsPage{}, fmt.Errorf("document heads of collection %s: %w", q.Collection, err)
	}
	return page, nil
}

func (s *Store) documentHeads(ctx context.Context, q storage.HeadsQuery) (storage.HeadsPage, error) {
	var offset *pb.PointId
	if q.After != "" {
		if _, err := uuid.Parse(q.After); err != nil {
			return storage.HeadsPage{}, fmt.Errorf("%w: %q is not a point id", storage.ErrBadCursor, q.After)
		}
		offset = pb.NewIDUUID(q.After)
	}
	if err := s.enter(); err != nil {
		return storage.HeadsPage{}, err
	}
	defer s.life.RUnlock()
	must := []*pb.Condition{pb.NewMatchKeyword(fCollection, q.Collection)}
	if q.Kind != "" {
		must = append(must, pb.NewMatchKeyword(fKind, q.Kind))
	}
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	resp, err := s.points.Scroll(rctx, &pb.ScrollPoints{
		CollectionName: s.qname(q.Collection), Filter: recordFilter(recDoc, must...), Offset: offset,
		Limit: pb.PtrOf(uint32(max(q.Limit, 1))), WithPayload: pb.NewWithPayloadInclude(headFields...),
	})
	if err := collectionErr(s.qname(q.Collection), err); errors.Is(err, storage.ErrNotFound) {
		return storage.HeadsPage{Heads: []storage.DocumentHead{}}, nil
	} else if err != nil {
		return storage.HeadsPage{}, fmt.Errorf("scroll qdrant collection %s: %w", s.qname(q.Collection), err)
	}
	page := storage.HeadsPage{Heads: make([]storage.DocumentHead, 0, len(resp.GetResult()))}
	for _, p := range resp.GetResult() {
		pl := payload(p.GetPayload())
		page.Heads = append(page.Heads, storage.DocumentHead{
			ID: pl.str(fDocID), Collection: pl.str(fCollection), Kind: pl.str(fKind), Path: pl.str(fPath), Title: pl.str(fTitle),
		})
	}
	if next := resp.GetNextPageOffset(); next != nil {
		page.Next = next.GetUuid()
	}
	return page, nil
}
