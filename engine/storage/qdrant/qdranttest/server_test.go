package qdranttest

import (
	"testing"

	pb "github.com/qdrant/go-client/qdrant"
)

// TestPrefetchRRF checks the double's fusion of two prefetches with RRF,
// which the backend does not use (it fuses legs itself) but the protocol
// subset includes.
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
	res, err := c.Query(ctx, &pb.QueryPoints{
		CollectionName: "c",
		Prefetch: []*pb.PrefetchQuery{
			{Query: pb.NewQueryDense([]float32{1, 0}), Using: pb.PtrOf("d"), Limit: pb.PtrOf(uint64(10))},
			{Query: pb.NewQuerySparse([]uint32{7}, []float32{1}), Using: pb.PtrOf("s"), Limit: pb.PtrOf(uint64(10))},
		},
		Query: pb.NewQueryRRF(&pb.Rrf{K: pb.PtrOf(uint32(60))}),
	})
	if err != nil {
		t.Fatal(err)
	}
	// 1: 1/61+1/62; 2: 1/63+1/61; 3: 1/62.
	want := []uint64{1, 2, 3}
	if len(res) != len(want) {
		t.Fatalf("%d results, want %d", len(res), len(want))
	}
	for i, r := range res {
		if r.GetId().GetNum() != want[i] {
			t.Errorf("result %d is point %d, want %d", i, r.GetId().GetNum(), want[i])
		}
	}
	if got := float64(res[0].GetScore()); got < 1.0/61+1.0/62-1e-6 || got > 1.0/61+1.0/62+1e-6 {
		t.Errorf("fused score %v, want %v", got, 1.0/61+1.0/62)
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
