package qdrant

import (
	"context"
	"fmt"
	"slices"

	pb "github.com/qdrant/go-client/qdrant"

	"workspace-qdrant-mcp/engine/storage"
)

// upsertBatch is how many points one upsert request carries.
const upsertBatch = 128

// ReplaceDocument makes chunks the document's only chunks: it upserts them
// as a new generation, then moves the document's head to it and deletes
// the other generations. See the package comment for what a concurrent
// search or a crash can observe. Zero chunks keep the document with no
// chunks.
func (s *Store) ReplaceDocument(ctx context.Context, doc storage.Document, chunks []storage.Chunk) error {
	if err := s.replaceDocument(ctx, doc, chunks); err != nil {
		return fmt.Errorf("replace document %s: %w", doc.ID, err)
	}
	return nil
}

func (s *Store) replaceDocument(ctx context.Context, doc storage.Document, chunks []storage.Chunk) error {
	if err := storage.ValidateReplace(doc, chunks); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	dims, err := s.collectionDims(ctx, doc.Collection)
	if err != nil {
		return err
	}
	for _, c := range chunks {
		if len(c.Dense) != dims {
			return fmt.Errorf("chunk %s has %d dimensions, collection %s has %d: %w",
				c.ID, len(c.Dense), doc.Collection, dims, storage.ErrDimensionMismatch)
		}
	}
	lock := s.docLock(doc.ID)
	lock.Lock()
	defer lock.Unlock()

	gen := s.nextGen()
	points := make([]*pb.PointStruct, len(chunks))
	for i, c := range chunks {
		points[i] = s.chunkPoint(c, gen)
	}
	for batch := range slices.Chunk(points, upsertBatch) {
		if err := s.upsert(ctx, doc.Collection, batch); err != nil {
			return fmt.Errorf("write chunks (generation %d, not visible): %w", gen, err)
		}
	}

	s.commit.Lock()
	defer s.commit.Unlock()
	head := &pb.PointStruct{Id: headID(doc.ID), Payload: headPayload(doc, gen, len(chunks)), Vectors: pb.NewVectorsMap(map[string]*pb.Vector{})}
	if err := s.upsert(ctx, doc.Collection, []*pb.PointStruct{head}); err != nil {
		return fmt.Errorf("commit generation %d: %w", gen, err)
	}
	// Committed: the old generation is invisible from now on. A failure
	// to delete it leaves points that the next write deletes.
	stale := &pb.Filter{
		Must:    []*pb.Condition{pb.NewMatchKeyword(fRecord, recChunk), pb.NewMatchKeyword(fDocID, doc.ID)},
		MustNot: []*pb.Condition{pb.NewMatchInt(fGen, gen)},
	}
	if err := s.deleteWhere(ctx, doc.Collection, stale); err != nil {
		return fmt.Errorf("delete replaced chunks (the new ones are committed): %w", err)
	}
	return nil
}

// upsert writes points, waiting until Qdrant has applied them.
func (s *Store) upsert(ctx context.Context, name string, points []*pb.PointStruct) error {
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	_, err := s.points.Upsert(rctx, &pb.UpsertPoints{CollectionName: s.qname(name), Wait: pb.PtrOf(true), Points: points})
	if err != nil {
		if isNotFound(err) {
			s.forget(name)
		}
		return fmt.Errorf("upsert %d points into qdrant collection %s: %w", len(points), s.qname(name), collectionErr(s.qname(name), err))
	}
	return nil
}

// deleteWhere deletes the points passing filter, waiting until Qdrant has
// applied it.
func (s *Store) deleteWhere(ctx context.Context, name string, filter *pb.Filter) error {
	return s.deletePoints(ctx, name, pb.NewPointsSelectorFilter(filter))
}

func (s *Store) deletePoints(ctx context.Context, name string, sel *pb.PointsSelector) error {
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	_, err := s.points.Delete(rctx, &pb.DeletePoints{CollectionName: s.qname(name), Wait: pb.PtrOf(true), Points: sel})
	if err != nil {
		return fmt.Errorf("delete points of qdrant collection %s: %w", s.qname(name), collectionErr(s.qname(name), err))
	}
	return nil
}

// DeleteDocument removes a document's head, then every chunk point of it,
// returning how many chunks its current generation had; a missing
// document is storage.ErrNotFound. Removing the head first makes the
// document disappear at once; chunk points left by a crash in between are
// invisible.
func (s *Store) DeleteDocument(ctx context.Context, docID string) (int, error) {
	n, err := s.deleteDocument(ctx, docID)
	if err != nil {
		return 0, fmt.Errorf("delete document %s: %w", docID, err)
	}
	return n, nil
}

func (s *Store) deleteDocument(ctx context.Context, docID string) (int, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.life.RUnlock()
	lock := s.docLock(docID)
	lock.Lock()
	defer lock.Unlock()
	s.commit.Lock()
	defer s.commit.Unlock()
	name, head, err := s.findHead(ctx, docID)
	if err != nil {
		return 0, err
	}
	if err := s.deletePoints(ctx, name, pb.NewPointsSelector(headID(docID))); err != nil {
		return 0, err
	}
	if err := s.deleteWhere(ctx, name, recordFilter(recChunk, pb.NewMatchKeyword(fDocID, docID))); err != nil {
		return 0, fmt.Errorf("delete chunks (the document is gone already): %w", err)
	}
	return int(head.int(fChunks)), nil
}
