package storage_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/engine/storage/qdrant"
	"workspace-qdrant-mcp/engine/storage/qdrant/qdranttest"
	"workspace-qdrant-mcp/engine/storage/storagetest"
)

// TestConformance runs the storage conformance suite against every
// backend, with the analyzer the engine uses. The qdrant backend runs
// against the in-process protocol test double, or against the real Qdrant
// at $QDRANT_URL when it is set (with $QDRANT_API_KEY, if any); each test
// then uses collections under a prefix of its own and drops them at the
// end.
func TestConformance(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) storage.Store {
			st, err := embedded.Open(t.Context(), t.TempDir(), embedded.Options{Analyzer: analysis.Terms})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		})
	})
	t.Run("qdrant", func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) storage.Store { return OpenQdrant(t) })
	})
}

// OpenQdrant opens a qdrant store with a fresh collection prefix, on the
// protocol test double unless $QDRANT_URL is set.
func OpenQdrant(t *testing.T) *qdrant.Store {
	t.Helper()
	url := os.Getenv("QDRANT_URL")
	if url == "" {
		srv, err := qdranttest.Start()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		url = srv.Addr()
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	opts := qdrant.Options{
		URL: url, APIKey: os.Getenv("QDRANT_API_KEY"),
		CollectionPrefix: "wqmtest_" + hex.EncodeToString(b[:]) + "_", Analyzer: analysis.Terms,
	}
	st, err := qdrant.Open(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("QDRANT_URL") != "" {
		t.Cleanup(func() { dropAll(t, opts) })
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// dropAll drops the collections under opts' prefix on a real Qdrant.
func dropAll(t *testing.T, opts qdrant.Options) {
	ctx := context.Background()
	st, err := qdrant.Open(ctx, opts)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	defer st.Close()
	colls, err := st.Collections(ctx)
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	for _, c := range colls {
		if _, err := st.DropCollection(ctx, c.Name); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
}
