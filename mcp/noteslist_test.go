package mcp

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/tools"
)

// countingStore is an embedded store that counts the calls that read
// whole documents.
type countingStore struct {
	*embedded.Store
	documents atomic.Int64
}

func (s *countingStore) Documents(ctx context.Context, collection string) ([]storage.Document, error) {
	s.documents.Add(1)
	return s.Store.Documents(ctx, collection)
}

// storeEngine is a running engine with no workspace root whose store is
// an embedded store as wrap wraps it; it is stopped when the test ends.
func storeEngine(tb testing.TB, wrap func(*embedded.Store) storage.Store) *engine.Manager {
	tb.Helper()
	cfg := config.Default()
	cfg.Workspace.Roots = nil
	cfg.Storage.DataDir = tb.TempDir()
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	eng := engine.New(cfg, engine.Options{Logger: zerolog.Nop(), OpenStore: func(ctx context.Context, cfg config.Config) (storage.Store, error) {
		st, err := embedded.Open(ctx, cfg.Storage.DataDir, embedded.Options{Analyzer: analysis.Terms})
		if err != nil {
			return nil, err
		}
		return wrap(st), nil
	}})
	if err := eng.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := eng.Stop(context.Background(), engine.StopOptions{}); err != nil {
			tb.Errorf("stop: %v", err)
		}
	})
	return eng
}

// notesEngine is a running engine with no workspace root holding n notes
// of size bytes each, in two collections, and its store.
func notesEngine(tb testing.TB, n, size int) (*engine.Manager, *countingStore) {
	tb.Helper()
	cs := &countingStore{}
	eng := storeEngine(tb, func(st *embedded.Store) storage.Store { cs.Store = st; return cs })
	ctx := context.Background()
	line := strings.Repeat("a long line of a large note, repeated to fill it. ", 20) + "\n"
	body := strings.Repeat(line, max(size/len(line), 1))
	for i := range n {
		coll := []string{"notes", "research"}[i%2]
		if _, err := eng.AddDocument(ctx, engine.AddDocumentRequest{Content: fmt.Sprintf("note %d\n%s", i, body), Title: fmt.Sprintf("note %d", i), Collection: coll}); err != nil {
			tb.Fatal(err)
		}
	}
	return eng, cs
}

// resources/list over many large notes: pages of at most 50, every note
// listed once with its title, and no note's text read from the store
// (no whole document is read at all).
func TestResourcesListManyLargeNotes(t *testing.T) {
	const n = 130
	eng, cs := notesEngine(t, n, 16<<10)
	s := serveWith(t, New(eng, zerolog.Nop()))
	s.initialize(t)
	before := cs.documents.Load()
	uris := listAll(t, s)
	if got := cs.documents.Load() - before; got != 0 {
		t.Errorf("resources/list read whole collections %d times, want none", got)
	}
	if len(uris) != n+1 {
		t.Fatalf("%d resources listed, want the status and %d notes", len(uris), n)
	}
	seen := map[string]bool{}
	for _, uri := range uris {
		if seen[uri] {
			t.Errorf("%s listed twice", uri)
		}
		seen[uri] = true
	}
	if !seen[tools.StatusURI] {
		t.Error("the status resource is not listed")
	}
	req := mcpgo.ListResourcesRequest{}
	res, err := s.client.ListResourcesByPage(context.Background(), req)
	if err != nil || len(res.Resources) != pageSize || res.NextCursor == "" || !strings.HasPrefix(res.Resources[1].Title, "note ") {
		t.Errorf("first page = %d resources, next %q, %v", len(res.Resources), res.NextCursor, err)
	}
}

// A cursor the server did not give is an invalid-params error that says
// so, not an empty page; the session goes on.
func TestResourcesListBadCursor(t *testing.T) {
	eng, _ := notesEngine(t, 3, 100)
	r := serveRaw(t, New(eng, zerolog.Nop()))
	r.call(1, "initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "raw", "version": "0"}})
	r.write(nil, "notifications/initialized", nil)
	for i, bad := range []string{"not-a-cursor!", "bm90IG91cnM", "e30"} {
		res := r.call(float64(10+i), "resources/list", map[string]any{"cursor": bad})
		e, _ := res["error"].(map[string]any)
		if e == nil || e["code"] != float64(mcpgo.INVALID_PARAMS) || !strings.Contains(fmt.Sprint(e["message"]), "invalid cursor") {
			t.Errorf("resources/list with cursor %q = %v, want invalid params naming the cursor", bad, res)
		}
	}
	res := r.call(20, "resources/list", nil)
	if result, _ := res["result"].(map[string]any); result == nil || len(result["resources"].([]any)) != 4 {
		t.Errorf("resources/list after the refusals = %v, want the status and 3 notes", res)
	}
}

// BenchmarkResourcesList lists every resource, page by page, of an index
// of 200 notes of 64 KiB.
func BenchmarkResourcesList(b *testing.B) {
	eng, _ := notesEngine(b, 200, 64<<10)
	s := serveWith(b, New(eng, zerolog.Nop()))
	s.initialize(b)
	b.ResetTimer()
	for b.Loop() {
		req := mcpgo.ListResourcesRequest{}
		for {
			res, err := s.client.ListResourcesByPage(context.Background(), req)
			if err != nil {
				b.Fatal(err)
			}
			if res.NextCursor == "" {
				break
			}
			req.Params.Cursor = res.NextCursor
		}
	}
}
