// Package qdranttest is a protocol test double for Qdrant: an in-process
// gRPC server, listening on 127.0.0.1, that registers the go-client's own
// generated server interfaces (Qdrant, Collections, Points) and implements
// the subset of the protocol that the storage/qdrant backend uses. It is
// NOT Qdrant: it keeps every point in memory, scans instead of indexing,
// and answers everything else with codes.Unimplemented.
//
// What it implements, with Qdrant's semantics as far as the backend can
// tell them apart:
//
//   - HealthCheck;
//   - collections: create (named dense vectors, named sparse vectors with
//     the IDF modifier), get (config, payload schema, point count), list,
//     exists, delete;
//   - points: create field index (recorded, not used), upsert, delete by
//     ids or by filter, get, scroll (ordered by id, paged), count, query and
//     query batch: nearest on a named dense vector (cosine; vectors are
//     normalised on upsert, as Qdrant does) or a named sparse vector (dot
//     product, times idf = ln(1 + (N-n+0.5)/(n+0.5)) per index when the
//     vector has the IDF modifier, N counting the points that have the
//     sparse vector and n those that have the index), and prefetches fused
//     with RRF as Qdrant computes it (lib/segment/src/common/
//     reciprocal_rank_fusion.rs): the point at 0-based position p of a
//     prefetch with weight w adds 1/((p+1)/w + k - 1) in float32, that is
//     1/(k+p) = 1/(k-1+rank) for w = 1, nothing for w ≤ 0; k comes from
//     the request (at least 1) or is 2; weights, when given, must be one
//     per prefetch; the filter of the query applies to its prefetches;
//   - filters: must, should, must_not, nested filters, has_id, is_empty,
//     and field matches on keyword, keywords, integer, integers and their
//     except forms, on top-level payload keys.
//
// Errors use Qdrant's gRPC codes: NotFound for a missing collection,
// AlreadyExists when creating one twice, InvalidArgument for a vector of
// the wrong size or an unknown vector name.
//
// QueryStats counts requests, fused queries, prefetches and points
// returned with whole payloads, so tests can check how a client asks.
//
// Faults: Stop closes the server and every connection (clients then get
// codes.Unavailable), Restart serves the same data again on the same
// port, and CrashDuringNextUpsert makes the next upsert of two or more
// points apply half of them and stop the server in the middle, as a
// crash of a real server between two segments would.
package qdranttest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	pb "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"
)

// Server is the protocol test double. Its methods are safe for concurrent
// use.
type Server struct {
	// life serialises Start, Stop and Restart.
	life   sync.Mutex
	addr   string
	server *grpc.Server
	done   chan struct{} // closed when the current Serve returns

	mu        sync.Mutex
	colls     map[string]*collection
	crashNext bool
	upserts   int // upsert requests received
	stats     QueryStats
}

// QueryStats counts the query and get requests the server answered, so
// tests can tell how a client asks.
type QueryStats struct {
	Requests   int // Query and QueryBatch requests
	Queries    int // queries in them: a QueryBatch counts each of its own
	Fused      int // queries fusing prefetches with RRF
	Prefetches int // prefetches of the fused queries
	// LastK is the k of the last fused query (defaultRRFK, 2, when it
	// named none), LastWeights its weights.
	LastK       uint32
	LastWeights []float32
	// WholePayloads counts points that queries returned with their whole
	// payload (rather than selected fields or none).
	WholePayloads int
	Gets          int // Get requests
}

// New returns a server holding no collection; Start starts it.
func New() *Server {
	return &Server{colls: map[string]*collection{}}
}

// Start listens on a free port of 127.0.0.1 and serves.
func Start() (*Server, error) {
	s := New()
	if err := s.serve("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}

// Addr is host:port of the server; it stays the same across restarts.
func (s *Server) Addr() string {
	s.life.Lock()
	defer s.life.Unlock()
	return s.addr
}

// QueryStats returns what the server counted since it was created.
func (s *Server) QueryStats() QueryStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.LastWeights = slices.Clone(st.LastWeights)
	return st
}

// Upserts returns how many upsert requests the server received.
func (s *Server) Upserts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.upserts
}

func (s *Server) serve(addr string) error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.server != nil {
		return errors.New("qdranttest: already serving")
	}
	var lis net.Listener
	var err error
	// The port of a server just stopped may take a moment to free.
	for i := 0; ; i++ {
		lis, err = net.Listen("tcp", addr)
		if err == nil || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("qdranttest: listen: %w", err)
	}
	s.addr = lis.Addr().String()
	srv := grpc.NewServer(grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
		MinTime: time.Second, PermitWithoutStream: true, // the go-client pings every 10s
	}))
	pb.RegisterQdrantServer(srv, qdrantService{s: s})
	pb.RegisterCollectionsServer(srv, collectionsService{s: s})
	pb.RegisterPointsServer(srv, pointsService{s: s})
	s.server = srv
	done := make(chan struct{})
	s.done = done
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	return nil
}

// Stop closes the listener and every connection, as a server going down
// would; the data is kept for Restart. Stopping a stopped server does
// nothing.
func (s *Server) Stop() {
	s.life.Lock()
	defer s.life.Unlock()
	if s.server == nil {
		return
	}
	s.server.Stop()
	<-s.done
	s.server = nil
}

// Restart serves the data again on the same address.
func (s *Server) Restart() error {
	return s.serve(s.Addr())
}

// Close stops the server for good.
func (s *Server) Close() { s.Stop() }

// CrashDuringNextUpsert arms a fault: the next upsert of at least two
// points applies the first half of them, then the server stops and the
// request fails with codes.Unavailable.
func (s *Server) CrashDuringNextUpsert() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crashNext = true
}

// collection is one collection's configuration and points.
type collection struct {
	dense   map[string]*pb.VectorParams
	sparse  map[string]pb.Modifier
	indexes map[string]pb.PayloadSchemaType
	points  map[string]*point // by id key
}

type point struct {
	id      *pb.PointId
	payload map[string]*pb.Value
	dense   map[string][]float32
	sparse  map[string]sparseVec
}

type sparseVec struct {
	indices []uint32
	values  []float32
}

func idKey(id *pb.PointId) string {
	switch v := id.GetPointIdOptions().(type) {
	case *pb.PointId_Num:
		return fmt.Sprintf("n%020d", v.Num)
	case *pb.PointId_Uuid:
		return "u" + strings.ToLower(v.Uuid)
	}
	return ""
}

// coll returns a collection; s.mu must be held.
func (s *Server) coll(name string) (*collection, error) {
	c, ok := s.colls[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Not found: Collection `%s` doesn't exist!", name)
	}
	return c, nil
}

// --- Qdrant service

type qdrantService struct {
	pb.UnimplementedQdrantServer
	s *Server
}

func (qdrantService) HealthCheck(context.Context, *pb.HealthCheckRequest) (*pb.HealthCheckReply, error) {
	return &pb.HealthCheckReply{Title: "qdranttest protocol test double (not Qdrant)", Version: "1.17.0"}, nil
}

// --- Collections service

type collectionsService struct {
	pb.UnimplementedCollectionsServer
	s *Server
}

func (c collectionsService) Create(_ context.Context, req *pb.CreateCollection) (*pb.CollectionOperationResponse, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	name := req.GetCollectionName()
	if name == "" {
		return nil, status.Error(codes.InvalidArgument, "Validation error: collection name must not be empty")
	}
	if _, ok := s.colls[name]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "Wrong input: Collection `%s` already exists!", name)
	}
	coll := &collection{
		dense: map[string]*pb.VectorParams{}, sparse: map[string]pb.Modifier{},
		indexes: map[string]pb.PayloadSchemaType{}, points: map[string]*point{},
	}
	switch cfg := req.GetVectorsConfig().GetConfig().(type) {
	case *pb.VectorsConfig_Params:
		coll.dense[""] = cfg.Params
	case *pb.VectorsConfig_ParamsMap:
		for k, v := range cfg.ParamsMap.GetMap() {
			coll.dense[k] = v
		}
	}
	for name, p := range coll.dense {
		if p.GetSize() == 0 {
			return nil, status.Errorf(codes.InvalidArgument, "Validation error: vector %q has size 0", name)
		}
	}
	for k, v := range req.GetSparseVectorsConfig().GetMap() {
		coll.sparse[k] = v.GetModifier()
	}
	s.colls[name] = coll
	return &pb.CollectionOperationResponse{Result: true}, nil
}

func (c collectionsService) Get(_ context.Context, req *pb.GetCollectionInfoRequest) (*pb.GetCollectionInfoResponse, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	params := &pb.CollectionParams{ShardNumber: 1}
	if p, ok := coll.dense[""]; ok && len(coll.dense) == 1 {
		params.VectorsConfig = pb.NewVectorsConfig(p)
	} else if len(coll.dense) > 0 {
		params.VectorsConfig = pb.NewVectorsConfigMap(coll.dense)
	}
	if len(coll.sparse) > 0 {
		m := map[string]*pb.SparseVectorParams{}
		for k, mod := range coll.sparse {
			m[k] = &pb.SparseVectorParams{Modifier: pb.PtrOf(mod)}
		}
		params.SparseVectorsConfig = pb.NewSparseVectorsConfig(m)
	}
	schema := map[string]*pb.PayloadSchemaInfo{}
	for k, t := range coll.indexes {
		schema[k] = &pb.PayloadSchemaInfo{DataType: t}
	}
	return &pb.GetCollectionInfoResponse{Result: &pb.CollectionInfo{
		Status:        pb.CollectionStatus_Green,
		Config:        &pb.CollectionConfig{Params: params},
		PayloadSchema: schema,
		PointsCount:   pb.PtrOf(uint64(len(coll.points))),
	}}, nil
}

func (c collectionsService) List(context.Context, *pb.ListCollectionsRequest) (*pb.ListCollectionsResponse, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.colls))
	for name := range s.colls {
		names = append(names, name)
	}
	slices.Sort(names)
	out := &pb.ListCollectionsResponse{}
	for _, name := range names {
		out.Collections = append(out.Collections, &pb.CollectionDescription{Name: name})
	}
	return out, nil
}

func (c collectionsService) CollectionExists(_ context.Context, req *pb.CollectionExistsRequest) (*pb.CollectionExistsResponse, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.colls[req.GetCollectionName()]
	return &pb.CollectionExistsResponse{Result: &pb.CollectionExists{Exists: ok}}, nil
}

func (c collectionsService) Delete(_ context.Context, req *pb.DeleteCollection) (*pb.CollectionOperationResponse, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.colls[req.GetCollectionName()]
	delete(s.colls, req.GetCollectionName())
	return &pb.CollectionOperationResponse{Result: ok}, nil
}

// --- Points service

type pointsService struct {
	pb.UnimplementedPointsServer
	s *Server
}

func completed() *pb.PointsOperationResponse {
	return &pb.PointsOperationResponse{Result: &pb.UpdateResult{Status: pb.UpdateStatus_Completed}}
}

func (p pointsService) CreateFieldIndex(_ context.Context, req *pb.CreateFieldIndexCollection) (*pb.PointsOperationResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	t := pb.PayloadSchemaType_Keyword
	switch req.GetFieldType() {
	case pb.FieldType_FieldTypeInteger:
		t = pb.PayloadSchemaType_Integer
	case pb.FieldType_FieldTypeBool:
		t = pb.PayloadSchemaType_Bool
	case pb.FieldType_FieldTypeFloat:
		t = pb.PayloadSchemaType_Float
	case pb.FieldType_FieldTypeText:
		t = pb.PayloadSchemaType_Text
	}
	coll.indexes[req.GetFieldName()] = t
	return completed(), nil
}

func (p pointsService) Upsert(_ context.Context, req *pb.UpsertPoints) (*pb.PointsOperationResponse, error) {
	s := p.s
	s.mu.Lock()
	s.upserts++
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	// Validate the whole batch before applying any of it, as Qdrant does.
	points := make([]*point, len(req.GetPoints()))
	for i, ps := range req.GetPoints() {
		if points[i], err = coll.newPoint(ps); err != nil {
			s.mu.Unlock()
			return nil, err
		}
	}
	apply := points
	crash := s.crashNext && len(points) >= 2
	if crash {
		s.crashNext = false
		apply = points[:len(points)/2]
	}
	for _, pt := range apply {
		coll.points[idKey(pt.id)] = pt
	}
	s.mu.Unlock()
	if crash {
		// Stopped before answering: the client sees the connection drop,
		// and a caller that saw the error finds the server down.
		s.Stop()
		return nil, status.Error(codes.Unavailable, "qdranttest: server stopped in the middle of an upsert")
	}
	return completed(), nil
}

// newPoint validates a point against the collection's vectors.
func (c *collection) newPoint(ps *pb.PointStruct) (*point, error) {
	if idKey(ps.GetId()) == "" {
		return nil, status.Error(codes.InvalidArgument, "Validation error: point id missing")
	}
	pt := &point{id: ps.GetId(), payload: ps.GetPayload(), dense: map[string][]float32{}, sparse: map[string]sparseVec{}}
	if pt.payload == nil {
		pt.payload = map[string]*pb.Value{}
	}
	vectors := map[string]*pb.Vector{}
	switch v := ps.GetVectors().GetVectorsOptions().(type) {
	case *pb.Vectors_Vector:
		vectors[""] = v.Vector
	case *pb.Vectors_Vectors:
		vectors = v.Vectors.GetVectors()
	}
	for name, v := range vectors {
		if sp := v.GetSparse(); sp != nil || v.GetIndices() != nil {
			if _, ok := c.sparse[name]; !ok {
				return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
			}
			sv := sparseVec{indices: sp.GetIndices(), values: sp.GetValues()}
			if sp == nil {
				sv = sparseVec{indices: v.GetIndices().GetData(), values: v.GetData()}
			}
			if len(sv.indices) != len(sv.values) {
				return nil, status.Error(codes.InvalidArgument, "Validation error: sparse indices and values differ in length")
			}
			pt.sparse[name] = sv
			continue
		}
		params, ok := c.dense[name]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
		}
		data := v.GetDense().GetData()
		if data == nil {
			data = v.GetData()
		}
		if uint64(len(data)) != params.GetSize() {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Vector dimension error: expected dim: %d, got %d", params.GetSize(), len(data))
		}
		data = slices.Clone(data)
		if params.GetDistance() == pb.Distance_Cosine {
			normalize(data)
		}
		pt.dense[name] = data
	}
	return pt, nil
}

func normalize(v []float32) {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return
	}
	n = math.Sqrt(n)
	for i := range v {
		v[i] = float32(float64(v[i]) / n)
	}
}

func (p pointsService) Delete(_ context.Context, req *pb.DeletePoints) (*pb.PointsOperationResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	switch sel := req.GetPoints().GetPointsSelectorOneOf().(type) {
	case *pb.PointsSelector_Points:
		for _, id := range sel.Points.GetIds() {
			delete(coll.points, idKey(id))
		}
	case *pb.PointsSelector_Filter:
		for k, pt := range coll.points {
			if matches(sel.Filter, pt) {
				delete(coll.points, k)
			}
		}
	default:
		return nil, status.Error(codes.InvalidArgument, "Validation error: no points selector")
	}
	return completed(), nil
}

func (p pointsService) Get(_ context.Context, req *pb.GetPoints) (*pb.GetResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Gets++
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	out := &pb.GetResponse{}
	for _, id := range req.GetIds() {
		if pt, ok := coll.points[idKey(id)]; ok {
			out.Result = append(out.Result, pt.retrieved(req.GetWithPayload(), req.GetWithVectors()))
		}
	}
	return out, nil
}

func (p pointsService) Scroll(_ context.Context, req *pb.ScrollPoints) (*pb.ScrollResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(coll.points))
	for k, pt := range coll.points {
		if matches(req.GetFilter(), pt) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if req.Offset != nil {
		from := idKey(req.GetOffset())
		keys = keys[sort.SearchStrings(keys, from):]
	}
	limit := int(cmp.Or(req.GetLimit(), 10))
	out := &pb.ScrollResponse{}
	for i, k := range keys {
		if i == limit {
			out.NextPageOffset = coll.points[k].id
			break
		}
		out.Result = append(out.Result, coll.points[k].retrieved(req.GetWithPayload(), req.GetWithVectors()))
	}
	return out, nil
}

func (p pointsService) Count(_ context.Context, req *pb.CountPoints) (*pb.CountResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	var n uint64
	for _, pt := range coll.points {
		if matches(req.GetFilter(), pt) {
			n++
		}
	}
	return &pb.CountResponse{Result: &pb.CountResult{Count: n}}, nil
}

func (p pointsService) Query(_ context.Context, req *pb.QueryPoints) (*pb.QueryResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	res, err := s.query(coll, req)
	if err != nil {
		return nil, err
	}
	return &pb.QueryResponse{Result: res}, nil
}

func (p pointsService) QueryBatch(_ context.Context, req *pb.QueryBatchPoints) (*pb.QueryBatchResponse, error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	coll, err := s.coll(req.GetCollectionName())
	if err != nil {
		return nil, err
	}
	out := &pb.QueryBatchResponse{}
	for _, q := range req.GetQueryPoints() {
		res, err := s.query(coll, q)
		if err != nil {
			return nil, err
		}
		out.Result = append(out.Result, &pb.BatchResult{Result: res})
	}
	return out, nil
}

// scoredID is a point with a score, before the response is built.
type scoredID struct {
	key   string
	score float32
}

// query runs one query of a request on coll and counts it; s.mu must be
// held.
func (s *Server) query(coll *collection, req *pb.QueryPoints) ([]*pb.ScoredPoint, error) {
	s.stats.Queries++
	switch v := req.GetQuery().GetVariant().(type) {
	case *pb.Query_Rrf:
		s.stats.Fused++
		s.stats.Prefetches += len(req.GetPrefetch())
		s.stats.LastK, s.stats.LastWeights = cmp.Or(v.Rrf.GetK(), defaultRRFK), v.Rrf.GetWeights()
	case *pb.Query_Fusion:
		s.stats.Fused++
		s.stats.Prefetches += len(req.GetPrefetch())
		s.stats.LastK, s.stats.LastWeights = defaultRRFK, nil
	}
	res, err := coll.query(req)
	if err == nil && req.GetWithPayload().GetEnable() {
		s.stats.WholePayloads += len(res)
	}
	return res, err
}

// query runs a QueryPoints request; s.mu must be held.
func (c *collection) query(req *pb.QueryPoints) ([]*pb.ScoredPoint, error) {
	ranked, err := c.rank(req.GetPrefetch(), req.GetQuery(), req.GetUsing(), req.GetFilter(),
		int(req.GetLimit()), int(req.GetOffset()))
	if err != nil {
		return nil, err
	}
	out := make([]*pb.ScoredPoint, len(ranked))
	for i, r := range ranked {
		pt := c.points[r.key]
		rp := pt.retrieved(req.GetWithPayload(), req.GetWithVectors())
		out[i] = &pb.ScoredPoint{Id: rp.Id, Payload: rp.Payload, Vectors: rp.Vectors, Score: r.score}
	}
	return out, nil
}

// rank scores the points of a query or prefetch; the filter applies to the
// prefetches too.
func (c *collection) rank(prefetch []*pb.PrefetchQuery, q *pb.Query, using string, filter *pb.Filter, limit, offset int) ([]scoredID, error) {
	if limit == 0 {
		limit = 10
	}
	var ranked []scoredID
	switch v := q.GetVariant().(type) {
	case *pb.Query_Nearest:
		var err error
		if ranked, err = c.nearest(v.Nearest, using, filter, prefetch); err != nil {
			return nil, err
		}
	case *pb.Query_Fusion, *pb.Query_Rrf:
		if f, ok := v.(*pb.Query_Fusion); ok && f.Fusion != pb.Fusion_RRF {
			return nil, status.Error(codes.Unimplemented, "qdranttest: only RRF fusion is implemented")
		}
		k, weights := uint32(defaultRRFK), []float32(nil)
		if v, ok := v.(*pb.Query_Rrf); ok {
			if v.Rrf.K != nil {
				k = v.Rrf.GetK()
			}
			weights = v.Rrf.GetWeights()
		}
		if k < 1 {
			return nil, status.Error(codes.InvalidArgument, "Validation error: rrf.k: value 0 invalid, must be 1 or larger")
		}
		if len(prefetch) == 0 {
			return nil, status.Error(codes.InvalidArgument, "Wrong input: fusion needs prefetches")
		}
		if weights != nil && len(weights) != len(prefetch) {
			return nil, status.Errorf(codes.InvalidArgument,
				"Validation error: Number of weights in RRF should match number of pre-fetches: got %d, expected %d", len(weights), len(prefetch))
		}
		scores := map[string]float32{}
		var order []string // first seen first, as Qdrant inserts them
		for i, pf := range prefetch {
			sub, err := c.rank(pf.GetPrefetch(), pf.GetQuery(), pf.GetUsing(), and(filter, pf.GetFilter()), int(pf.GetLimit()), 0)
			if err != nil {
				return nil, err
			}
			w := float32(1)
			if weights != nil {
				w = weights[i]
			}
			for pos, sc := range sub {
				if _, ok := scores[sc.key]; !ok {
					order = append(order, sc.key)
				}
				scores[sc.key] += rrfPositionScore(pos, k, w)
			}
		}
		for _, key := range order {
			ranked = append(ranked, scoredID{key: key, score: scores[key]})
		}
	default:
		return nil, status.Error(codes.Unimplemented, "qdranttest: only nearest and RRF queries are implemented")
	}
	slices.SortFunc(ranked, func(a, b scoredID) int {
		return cmp.Or(cmp.Compare(b.score, a.score), strings.Compare(a.key, b.key))
	})
	if offset >= len(ranked) {
		return nil, nil
	}
	ranked = ranked[offset:]
	return ranked[:min(limit, len(ranked))], nil
}

// defaultRRFK is Qdrant's k when a request names none.
const defaultRRFK = 2

// rrfPositionScore is what the point at 0-based position pos of a
// prefetch with weight w adds to its RRF score, as Qdrant computes it (in
// float32): 1/((pos+1)/w + k - 1), which is 1/(k+pos) for w = 1; a weight
// of 0 or less adds nothing (the point still takes part).
func rrfPositionScore(pos int, k uint32, w float32) float32 {
	if w <= 0 {
		return 0
	}
	return 1 / (float32(pos+1)/w + float32(k) - 1)
}

// nearest scores the points passing filter (and, with prefetches, found by
// one of them) against a dense or sparse vector.
func (c *collection) nearest(in *pb.VectorInput, using string, filter *pb.Filter, prefetch []*pb.PrefetchQuery) ([]scoredID, error) {
	var within map[string]bool
	if len(prefetch) > 0 {
		within = map[string]bool{}
		for _, pf := range prefetch {
			sub, err := c.rank(pf.GetPrefetch(), pf.GetQuery(), pf.GetUsing(), and(filter, pf.GetFilter()), int(pf.GetLimit()), 0)
			if err != nil {
				return nil, err
			}
			for _, sc := range sub {
				within[sc.key] = true
			}
		}
	}
	candidates := func(yield func(string, *point)) {
		for k, pt := range c.points {
			if (within == nil || within[k]) && matches(filter, pt) {
				yield(k, pt)
			}
		}
	}
	var out []scoredID
	switch v := in.GetVariant().(type) {
	case *pb.VectorInput_Dense:
		params, ok := c.dense[using]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", using)
		}
		query := slices.Clone(v.Dense.GetData())
		if uint64(len(query)) != params.GetSize() {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Vector dimension error: expected dim: %d, got %d", params.GetSize(), len(query))
		}
		normalize(query)
		candidates(func(k string, pt *point) {
			vec, ok := pt.dense[using]
			if !ok {
				return
			}
			var dot float64
			for i := range vec {
				dot += float64(vec[i]) * float64(query[i])
			}
			out = append(out, scoredID{key: k, score: float32(dot)})
		})
	case *pb.VectorInput_Sparse:
		mod, ok := c.sparse[using]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", using)
		}
		idf := c.idf(using, v.Sparse.GetIndices(), mod)
		candidates(func(k string, pt *point) {
			sv, ok := pt.sparse[using]
			if !ok {
				return
			}
			var score float64
			found := false
			for qi, idx := range v.Sparse.GetIndices() {
				for di, d := range sv.indices {
					if d == idx {
						score += float64(v.Sparse.GetValues()[qi]) * float64(sv.values[di]) * idf[idx]
						found = true
					}
				}
			}
			if found {
				out = append(out, scoredID{key: k, score: float32(score)})
			}
		})
	default:
		return nil, status.Error(codes.Unimplemented, "qdranttest: only dense and sparse nearest queries are implemented")
	}
	return out, nil
}

// idf returns the weight of each index: 1 without the IDF modifier.
func (c *collection) idf(using string, indices []uint32, mod pb.Modifier) map[uint32]float64 {
	w := make(map[uint32]float64, len(indices))
	for _, i := range indices {
		w[i] = 1
	}
	if mod != pb.Modifier_Idf {
		return w
	}
	var total float64
	df := make(map[uint32]float64, len(indices))
	for _, pt := range c.points {
		sv, ok := pt.sparse[using]
		if !ok {
			continue
		}
		total++
		for _, d := range sv.indices {
			if _, want := w[d]; want {
				df[d]++
			}
		}
	}
	for i := range w {
		n := df[i]
		w[i] = math.Log(1 + (total-n+0.5)/(n+0.5))
	}
	return w
}

// and combines two filters, either of which may be nil.
func and(a, b *pb.Filter) *pb.Filter {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return &pb.Filter{Must: []*pb.Condition{pb.NewFilterAsCondition(a), pb.NewFilterAsCondition(b)}}
}

// retrieved builds a response point with what the selectors ask for.
func (pt *point) retrieved(wp *pb.WithPayloadSelector, wv *pb.WithVectorsSelector) *pb.RetrievedPoint {
	rp := &pb.RetrievedPoint{Id: pt.id}
	switch sel := wp.GetSelectorOptions().(type) {
	case *pb.WithPayloadSelector_Enable:
		if sel.Enable {
			rp.Payload = pt.payload
		}
	case *pb.WithPayloadSelector_Include:
		rp.Payload = map[string]*pb.Value{}
		for _, f := range sel.Include.GetFields() {
			if v, ok := pt.payload[f]; ok {
				rp.Payload[f] = v
			}
		}
	case *pb.WithPayloadSelector_Exclude:
		rp.Payload = map[string]*pb.Value{}
		for k, v := range pt.payload {
			if !slices.Contains(sel.Exclude.GetFields(), k) {
				rp.Payload[k] = v
			}
		}
	}
	var names []string
	switch sel := wv.GetSelectorOptions().(type) {
	case *pb.WithVectorsSelector_Enable:
		if sel.Enable {
			for k := range pt.dense {
				names = append(names, k)
			}
			for k := range pt.sparse {
				names = append(names, k)
			}
		}
	case *pb.WithVectorsSelector_Include:
		names = sel.Include.GetNames()
	}
	if len(names) > 0 {
		out := map[string]*pb.VectorOutput{}
		for _, n := range names {
			if d, ok := pt.dense[n]; ok {
				out[n] = &pb.VectorOutput{Vector: &pb.VectorOutput_Dense{Dense: &pb.DenseVector{Data: d}}}
			}
			if sv, ok := pt.sparse[n]; ok {
				out[n] = &pb.VectorOutput{Vector: &pb.VectorOutput_Sparse{Sparse: &pb.SparseVector{Indices: sv.indices, Values: sv.values}}}
			}
		}
		rp.Vectors = &pb.VectorsOutput{VectorsOptions: &pb.VectorsOutput_Vectors{Vectors: &pb.NamedVectorsOutput{Vectors: out}}}
	}
	return rp
}

// matches evaluates a filter on a point; a nil filter matches everything.
func matches(f *pb.Filter, pt *point) bool {
	if f == nil {
		return true
	}
	for _, c := range f.GetMust() {
		if !condition(c, pt) {
			return false
		}
	}
	for _, c := range f.GetMustNot() {
		if condition(c, pt) {
			return false
		}
	}
	if len(f.GetShould()) > 0 {
		for _, c := range f.GetShould() {
			if condition(c, pt) {
				return true
			}
		}
		return false
	}
	return true
}

func condition(c *pb.Condition, pt *point) bool {
	switch v := c.GetConditionOneOf().(type) {
	case *pb.Condition_Filter:
		return matches(v.Filter, pt)
	case *pb.Condition_HasId:
		key := idKey(pt.id)
		return slices.ContainsFunc(v.HasId.GetHasId(), func(id *pb.PointId) bool { return idKey(id) == key })
	case *pb.Condition_IsEmpty:
		val, ok := pt.payload[v.IsEmpty.GetKey()]
		return !ok || isNull(val) || (val.GetListValue() != nil && len(val.GetListValue().GetValues()) == 0)
	case *pb.Condition_Field:
		return field(v.Field, pt)
	}
	return false
}

func isNull(v *pb.Value) bool {
	_, ok := v.GetKind().(*pb.Value_NullValue)
	return ok
}

func field(f *pb.FieldCondition, pt *point) bool {
	val, ok := pt.payload[f.GetKey()]
	if f.GetMatch() == nil {
		return false // ranges, geo and the like are not implemented
	}
	switch m := f.GetMatch().GetMatchValue().(type) {
	case *pb.Match_Keyword:
		return ok && isString(val) && val.GetStringValue() == m.Keyword
	case *pb.Match_Keywords:
		return ok && isString(val) && slices.Contains(m.Keywords.GetStrings(), val.GetStringValue())
	case *pb.Match_ExceptKeywords:
		return !ok || !isString(val) || !slices.Contains(m.ExceptKeywords.GetStrings(), val.GetStringValue())
	case *pb.Match_Integer:
		return ok && isInt(val) && val.GetIntegerValue() == m.Integer
	case *pb.Match_Integers:
		return ok && isInt(val) && slices.Contains(m.Integers.GetIntegers(), val.GetIntegerValue())
	case *pb.Match_ExceptIntegers:
		return !ok || !isInt(val) || !slices.Contains(m.ExceptIntegers.GetIntegers(), val.GetIntegerValue())
	case *pb.Match_Boolean:
		b, isBool := val.GetKind().(*pb.Value_BoolValue)
		return ok && isBool && b.BoolValue == m.Boolean
	}
	return false
}

func isString(v *pb.Value) bool {
	_, ok := v.GetKind().(*pb.Value_StringValue)
	return ok
}

func isInt(v *pb.Value) bool {
	_, ok := v.GetKind().(*pb.Value_IntegerValue)
	return ok
}
