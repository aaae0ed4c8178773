package qdrant

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	pb "github.com/qdrant/go-client/qdrant"

	"workspace-qdrant-mcp/engine/storage"
)

// scrollPage is how many points one scroll request returns.
const scrollPage = 256

// findHead returns the collection and head payload of a document; a
// missing document is storage.ErrNotFound. Document ids are unique across
// collections, as in the embedded store.
func (s *Store) findHead(ctx context.Context, docID string) (string, payload, error) {
	names, err := s.names(ctx)
	if err != nil {
		return "", nil, err
	}
	for _, name := range names {
		heads, err := s.heads(ctx, name, []string{docID})
		if errors.Is(err, storage.ErrNotFound) {
			continue // dropped meanwhile
		}
		if err != nil {
			return "", nil, err
		}
		if h, ok := heads[docID]; ok {
			return name, h, nil
		}
	}
	return "", nil, storage.ErrNotFound
}

// heads returns the head payloads of the documents of a collection that
// exist, by document id.
func (s *Store) heads(ctx context.Context, name string, docIDs []string) (map[string]payload, error) {
	ids := make([]*pb.PointId, len(docIDs))
	for i, d := range docIDs {
		ids[i] = headID(d)
	}
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	resp, err := s.points.Get(rctx, &pb.GetPoints{CollectionName: s.qname(name), Ids: ids, WithPayload: pb.NewWithPayload(true)})
	if err != nil {
		return nil, fmt.Errorf("read document heads of qdrant collection %s: %w", s.qname(name), collectionErr(s.qname(name), err))
	}
	out := make(map[string]payload, len(resp.GetResult()))
	for _, p := range resp.GetResult() {
		pl := payload(p.GetPayload())
		if pl.str(fRecord) == recDoc {
			out[pl.str(fDocID)] = pl
		}
	}
	return out, nil
}

// scroll calls fn with every point of a collection passing filter.
func (s *Store) scroll(ctx context.Context, name string, filter *pb.Filter, withPayload *pb.WithPayloadSelector, withVectors *pb.WithVectorsSelector, fn func(*pb.RetrievedPoint)) error {
	var offset *pb.PointId
	for {
		rctx, cancel := s.rpc(ctx)
		resp, err := s.points.Scroll(rctx, &pb.ScrollPoints{
			CollectionName: s.qname(name), Filter: filter, Offset: offset, Limit: pb.PtrOf(uint32(scrollPage)),
			WithPayload: withPayload, WithVectors: withVectors,
		})
		cancel()
		if err != nil {
			return fmt.Errorf("scroll qdrant collection %s: %w", s.qname(name), collectionErr(s.qname(name), err))
		}
		for _, p := range resp.GetResult() {
			fn(p)
		}
		if resp.NextPageOffset == nil {
			return nil
		}
		offset = resp.GetNextPageOffset()
	}
}

// GetDocument returns a document with the chunks of its current
// generation, ordered by ordinal.
func (s *Store) GetDocument(ctx context.Context, docID string) (storage.Document, error) {
	doc, err := s.getDocument(ctx, docID)
	if err != nil {
		return storage.Document{}, fmt.Errorf("get document %s: %w", docID, err)
	}
	return doc, nil
}

func (s *Store) getDocument(ctx context.Context, docID string) (storage.Document, error) {
	if err := s.enter(); err != nil {
		return storage.Document{}, err
	}
	defer s.life.RUnlock()
	s.commit.RLock()
	defer s.commit.RUnlock()
	name, head, err := s.findHead(ctx, docID)
	if err != nil {
		return storage.Document{}, err
	}
	doc := head.document()
	filter := recordFilter(recChunk, pb.NewMatchKeyword(fDocID, docID), pb.NewMatchInt(fGen, head.int(fGen)))
	err = s.scroll(ctx, name, filter, pb.NewWithPayload(true), nil, func(p *pb.RetrievedPoint) {
		doc.Chunks = append(doc.Chunks, payload(p.GetPayload()).chunk())
	})
	if err != nil {
		return storage.Document{}, err
	}
	sortChunks(doc.Chunks)
	return doc, nil
}

// sortChunks orders a document's chunks by ordinal, then id.
func sortChunks(chunks []storage.Chunk) {
	slices.SortFunc(chunks, func(a, b storage.Chunk) int {
		return cmp.Or(cmp.Compare(a.Ordinal, b.Ordinal), strings.Compare(a.ID, b.ID))
	})
}

// Documents returns the documents of a collection ordered by id, each
// with the chunks of its current generation ordered by ordinal: two
// scrolls (heads, then chunks) under the commit lock, so no head moves
// between them in this process. A missing collection has none.
func (s *Store) Documents(ctx context.Context, collection string) ([]storage.Document, error) {
	docs, err := s.documents(ctx, collection)
	if err != nil {
		return nil, fmt.Errorf("documents of collection %s: %w", collection, err)
	}
	return docs, nil
}

func (s *Store) documents(ctx context.Context, name string) ([]storage.Document, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.life.RUnlock()
	s.commit.RLock()
	defer s.commit.RUnlock()
	inColl := pb.NewMatchKeyword(fCollection, name)
	var heads []payload
	err := s.scroll(ctx, name, recordFilter(recDoc, inColl), pb.NewWithPayload(true), nil, func(p *pb.RetrievedPoint) {
		heads = append(heads, payload(p.GetPayload()))
	})
	if errors.Is(err, storage.ErrNotFound) {
		return []storage.Document{}, nil
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(heads, func(a, b payload) int { return strings.Compare(a.str(fDocID), b.str(fDocID)) })
	docs := make([]storage.Document, len(heads))
	index := make(map[string]int, len(heads))
	for i, h := range heads {
		docs[i] = h.document()
		index[docs[i].ID] = i
	}
	err = s.scroll(ctx, name, recordFilter(recChunk, inColl), pb.NewWithPayload(true), nil, func(p *pb.RetrievedPoint) {
		pl := payload(p.GetPayload())
		// Only the generation the head names: others are a write in
		// flight or the leftovers of a failed one.
		if i, ok := index[pl.str(fDocID)]; ok && pl.int(fGen) == heads[i].int(fGen) {
			docs[i].Chunks = append(docs[i].Chunks, pl.chunk())
		}
	})
	if errors.Is(err, storage.ErrNotFound) {
		return []storage.Document{}, nil // dropped between the scrolls
	}
	if err != nil {
		return nil, err
	}
	for i := range docs {
		sortChunks(docs[i].Chunks)
	}
	return docs, nil
}

// hashBatch bounds the hashes of one scroll filter.
const hashBatch = 256

// VectorsByHash returns the stored dense vector of every hash some chunk
// point has, in any of this store's collections. Qdrant normalises
// vectors of cosine collections, so the vectors come back with unit
// length, which changes no cosine similarity.
func (s *Store) VectorsByHash(ctx context.Context, hashes []string) (map[string][]float32, error) {
	found, err := s.vectorsByHash(ctx, hashes)
	if err != nil {
		return nil, fmt.Errorf("vectors by hash: %w", err)
	}
	return found, nil
}

func (s *Store) vectorsByHash(ctx context.Context, hashes []string) (map[string][]float32, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.life.RUnlock()
	found := make(map[string][]float32)
	if len(hashes) == 0 {
		return found, nil
	}
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		for batch := range slices.Chunk(hashes, hashBatch) {
			var want []string
			for _, h := range batch {
				if _, ok := found[h]; !ok {
					want = append(want, h)
				}
			}
			if len(want) == 0 {
				continue
			}
			err := s.scroll(ctx, name, recordFilter(recChunk, pb.NewMatchKeywords(fHash, want...)),
				pb.NewWithPayloadInclude(fHash), pb.NewWithVectorsInclude(DenseVector), func(p *pb.RetrievedPoint) {
					h := payload(p.GetPayload()).str(fHash)
					if _, ok := found[h]; !ok {
						if v := denseOf(p.GetVectors()); len(v) > 0 {
							found[h] = v
						}
					}
				})
			if errors.Is(err, storage.ErrNotFound) {
				break // dropped meanwhile
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return found, nil
}
