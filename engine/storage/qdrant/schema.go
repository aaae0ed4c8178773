package qdrant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	pb "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"workspace-qdrant-mcp/engine/storage"
)

// Payload fields.
const (
	fRecord     = "record" // recDoc or recChunk
	fDocID      = "doc_id"
	fCollection = "collection"
	fKind       = "kind"
	fPath       = "path"
	fTitle      = "title"
	fLanguage   = "language"
	fOrdinal    = "ordinal"
	fStartLine  = "start_line"
	fEndLine    = "end_line"
	fText       = "text"
	fHash       = "hash"
	fMetadata   = "metadata"
	fChunkID    = "chunk_id"
	fGen        = "gen"
	fChunks     = "chunks" // on heads: how many chunks the generation has
)

// Values of the record field.
const (
	recDoc   = "doc"
	recChunk = "chunk"
)

// keywordIndexes are the payload fields with a keyword index; gen has an
// integer index.
var keywordIndexes = []string{fRecord, fDocID, fCollection, fKind, fPath, fLanguage, fHash}

// qname is the Qdrant name of a collection.
func (s *Store) qname(name string) string { return s.prefix + name }

// fixAdvice says how to get past a collection that does not fit.
const fixAdvice = "use another storage.qdrant.collection_prefix (a new, empty index), " +
	"or rebuild the index with engine_restart reindex: true (the workspace collection is dropped and re-created)"

// EnsureCollection creates the collection when missing, with its vectors
// and payload indexes. An existing collection must have a dense vector
// "dense" of dims dimensions with cosine distance and a sparse vector
// "keyword" with the IDF modifier; a size that differs is
// storage.ErrDimensionMismatch, any other difference an error saying what
// differs.
func (s *Store) EnsureCollection(ctx context.Context, name string, dims int) error {
	if err := s.ensureCollection(ctx, name, dims); err != nil {
		return fmt.Errorf("ensure collection %s: %w", name, err)
	}
	return nil
}

func (s *Store) ensureCollection(ctx context.Context, name string, dims int) error {
	if err := storage.ValidateCollection(name, dims); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	info, err := s.info(ctx, name)
	created := false
	if errors.Is(err, storage.ErrNotFound) {
		if created, err = s.create(ctx, name, dims); err != nil {
			return err
		}
		info, err = s.info(ctx, name)
	}
	if err != nil {
		return err
	}
	have, err := s.checkSchema(name, info, dims)
	if err != nil {
		return err
	}
	// Indexes are created after the collection, so a crash in between
	// leaves some missing: add them whenever they are.
	if err := s.ensureIndexes(ctx, name, info); err != nil {
		return err
	}
	s.mu.Lock()
	s.dims[name] = have
	if created {
		s.created[name] = true
	}
	s.mu.Unlock()
	return nil
}

// info returns a collection's description.
func (s *Store) info(ctx context.Context, name string) (*pb.CollectionInfo, error) {
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	resp, err := s.colls.Get(rctx, &pb.GetCollectionInfoRequest{CollectionName: s.qname(name)})
	if err != nil {
		return nil, fmt.Errorf("get qdrant collection %s: %w", s.qname(name), collectionErr(s.qname(name), err))
	}
	return resp.GetResult(), nil
}

// create creates a collection, reporting false when another client
// created it first.
func (s *Store) create(ctx context.Context, name string, dims int) (bool, error) {
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	_, err := s.colls.Create(rctx, &pb.CreateCollection{
		CollectionName: s.qname(name),
		VectorsConfig: pb.NewVectorsConfigMap(map[string]*pb.VectorParams{
			DenseVector: {Size: uint64(dims), Distance: pb.Distance_Cosine},
		}),
		SparseVectorsConfig: pb.NewSparseVectorsConfig(map[string]*pb.SparseVectorParams{
			SparseVector: {Modifier: pb.PtrOf(pb.Modifier_Idf)},
		}),
	})
	if st, ok := status.FromError(err); ok && st.Code() == codes.AlreadyExists {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create qdrant collection %s: %w", s.qname(name), classify(err))
	}
	s.log.Info().Str("collection", s.qname(name)).Int("dimensions", dims).Msg("created qdrant collection")
	return true, nil
}

// checkSchema checks an existing collection against what this store
// writes, returning its dense vector size.
func (s *Store) checkSchema(name string, info *pb.CollectionInfo, dims int) (int, error) {
	q := s.qname(name)
	params := info.GetConfig().GetParams()
	var dense *pb.VectorParams
	switch cfg := params.GetVectorsConfig().GetConfig().(type) {
	case *pb.VectorsConfig_ParamsMap:
		dense = cfg.ParamsMap.GetMap()[DenseVector]
	case *pb.VectorsConfig_Params:
		return 0, fmt.Errorf("qdrant collection %s has a single unnamed vector, not the named vectors %q and %q this server writes: %s",
			q, DenseVector, SparseVector, fixAdvice)
	}
	if dense == nil {
		return 0, fmt.Errorf("qdrant collection %s has no dense vector named %q: it was not created by this server; %s",
			q, DenseVector, fixAdvice)
	}
	if int(dense.GetSize()) != dims {
		return 0, fmt.Errorf("qdrant collection %s has %d-dimensional %q vectors, the embedder makes %d: %w; %s",
			q, dense.GetSize(), DenseVector, dims, storage.ErrDimensionMismatch, fixAdvice)
	}
	if dense.GetDistance() != pb.Distance_Cosine {
		return 0, fmt.Errorf("qdrant collection %s measures %q vectors by %s distance, not Cosine: %s",
			q, DenseVector, dense.GetDistance(), fixAdvice)
	}
	sparse, ok := params.GetSparseVectorsConfig().GetMap()[SparseVector]
	if !ok {
		return 0, fmt.Errorf("qdrant collection %s has no sparse vector named %q, which keyword search needs: %s",
			q, SparseVector, fixAdvice)
	}
	if sparse.GetModifier() != pb.Modifier_Idf {
		return 0, fmt.Errorf("qdrant collection %s has sparse vector %q without the IDF modifier, so keyword scores would ignore term rarity: %s",
			q, SparseVector, fixAdvice)
	}
	return dims, nil
}

// ensureIndexes creates the payload indexes a collection lacks.
func (s *Store) ensureIndexes(ctx context.Context, name string, info *pb.CollectionInfo) error {
	want := map[string]pb.FieldType{fGen: pb.FieldType_FieldTypeInteger}
	for _, f := range keywordIndexes {
		want[f] = pb.FieldType_FieldTypeKeyword
	}
	for _, f := range slices.Sorted(func(yield func(string) bool) {
		for f := range want {
			if !yield(f) {
				return
			}
		}
	}) {
		if _, ok := info.GetPayloadSchema()[f]; ok {
			continue
		}
		rctx, cancel := s.rpc(ctx)
		_, err := s.points.CreateFieldIndex(rctx, &pb.CreateFieldIndexCollection{
			CollectionName: s.qname(name), Wait: pb.PtrOf(true), FieldName: f, FieldType: pb.PtrOf(want[f]),
		})
		cancel()
		if err != nil {
			return fmt.Errorf("create payload index %s on qdrant collection %s: %w", f, s.qname(name), collectionErr(s.qname(name), err))
		}
	}
	return nil
}

// collectionDims returns the dense vector size of a collection, asking
// Qdrant when this store has not seen it; a missing collection is
// storage.ErrNotFound.
func (s *Store) collectionDims(ctx context.Context, name string) (int, error) {
	s.mu.Lock()
	d, ok := s.dims[name]
	s.mu.Unlock()
	if ok {
		return d, nil
	}
	info, err := s.info(ctx, name)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return 0, fmt.Errorf("%w (call EnsureCollection first)", err)
		}
		return 0, err
	}
	var dense *pb.VectorParams
	if m, ok := info.GetConfig().GetParams().GetVectorsConfig().GetConfig().(*pb.VectorsConfig_ParamsMap); ok {
		dense = m.ParamsMap.GetMap()[DenseVector]
	}
	if dense == nil {
		return 0, fmt.Errorf("qdrant collection %s has no dense vector named %q: %s", s.qname(name), DenseVector, fixAdvice)
	}
	d = int(dense.GetSize())
	if _, err := s.checkSchema(name, info, d); err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.dims[name] = d
	s.mu.Unlock()
	return d, nil
}

// forget drops what the store remembers of a collection, after Qdrant said
// it does not exist.
func (s *Store) forget(name string) {
	s.mu.Lock()
	delete(s.dims, name)
	s.mu.Unlock()
}

// names lists this store's collections (those with its prefix), without
// the prefix, sorted.
func (s *Store) names(ctx context.Context) ([]string, error) {
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	resp, err := s.colls.List(rctx, &pb.ListCollectionsRequest{})
	if err != nil {
		return nil, fmt.Errorf("list qdrant collections: %w", classify(err))
	}
	var names []string
	for _, c := range resp.GetCollections() {
		if name, ok := strings.CutPrefix(c.GetName(), s.prefix); ok && name != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// DropCollection deletes the Qdrant collection, returning how many
// documents it held. Qdrant deletes a collection in one operation.
func (s *Store) DropCollection(ctx context.Context, name string) (int, error) {
	n, err := s.dropCollection(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("drop collection %s: %w", name, err)
	}
	return n, nil
}

func (s *Store) dropCollection(ctx context.Context, name string) (int, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.life.RUnlock()
	s.commit.Lock()
	defer s.commit.Unlock()
	docs, err := s.count(ctx, name, recordFilter(recDoc))
	if errors.Is(err, storage.ErrNotFound) {
		s.forget(name)
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	if _, err := s.colls.Delete(rctx, &pb.DeleteCollection{CollectionName: s.qname(name)}); err != nil && !isNotFound(err) {
		return 0, fmt.Errorf("delete qdrant collection %s: %w", s.qname(name), classify(err))
	}
	s.mu.Lock()
	delete(s.dims, name)
	delete(s.created, name)
	s.mu.Unlock()
	return docs, nil
}

// count counts the points of a collection passing filter, exactly.
func (s *Store) count(ctx context.Context, name string, filter *pb.Filter) (int, error) {
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	resp, err := s.points.Count(rctx, &pb.CountPoints{CollectionName: s.qname(name), Filter: filter, Exact: pb.PtrOf(true)})
	if err != nil {
		return 0, fmt.Errorf("count points of qdrant collection %s: %w", s.qname(name), collectionErr(s.qname(name), err))
	}
	return int(resp.GetResult().GetCount()), nil
}

// recordFilter matches the points of one record type, with extra
// conditions.
func recordFilter(record string, must ...*pb.Condition) *pb.Filter {
	return &pb.Filter{Must: append([]*pb.Condition{pb.NewMatchKeyword(fRecord, record)}, must...)}
}

// Collections lists this store's collections with their document and
// chunk counts (exact counts; chunks include those of a write in flight).
func (s *Store) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	infos, err := s.collections(ctx)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	return infos, nil
}

func (s *Store) collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.life.RUnlock()
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	infos := []storage.CollectionInfo{}
	for _, name := range names {
		docs, err := s.count(ctx, name, recordFilter(recDoc))
		if errors.Is(err, storage.ErrNotFound) {
			continue // dropped meanwhile
		}
		if err != nil {
			return nil, err
		}
		chunks, err := s.count(ctx, name, recordFilter(recChunk))
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, err
		}
		infos = append(infos, storage.CollectionInfo{Name: name, Documents: docs, Chunks: chunks})
	}
	return infos, nil
}

// Stats counts documents, file documents and chunks over this store's
// collections.
func (s *Store) Stats(ctx context.Context) (storage.Stats, error) {
	st, err := s.stats(ctx)
	if err != nil {
		return storage.Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

func (s *Store) stats(ctx context.Context) (storage.Stats, error) {
	if err := s.enter(); err != nil {
		return storage.Stats{}, err
	}
	defer s.life.RUnlock()
	names, err := s.names(ctx)
	if err != nil {
		return storage.Stats{}, err
	}
	var st storage.Stats
	for _, name := range names {
		for _, c := range []struct {
			dst    *int
			filter *pb.Filter
		}{
			{&st.Documents, recordFilter(recDoc)},
			{&st.Files, recordFilter(recDoc, pb.NewMatchKeyword(fKind, storage.KindFile))},
			{&st.Chunks, recordFilter(recChunk)},
		} {
			n, err := s.count(ctx, name, c.filter)
			if errors.Is(err, storage.ErrNotFound) {
				break // dropped meanwhile
			}
			if err != nil {
				return storage.Stats{}, err
			}
			*c.dst += n
		}
	}
	return st, nil
}
