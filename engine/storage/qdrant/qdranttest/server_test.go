package qdranttest

import (
	"math"
	"testing"

	pb "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestPrefetchRRF checks the double's fusion of two prefetches with RRF
// against Qdrant's formula: 1/((pos+1)/w + k - 1) per prefetch, pos from
// 0, so k = 61 scores 1/(60+rank) unweighted.
func TestPrefetchRRF(t *testing.T) {
	srv, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := pb.NewClient(&pb.Config{Host: "127.0.0.1", Port: srv.port(t), SkipCompatibilityCheck: true, PoolSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	err = c.CreateCollection(ctx, &pb.CreateCollection{
		CollectionName:      "c",
		VectorsConfig:       pb.NewVectorsConfigMap(map[string]*pb.VectorParams{"d": {Size: 2, Distance: pb.Distance_Cosine}}),
		SparseVectorsConfig: pb.NewSparseVectorsConfig(map[string]*pb.SparseVectorParams{"s": {Modifier: pb.Modifier_Idf.Enum()}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	pt := func(id uint64, d []float32, idx []uint32, w []float32) *pb.PointStruct {
		return &pb.PointStruct{Id: pb.NewIDNum(id), Vectors: pb.NewVectorsMap(map[string]*pb.Vector{
			"d": pb.NewVectorDense(d), "s": pb.NewVectorSparse(idx, w),
		})}
	}
	_, err = c.Upsert(ctx, &pb.UpsertPoints{CollectionName: "c", Wait: pb.PtrOf(true), Points: []*pb.PointStruct{
		pt(1, []float32{1, 0}, []uint32{7}, []float32{1}),   // dense 1st, sparse 2nd
		pt(2, []float32{0, 1}, []uint32{7}, []float32{3}),   // dense 3rd, sparse 1st
		pt(3, []float32{1, 0.5}, []uint32{9}, []float32{1}), // dense 2nd, no sparse match
	}})
	if err != nil {
		t.Fatal(err)
	}
	prefetch := []*pb.PrefetchQuery{
		{Query: pb.NewQueryDense([]float32{1, 0}), Using: pb.PtrOf("d"), Limit: pb.PtrOf(uint64(10))},
		{Query: pb.NewQuerySparse([]uint32{7}, []float32{1}), Using: pb.PtrOf("s"), Limit: pb.PtrOf(uint64(10))},
	}
	type want struct {
		id    uint64
		score float64
	}
	for _, tc := range []struct {
		name  string
		query *pb.Query
		want  []want
	}{
		// 1: ranks 1 and 2; 2: ranks 3 and 1; 3: rank 2.
		{"k=61", pb.NewQueryRRF(&pb.Rrf{K: pb.PtrOf(uint32(61))}),
			[]want{{1, 1.0/61 + 1.0/62}, {2, 1.0/63 + 1.0/61}, {3, 1.0 / 62}}},
		{"default k=2", pb.NewQueryFusion(pb.Fusion_RRF),
			[]want{{1, 1.0/2 + 1.0/3}, {2, 1.0/4 + 1.0/2}, {3, 1.0 / 3}}},
		// Weight 2 on dense: positions count half, 1/((p+1)/2 + 1).
		{"weights", pb.NewQueryRRF(&pb.Rrf{K: pb.PtrOf(uint32(2)), Weights: []float32{2, 1}}),
			[]want{{1, 1/1.5 + 1.0/3}, {2, 1/2.5 + 1.0/2}, {3, 1.0 / 2}}},
		// Weight 0 keeps the points of the prefetch but adds nothing.
		{"zero weight", pb.NewQueryRRF(&pb.Rrf{K: pb.PtrOf(uint32(2)), Weights: []float32{1, 0}}),
			[]want{{1, 1.0 / 2}, {3, 1.0 / 3}, {2, 1.0 / 4}}},
	} {
		res, err := c.Query(ctx, &pb.QueryPoints{CollectionName: "c", Prefetch: prefetch, Query: tc.query})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(res) != len(tc.want) {
			t.Fatalf("%s: %d results, want %d", tc.name, len(res), len(tc.want))
		}
		for i, r := range res {
			w := tc.want[i]
			if r.GetId().GetNum() != w.id || math.Abs(float64(r.GetScore())-w.score) > 1e-6 {
				t.Errorf("%s: result %d is point %d scoring %v, want %d scoring %v", tc.name, i, r.GetId().GetNum(), r.GetScore(), w.id, w.score)
			}
		}
	}
	if st := srv.QueryStats(); st.Requests != 4 || st.Fused != 4 || st.Prefetches != 8 || st.LastK != 2 {
		t.Errorf("QueryStats = %+v, want 4 requests, 4 fused queries, 8 prefetches, last k 2", st)
	}
	for _, bad := range []*pb.Rrf{{K: pb.PtrOf(uint32(0))}, {Weights: []float32{1}}, {Weights: []float32{1, 1, 1}}} {
		_, err := c.Query(ctx, &pb.QueryPoints{CollectionName: "c", Prefetch: prefetch, Query: pb.NewQueryRRF(bad)})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("RRF %v: %v, want InvalidArgument", bad, err)
		}
	}
}

func (s *Server) port(t *testing.T) int {
	addr := s.Addr()
	var port int
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			for _, ch := range addr[i+1:] {
				port = port*10 + int(ch-'0')
			}
			return port
		}
	}
	t.Fatalf("no port in %s", addr)
	return 0
}
