package qdrant_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	pb "github.com/qdrant/go-client/qdrant"

	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/qdrant"
	"workspace-qdrant-mcp/engine/storage/qdrant/qdranttest"
)

const dims = 4

// double starts the protocol test double for the test.
func double(t *testing.T) *qdranttest.Server {
	t.Helper()
	srv, err := qdranttest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// open opens a store on addr with prefix, closing it when the test ends.
func open(t *testing.T, addr, prefix string) *qdrant.Store {
	t.Helper()
	st, err := qdrant.Open(t.Context(), qdrant.Options{URL: addr, CollectionPrefix: prefix, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func unit(i int) []float32 {
	v := make([]float32, dims)
	v[i%dims] = 1
	return v
}

// version returns version v of a document with n chunks whose text names
// the version.
func version(v, n int) (storage.Document, []storage.Chunk) {
	doc := storage.Document{ID: "file:/ws/a.go", Collection: "code", Kind: storage.KindFile, Path: "/ws/a.go"}
	chunks := make([]storage.Chunk, n)
	for i := range chunks {
		text := fmt.Sprintf("version%d part %d", v, i)
		chunks[i] = storage.Chunk{
			ID: fmt.Sprintf("%s#%d-v%d", doc.ID, i, v), DocID: doc.ID, Collection: "code", Kind: storage.KindFile,
			Path: doc.Path, Language: "go", Ordinal: i, StartLine: i + 1, EndLine: i + 1,
			Text: text, Hash: storage.VectorHash("m", text), Dense: unit(i),
		}
	}
	return doc, chunks
}

// checkVersion fails unless the document and every search show version v
// with n chunks and nothing else.
func checkVersion(t *testing.T, st storage.Store, v, n int) {
	t.Helper()
	doc, err := st.GetDocument(t.Context(), "file:/ws/a.go")
	if err != nil {
		t.Fatalf("GetDocument: %v", err)
	}
	if len(doc.Chunks) != n {
		t.Fatalf("document has %d chunks, want %d", len(doc.Chunks), n)
	}
	for _, c := range doc.Chunks {
		if !strings.HasPrefix(c.Text, fmt.Sprintf("version%d ", v)) {
			t.Errorf("chunk %q is not of version %d", c.Text, v)
		}
	}
	for _, mode := range []string{storage.ModeKeyword, storage.ModeSemantic, storage.ModeHybrid} {
		hits, err := st.Search(t.Context(), storage.Query{Text: "version1 version2 part", Dense: unit(0), Mode: mode, Limit: 50})
		if err != nil {
			t.Fatalf("%s search: %v", mode, err)
		}
		if len(hits) != n {
			t.Errorf("%s search found %d chunks, want %d", mode, len(hits), n)
		}
		for _, h := range hits {
			if !strings.HasPrefix(h.Chunk.Text, fmt.Sprintf("version%d ", v)) {
				t.Errorf("%s search found %q, not of version %d", mode, h.Chunk.Text, v)
			}
		}
	}
}

// waitUp pings until the store answers again.
func waitUp(t *testing.T, st storage.Store) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := st.Ping(t.Context())
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not come back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCrashDuringBatchUpsert stops the server in the middle of the upsert
// of a new version: the error is transient, the old version stays whole
// and alone, and the retried write, once the server is back on the same
// port, replaces it completely.
func TestCrashDuringBatchUpsert(t *testing.T) {
	srv := double(t)
	addr := srv.Addr()
	st := open(t, addr, "t_")
	if err := st.EnsureCollection(t.Context(), "code", dims); err != nil {
		t.Fatal(err)
	}
	doc, v1 := version(1, 3)
	if err := st.ReplaceDocument(t.Context(), doc, v1); err != nil {
		t.Fatal(err)
	}

	srv.CrashDuringNextUpsert()
	doc, v2 := version(2, 4)
	err := st.ReplaceDocument(t.Context(), doc, v2)
	if err == nil {
		t.Fatal("ReplaceDocument succeeded on a server that stopped mid-upsert")
	}
	if !qdrant.IsTransient(err) {
		t.Errorf("error %v is not transient", err)
	}
	if err := st.Ping(t.Context()); !qdrant.IsTransient(err) {
		t.Errorf("Ping of a stopped server = %v, want a transient error", err)
	}
	if err := st.ReplaceDocument(t.Context(), doc, v2); !qdrant.IsTransient(err) {
		t.Errorf("ReplaceDocument while stopped = %v, want a transient error", err)
	}

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if srv.Addr() != addr {
		t.Fatalf("restarted on %s, not %s", srv.Addr(), addr)
	}
	waitUp(t, st)
	// Half of version 2 reached the server, under a generation no head
	// names: invisible.
	checkVersion(t, st, 1, 3)

	if err := st.ReplaceDocument(t.Context(), doc, v2); err != nil {
		t.Fatalf("retried ReplaceDocument: %v", err)
	}
	checkVersion(t, st, 2, 4)
	stats, err := st.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := (storage.Stats{Documents: 1, Files: 1, Chunks: 4}); stats != want {
		t.Errorf("Stats = %+v, want %+v: the half-written points were not cleaned up", stats, want)
	}
}

// TestUnreachable: Open does not block, and Ping fails within the timeout
// with a transient error naming the address.
func TestUnreachable(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	begin := time.Now()
	st, err := qdrant.Open(t.Context(), qdrant.Options{URL: addr, Timeout: 500 * time.Millisecond, APIKey: "secret-key"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Ping(t.Context())
	if err == nil {
		t.Fatal("Ping of nothing succeeded")
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("Ping took %s", took)
	}
	if !qdrant.IsTransient(err) || !strings.Contains(err.Error(), addr) {
		t.Errorf("Ping = %v, want a transient error naming %s", err, addr)
	}
	if strings.Contains(err.Error(), "secret-key") {
		t.Errorf("the error shows the API key: %v", err)
	}
}

// TestCollectionMismatch: an existing collection of another size, or not
// made by this server, is a clear error; nothing is written to it.
func TestCollectionMismatch(t *testing.T) {
	srv := double(t)
	a := open(t, srv.Addr(), "p_")
	if err := a.EnsureCollection(t.Context(), "code", dims); err != nil {
		t.Fatal(err)
	}
	if !a.Created("code") {
		t.Error("Created(code) = false after creating it")
	}
	b := open(t, srv.Addr(), "p_")
	err := b.EnsureCollection(t.Context(), "code", 2*dims)
	if !errors.Is(err, storage.ErrDimensionMismatch) {
		t.Fatalf("EnsureCollection with another size: %v, want ErrDimensionMismatch", err)
	}
	for _, want := range []string{"p_code", fmt.Sprint(dims), fmt.Sprint(2 * dims), "collection_prefix", "reindex"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if err := b.EnsureCollection(t.Context(), "code", dims); err != nil || b.Created("code") {
		t.Errorf("EnsureCollection of an existing collection = %v, created %v", err, b.Created("code"))
	}

	// A collection someone else made with one unnamed vector.
	raw, err := pb.NewClient(&pb.Config{Host: "127.0.0.1", Port: port(t, srv.Addr()), SkipCompatibilityCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	err = raw.CreateCollection(t.Context(), &pb.CreateCollection{
		CollectionName: "p_foreign",
		VectorsConfig:  pb.NewVectorsConfig(&pb.VectorParams{Size: dims, Distance: pb.Distance_Cosine}),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = b.EnsureCollection(t.Context(), "foreign", dims)
	if err == nil || errors.Is(err, storage.ErrDimensionMismatch) || !strings.Contains(err.Error(), "named") {
		t.Errorf("EnsureCollection of a foreign collection = %v, want an error about named vectors", err)
	}
	doc := storage.Document{ID: "note:x", Collection: "foreign", Kind: storage.KindNote}
	chunk := storage.Chunk{ID: "note:x#0", DocID: doc.ID, Collection: "foreign", Kind: storage.KindNote, Text: "x", Dense: unit(0)}
	if err := b.ReplaceDocument(t.Context(), doc, []storage.Chunk{chunk}); err == nil {
		t.Error("ReplaceDocument wrote into a foreign collection")
	}
}

func port(t *testing.T, addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(p, &n)
	return n
}

// TestReopen: what one store wrote, another store on the same prefix
// reads; a store with another prefix sees nothing.
func TestReopen(t *testing.T) {
	srv := double(t)
	st := open(t, srv.Addr(), "r_")
	if err := st.EnsureCollection(t.Context(), "code", dims); err != nil {
		t.Fatal(err)
	}
	doc, v1 := version(1, 2)
	if err := st.ReplaceDocument(t.Context(), doc, v1); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	again := open(t, srv.Addr(), "r_")
	checkVersion(t, again, 1, 2)
	got, err := again.VectorsByHash(t.Context(), []string{v1[1].Hash})
	if err != nil || !slices.Equal(got[v1[1].Hash], unit(1)) {
		t.Errorf("VectorsByHash after reopen = %v, %v", got, err)
	}
	other := open(t, srv.Addr(), "other_")
	colls, err := other.Collections(t.Context())
	if err != nil || len(colls) != 0 {
		t.Errorf("Collections under another prefix = %+v, %v; want none", colls, err)
	}
	if _, err := other.GetDocument(t.Context(), doc.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetDocument under another prefix: %v, want ErrNotFound", err)
	}
}

// TestContextCancelled: a cancelled call is not transient.
func TestContextCancelled(t *testing.T) {
	srv := double(t)
	st := open(t, srv.Addr(), "c_")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := st.Ping(ctx); err == nil || qdrant.IsTransient(err) {
		t.Errorf("Ping with a cancelled context = %v, want a permanent error", err)
	}
}
