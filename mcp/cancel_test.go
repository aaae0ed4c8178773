package mcp

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
)

// gatedStore is an embedded store whose searches, once armed, wait
// until the test opens the gate or their context ends.
type gatedStore struct {
	storage.Store
	armed   atomic.Bool
	entered chan struct{} // receives once per search that reached the store
	gate    chan struct{} // closed to let searches through
}

func (s *gatedStore) Search(ctx context.Context, q storage.Query) ([]storage.Hit, error) {
	if !s.armed.Load() {
		return s.Store.Search(ctx, q)
	}
	s.entered <- struct{}{}
	select {
	case <-s.gate:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	return s.Store.Search(ctx, q)
}

// gatedEngine is a running engine whose store is a gatedStore; the
// shutdown timeout is 30s.
func gatedEngine(t *testing.T) (*engine.Manager, *gatedStore) {
	t.Helper()
	gs := &gatedStore{entered: make(chan struct{}, 8), gate: make(chan struct{})}
	eng := storeEngine(t, func(st *embedded.Store) storage.Store { gs.Store = st; return gs })
	gs.armed.Store(true)
	return eng, gs
}

// entered waits for a search to reach the store.
func (s *gatedStore) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-s.entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the search never reached the store")
	}
}

// A search cancelled by notifications/cancelled ends its work (its
// store query returns on the cancelled context, and no request is in
// flight any more) and gets no response, while the session goes on.
func TestCancelSearchInFlight(t *testing.T) {
	eng, gs := gatedEngine(t)
	srv := New(eng, zerolog.Nop())
	r := serveRaw(t, srv)
	r.call(1, "initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "raw", "version": "0"}})
	r.write(nil, "notifications/initialized", nil)

	r.write(2, "tools/call", map[string]any{"name": "search", "arguments": map[string]any{"query": "anything", "mode": "keyword"}})
	gs.waitEntered(t)
	r.write(nil, "notifications/cancelled", map[string]any{"requestId": 2, "reason": "the user gave up"})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if n := srv.Drain(ctx); n != 0 {
		t.Fatalf("%d requests still in flight 10s after the cancellation: the search did not stop", n)
	}
	if pong := r.call(3, "ping", nil); pong["error"] != nil {
		t.Errorf("ping after the cancellation = %v", pong)
	}
	if got := r.find(func(m map[string]any) bool { return m["id"] == 2.0 }); len(got) != 0 {
		t.Errorf("the cancelled search was answered: %v", got)
	}

	// A search not cancelled is answered as usual.
	close(gs.gate)
	if res := r.call(4, "tools/call", map[string]any{"name": "search", "arguments": map[string]any{"query": "anything", "mode": "keyword"}}); res["result"] == nil {
		t.Errorf("search = %v, want a result", res)
	}
}

// At the end of stdin a search in flight is answered before the session
// closes: Serve holds the end of input back until the search returns,
// and then returns nil.
func TestEOFDuringSlowSearch(t *testing.T) {
	eng, gs := gatedEngine(t)
	r := serveRaw(t, New(eng, zerolog.Nop()))
	r.call(1, "initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "raw", "version": "0"}})
	r.write(nil, "notifications/initialized", nil)
	r.write(2, "tools/call", map[string]any{"name": "search", "arguments": map[string]any{"query": "anything", "mode": "keyword"}})
	gs.waitEntered(t)
	if err := r.toServer.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.served:
		t.Fatal("Serve returned at the end of stdin with a search in flight")
	case <-time.After(200 * time.Millisecond):
	}
	close(gs.gate)
	res := r.waitFor("the search's response", func(m map[string]any) bool { return m["id"] == 2.0 })
	if result, _ := res["result"].(map[string]any); result == nil || result["isError"] == true {
		t.Errorf("search in flight at the end of stdin = %v, want a result", res)
	}
	select {
	case <-r.served:
		if r.serveErr != nil {
			t.Errorf("Serve = %v, want nil", r.serveErr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return once the search was answered")
	}
}
