package faults

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/embed/static"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/engine/storage/qdrant"
)

// Fakes with one capability each, all of them, or none; their Store and
// Embedder are never called.
type (
	bareStore    struct{ storage.Store }
	batchStore   struct{ storage.Store }
	createdStore struct{ storage.Store }
	fullStore    struct{ storage.Store }

	bareEmbedder  struct{ embed.Embedder }
	statsEmbedder struct{ embed.Embedder }
	probeEmbedder struct{ embed.Embedder }
	idleEmbedder  struct{ embed.Embedder }
	fullEmbedder  struct {
		embed.Embedder
		probed, closed *int
	}
)

func (batchStore) ReplaceDocuments(context.Context, []storage.Replacement) error { return nil }
func (createdStore) Created(string) bool                                         { return true }
func (fullStore) ReplaceDocuments(context.Context, []storage.Replacement) error  { return nil }
func (fullStore) Created(name string) bool                                       { return name == "made" }
func (fullStore) DocumentHeads(context.Context, storage.HeadsQuery) (storage.HeadsPage, error) {
	return storage.HeadsPage{}, nil
}

func (statsEmbedder) Stats() embed.Stats                   { return embed.Stats{} }
func (probeEmbedder) Probe(context.Context, string) error  { return nil }
func (idleEmbedder) CloseIdleConnections()                 {}
func (fullEmbedder) Stats() embed.Stats                    { return embed.Stats{Requests: 7} }
func (e fullEmbedder) Probe(context.Context, string) error { *e.probed++; return nil }
func (e fullEmbedder) CloseIdleConnections()               { *e.closed++ }

// Every wrapper implements each optional capability exactly when what it
// wraps does: the fakes' every combination that matters and the real
// stores and embedders.
func TestWrappersForwardCapabilities(t *testing.T) {
	var sw Switch
	stores := []storage.Store{bareStore{}, batchStore{}, createdStore{}, fullStore{}, &embedded.Store{}, &qdrant.Store{}}
	for _, st := range stores {
		sameCapabilities(t, storage.Capabilities, st, NewStore(st, &sw))
	}
	var n int
	embedders := []embed.Embedder{bareEmbedder{}, statsEmbedder{}, probeEmbedder{}, idleEmbedder{}, fullEmbedder{probed: &n, closed: &n},
		&embed.Remote{}, embed.NewBuiltin(8), &static.Model{}}
	for _, e := range embedders {
		sameCapabilities(t, embed.Capabilities, e, WrapEmbedder(e, &sw))
	}
}

func sameCapabilities(t *testing.T, caps []reflect.Type, inner, wrapper any) {
	t.Helper()
	if len(caps) == 0 {
		t.Fatal("no capabilities listed")
	}
	for _, c := range caps {
		has, wraps := reflect.TypeOf(inner).Implements(c), reflect.TypeOf(wrapper).Implements(c)
		if has != wraps {
			t.Errorf("%T implements %v: %v; its wrapper %T: %v", inner, c, has, wrapper, wraps)
		}
	}
}

// The capabilities that call out go through the switch; those that read
// what the component keeps go through whatever its state.
func TestCapabilitiesThroughTheSwitch(t *testing.T) {
	var sw Switch
	st := NewStore(fullStore{}, &sw)
	var probed, closed int
	e := WrapEmbedder(fullEmbedder{probed: &probed, closed: &closed}, &sw)
	sw.Fail()
	ctx := context.Background()
	if err := st.(storage.BatchReplacer).ReplaceDocuments(ctx, nil); !errors.Is(err, ErrInjected) {
		t.Errorf("ReplaceDocuments while failing = %v, want ErrInjected", err)
	}
	if err := e.(embed.Prober).Probe(ctx, "x"); !errors.Is(err, ErrInjected) || probed != 0 {
		t.Errorf("Probe while failing = %v after %d probes, want ErrInjected and none", err, probed)
	}
	if !st.(storage.CreationReporter).Created("made") || st.(storage.CreationReporter).Created("found") {
		t.Error("Created does not answer as the store does")
	}
	e.(embed.IdleCloser).CloseIdleConnections()
	if s := e.(embed.StatsReporter).Stats(); s.Requests != 7 || closed != 1 {
		t.Errorf("Stats %+v and %d closes, want the embedder's", s, closed)
	}
	sw.Up()
	if err := st.(storage.BatchReplacer).ReplaceDocuments(ctx, nil); err != nil {
		t.Errorf("ReplaceDocuments while up = %v", err)
	}
	if err := e.(embed.Prober).Probe(ctx, "x"); err != nil || probed != 1 {
		t.Errorf("Probe while up = %v after %d probes, want one", err, probed)
	}
}

// textsStore finds one hit whose text is read later, as the embedded
// store's search without texts gives it.
type textsStore struct{ storage.Store }

func (textsStore) Search(context.Context, storage.Query) ([]storage.Hit, error) {
	return []storage.Hit{{Chunk: storage.Chunk{ID: "c"}, Texts: textsStore{}}}, nil
}

func (textsStore) ChunkTexts(_ context.Context, ids []string) (map[string]string, error) {
	return map[string]string{ids[0]: "text"}, nil
}

// The texts a search left in the store are read behind the switch too:
// a store that fails between the search and the reading of its texts
// fails that read.
func TestSearchTextsThroughTheSwitch(t *testing.T) {
	var sw Switch
	st := NewStore(textsStore{}, &sw)
	ctx := context.Background()
	hits, err := st.Search(ctx, storage.Query{})
	if err != nil || len(hits) != 1 {
		t.Fatalf("Search = %v, %v", hits, err)
	}
	if got, err := hits[0].Texts.ChunkTexts(ctx, []string{"c"}); err != nil || got["c"] != "text" {
		t.Errorf("ChunkTexts while up = %v, %v", got, err)
	}
	sw.Fail()
	if _, err := hits[0].Texts.ChunkTexts(ctx, []string{"c"}); !errors.Is(err, ErrInjected) {
		t.Errorf("ChunkTexts while failing = %v, want ErrInjected", err)
	}
}
