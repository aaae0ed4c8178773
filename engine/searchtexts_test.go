package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
)

// textsStore wraps a store and records the searches and the text reads
// of the hits, and can make every chunk look replaced between a search
// and the reading of its texts.
type textsStore struct {
	storage.Store
	mu      sync.Mutex
	omitted []bool // Query.OmitText of each search
	read    []int  // ids read by each ChunkTexts call
	gone    bool   // ChunkTexts finds nothing
}

func (s *textsStore) Search(ctx context.Context, q storage.Query) ([]storage.Hit, error) {
	hits, err := s.Store.Search(ctx, q)
	s.mu.Lock()
	s.omitted = append(s.omitted, q.OmitText)
	s.mu.Unlock()
	storage.WrapTexts(hits, func(next storage.TextReader) storage.TextReader { return textsReader{s, next} })
	return hits, err
}

type textsReader struct {
	s    *textsStore
	next storage.TextReader
}

func (r textsReader) ChunkTexts(ctx context.Context, ids []string) (map[string]string, error) {
	r.s.mu.Lock()
	r.s.read = append(r.s.read, len(ids))
	gone := r.s.gone
	r.s.mu.Unlock()
	if gone {
		return map[string]string{}, nil
	}
	return r.next.ChunkTexts(ctx, ids)
}

// A search over the embedded store reads the texts of its results only,
// and when a result's chunk is gone by the time its text is read (a
// write replaced it), it runs again with every text read in the search.
// Either way the results carry their texts.
func TestSearchReadsOnlyTheResultsTexts(t *testing.T) {
	files := map[string]string{}
	for i := range 30 {
		files[fmt.Sprintf("f%02d.go", i)] = fmt.Sprintf("package p\n\n// handler%02d serves the request timeout handler\nfunc H%02d() {}\n", i, i)
	}
	cfg := workspaceConfig(t, files)
	cfg.LSP.Enabled = false
	var st *textsStore
	m := runIndexed(t, cfg, Options{
		Logger: zerolog.Nop(),
		OpenStore: func(ctx context.Context, cfg config.Config) (storage.Store, error) {
			inner, err := openStore(ctx, cfg)
			if err != nil {
				return nil, err
			}
			st = &textsStore{Store: inner}
			return st, nil
		},
	})
	ctx := t.Context()
	check := func(gone bool, wantOmitted []bool) {
		t.Helper()
		st.mu.Lock()
		st.omitted, st.read, st.gone = nil, nil, gone
		st.mu.Unlock()
		resp, err := m.Search(ctx, SearchRequest{Query: "request timeout handler", Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Results) != 3 {
			t.Fatalf("%d results, want 3", len(resp.Results))
		}
		for _, r := range resp.Results {
			if !strings.Contains(r.Text, "request timeout handler") {
				t.Errorf("result %s has text %q", r.Path, r.Text)
			}
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		if fmt.Sprint(st.omitted) != fmt.Sprint(wantOmitted) || len(st.read) != 1 || st.read[0] != 3 {
			t.Errorf("gone %v: searches without texts %v (want %v), ids read per call %v (want [3])", gone, st.omitted, wantOmitted, st.read)
		}
	}
	check(false, []bool{true})
	check(true, []bool{true, false})
}
