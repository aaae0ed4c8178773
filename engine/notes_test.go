package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/engine/workspace"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// notesConfig is the default configuration with a data directory, a
// workspace of one file and small chunks, so that a note has several
// overlapping chunks.
func notesConfig(t *testing.T) config.Config {
	cfg := workspaceConfig(t, map[string]string{"a.go": "package a\n\nfunc A() {}\n"})
	cfg.Workspace.ChunkChars = 200
	cfg.Workspace.ChunkOverlap = 80
	return cfg
}

// olderModel is the built-in embedder posing as another model of the same
// size, whose vectors point the other way. It holds the embedder as an
// embed.Embedder, so that the built-in's EmbedTerms, which would bypass
// Embed, is not promoted.
type olderModel struct{ builtin embed.Embedder }

func (o olderModel) Info() embed.Info {
	info := o.builtin.Info()
	info.Model = "older-model"
	return info
}

func (o olderModel) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vecs, err := o.builtin.Embed(ctx, texts)
	for _, v := range vecs {
		for i := range v {
			v[i] = -v[i]
		}
	}
	return vecs, err
}

// waitNotes waits for the current run's notes migration.
func waitNotes(t *testing.T, m *Manager) *run {
	t.Helper()
	r := m.currentRun()
	select {
	case <-r.notes:
	case <-time.After(30 * time.Second):
		t.Fatal("the notes migration did not run")
	}
	return r
}

// sample is a note the tests add, and what it must stay.
type sample struct {
	req AddDocumentRequest
	id  string
}

func addSamples(t *testing.T, m *Manager) []sample {
	t.Helper()
	samples := []sample{
		{req: AddDocumentRequest{Content: enginetest.LongNote(), Title: "Journal", Metadata: map[string]string{"topic": "garden", "year": "2024"}}},
		{req: AddDocumentRequest{Content: "a short note\n", Title: "Short", Collection: "research"}},
		{req: AddDocumentRequest{Content: "", Title: "Empty", Collection: "research", Metadata: map[string]string{"empty": "yes"}}},
	}
	for i := range samples {
		res, err := m.AddDocument(t.Context(), samples[i].req)
		if err != nil {
			t.Fatalf("AddDocument(%s): %v", samples[i].req.Title, err)
		}
		samples[i].id = res.ID
	}
	return samples
}

// checkSamples fails the test unless every sample is stored under its id
// with its title, metadata, collection and exact content, embedded by
// the current model: chunk hashes of its key and stored vectors of its
// size that equal the model's own.
func checkSamples(t *testing.T, m *Manager, samples []sample) {
	t.Helper()
	r := m.currentRun()
	info := r.embedder.Info()
	key := ingest.ModelKey(info)
	for _, s := range samples {
		doc, err := m.GetDocument(t.Context(), DocumentRef{ID: s.id})
		if err != nil {
			t.Fatalf("GetDocument(%s): %v", s.req.Title, err)
		}
		coll := cmpOr(s.req.Collection, NotesCollection)
		if doc.Collection != coll || doc.Title != s.req.Title || doc.Kind != storage.KindNote {
			t.Errorf("note %s is %s/%q/%s, want %s/%q/note", s.id, doc.Collection, doc.Title, doc.Kind, coll, s.req.Title)
		}
		if len(doc.Metadata)+len(s.req.Metadata) > 0 && !maps.Equal(doc.Metadata, s.req.Metadata) {
			t.Errorf("note %q metadata %v, want %v", s.req.Title, doc.Metadata, s.req.Metadata)
		}
		content, err := workspace.NoteContent(doc.Chunks)
		if err != nil || content != s.req.Content {
			t.Errorf("note %q content = %q, %v; want %q", s.req.Title, content, err, s.req.Content)
		}
		hashes := make([]string, len(doc.Chunks))
		for i, c := range doc.Chunks {
			if c.Hash != ingest.NoteVectorHash(key, doc.Title, c.Text) {
				t.Errorf("note %q chunk %d embedded by another model than %s", s.req.Title, i, key)
			}
			hashes[i] = c.Hash
		}
		if len(hashes) == 0 {
			continue
		}
		stored, err := r.store.VectorsByHash(t.Context(), hashes)
		if err != nil {
			t.Fatal(err)
		}
		text := doc.Chunks[0].Text
		if _, terms := r.embedder.(embed.TermsEmbedder); terms && doc.Title != "" {
			text += "\n" + doc.Title // a vector built from terms holds the title's
		}
		want, err := r.embedder.Embed(t.Context(), []string{text})
		if err != nil {
			t.Fatal(err)
		}
		if v := stored[hashes[0]]; len(v) != info.Dimensions || dot(v, want[0]) < 0.999 {
			t.Errorf("note %q: stored vector of %d dimensions, cosine %.3f to the model's; want %d and 1",
				s.req.Title, len(v), dot(v, want[0]), info.Dimensions)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func dot(a, b []float32) float64 {
	if len(a) != len(b) {
		return 0
	}
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// After a change of embedding model with the same dimensions, every note
// is written again with the new model under the same id, title, metadata
// and content; a further start finds nothing stale.
func TestNotesFollowModelChange(t *testing.T) {
	cfg := notesConfig(t)
	logs := &syncBuffer{}
	old := New(cfg, Options{Logger: zerolog.Nop(), NewEmbedder: func(context.Context, config.Config) (embed.Embedder, error) {
		return olderModel{embed.NewBuiltin(cfg.Embedding.Dimensions)}, nil
	}})
	if err := old.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	samples := addSamples(t, old)
	if doc, err := old.GetDocument(t.Context(), DocumentRef{ID: samples[0].id}); err != nil || len(doc.Chunks) < 3 {
		t.Fatalf("the long note has %d chunks (%v), want several", len(doc.Chunks), err)
	}
	if _, err := old.Stop(t.Context(), StopOptions{}); err != nil {
		t.Fatal(err)
	}

	m := New(cfg, Options{Logger: zerolog.New(logs)})
	for start := range 2 {
		if err := m.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		waitNotes(t, m)
		checkSamples(t, m, samples)
		// Two notes have chunks to re-embed, at the first start only.
		if n := strings.Count(logs.String(), "note re-embedded with the current model"); n != 2 {
			t.Errorf("after start %d, %d notes logged as re-embedded, want 2", start+1, n)
		}
		if _, err := m.Stop(t.Context(), StopOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// startWithSamples starts an engine on *cfg, which it reads again at
// every restart, and adds the samples.
func startWithSamples(t *testing.T, cfg *config.Config) (*Manager, []sample) {
	t.Helper()
	m := New(*cfg, Options{Logger: zerolog.Nop(), LoadConfig: func() (config.Config, error) { return *cfg, nil }})
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	return m, addSamples(t, m)
}

// After a change of dimensions and a reindex, the notes collections are
// re-created at the new size with every note in them, and new notes go
// in.
func TestNotesFollowDimensionChange(t *testing.T) {
	cfg := notesConfig(t)
	m, samples := startWithSamples(t, &cfg)
	cfg.Embedding.Dimensions = 256
	if err := m.Reindex(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(context.Background(), StopOptions{}) //nolint:errcheck // cleanup
	r := waitNotes(t, m)
	checkSamples(t, m, samples)
	for _, coll := range []string{NotesCollection, "research"} {
		if err := r.store.EnsureCollection(t.Context(), coll, 256); err != nil {
			t.Errorf("collection %s after the migration: %v", coll, err)
		}
	}
	if _, err := m.AddDocument(t.Context(), AddDocumentRequest{Content: "a new note", Collection: "research"}); err != nil {
		t.Errorf("AddDocument after the migration: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Storage.DataDir, workspace.NotesFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left behind: %v", workspace.NotesFile, err)
	}
}

// A move cut short by a crash (the notes saved, one collection dropped,
// the other not yet) is finished at the next start: every note comes back
// with its id, title, metadata and content, at the new size.
func TestNotesMoveFinishesAfterCrash(t *testing.T) {
	cfg := notesConfig(t)
	m, samples := startWithSamples(t, &cfg)
	if _, err := m.Stop(t.Context(), StopOptions{}); err != nil {
		t.Fatal(err)
	}

	// What a migration does up to its crash, done by hand on the store.
	st, err := embedded.Open(t.Context(), cfg.Storage.DataDir, embedded.Options{Analyzer: analysis.Terms})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := workspace.SaveNotesMove(t.Context(), st, cfg.Storage.DataDir, []string{NotesCollection, "research"})
	if err != nil {
		t.Fatal(err)
	}
	if saved != len(samples) {
		t.Fatalf("saved %d notes, want %d", saved, len(samples))
	}
	path := filepath.Join(cfg.Storage.DataDir, workspace.NotesFile)
	if _, err := st.DropCollection(t.Context(), NotesCollection); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	cfg.Embedding.Dimensions = 256
	if err := m.Reindex(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(context.Background(), StopOptions{}) //nolint:errcheck // cleanup
	waitNotes(t, m)
	checkSamples(t, m, samples)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left behind: %v", workspace.NotesFile, err)
	}
}

// heldEmbedder is the built-in embedder that, once armed, stops at the
// first text holding word until released. Like olderModel it holds the
// embedder as an embed.Embedder, so that every text goes through Embed.
type heldEmbedder struct {
	builtin embed.Embedder
	word    string
	armed   *atomic.Bool
	stopped chan struct{} // closed when a call stops
	release chan struct{} // closed to let it go on
	once    *sync.Once
}

func (h heldEmbedder) Info() embed.Info { return h.builtin.Info() }

func (h heldEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	for _, t := range texts {
		if h.armed.Load() && strings.Contains(t, h.word) {
			h.once.Do(func() { close(h.stopped) })
			select {
			case <-h.release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			break
		}
	}
	return h.builtin.Embed(ctx, texts)
}

// Tool calls made while notes move to re-created collections wait for the
// move: a note read meanwhile is found, and a note deleted meanwhile stays
// deleted instead of being written back by the move.
func TestNotesToolsWaitForMove(t *testing.T) {
	cfg := notesConfig(t)
	held := heldEmbedder{word: "marigolds", armed: &atomic.Bool{}, stopped: make(chan struct{}), release: make(chan struct{}), once: &sync.Once{}}
	m := New(cfg, Options{
		Logger:     zerolog.Nop(),
		LoadConfig: func() (config.Config, error) { return cfg, nil },
		NewEmbedder: func(_ context.Context, c config.Config) (embed.Embedder, error) {
			h := held
			h.builtin = embed.NewBuiltin(c.Embedding.Dimensions)
			return h, nil
		},
	})
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(context.Background(), StopOptions{}) //nolint:errcheck // cleanup
	letGo := sync.OnceFunc(func() { close(held.release) })
	defer letGo() // before the stop, when the test ends early
	samples := addSamples(t, m)
	journal, short := samples[0], samples[1]

	cfg.Embedding.Dimensions = 256
	held.armed.Store(true)
	if err := m.Reindex(t.Context()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held.stopped: // the move is writing the journal again
	case <-time.After(30 * time.Second):
		t.Fatal("the notes move never embedded the journal")
	}
	got := make(chan error, 1)
	gone := make(chan error, 1)
	go func() {
		doc, err := m.GetDocument(t.Context(), DocumentRef{ID: journal.id})
		if err == nil && doc.Title != journal.req.Title {
			err = fmt.Errorf("got %q", doc.Title)
		}
		got <- err
	}()
	go func() {
		_, n, err := m.DeleteDocument(t.Context(), DocumentRef{ID: short.id})
		if err == nil && n == 0 {
			err = errors.New("deleted no chunk")
		}
		gone <- err
	}()
	// Both calls are admitted and neither finishes before the move.
	for deadline := time.Now().Add(30 * time.Second); ; {
		select {
		case err := <-got:
			t.Fatalf("GetDocument returned during the move: %v", err)
		case err := <-gone:
			t.Fatalf("DeleteDocument returned during the move: %v", err)
		default:
		}
		n := m.gate.inflight.N()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d tool calls in flight, want 2", n)
		}
		time.Sleep(time.Millisecond)
	}
	if !m.Status(t.Context()).Index.NotesPending {
		t.Error("engine status during the move: notes_pending is false")
	}
	letGo()
	if err := <-got; err != nil {
		t.Errorf("GetDocument during the move: %v", err)
	}
	if err := <-gone; err != nil {
		t.Errorf("DeleteDocument during the move: %v", err)
	}
	waitNotes(t, m)
	if m.Status(t.Context()).Index.NotesPending {
		t.Error("engine status after the move: notes_pending is true")
	}
	if _, err := m.GetDocument(t.Context(), DocumentRef{ID: short.id}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the note deleted during the move: GetDocument = %v, want not found", err)
	}
	checkSamples(t, m, []sample{journal, samples[2]})
}

// A note is found by its title, whose words its content need not hold,
// in keyword search as in hybrid; and a note written so is not stale at
// the next start.
func TestNoteFoundByTitle(t *testing.T) {
	cfg := notesConfig(t)
	logs := &syncBuffer{}
	m := New(cfg, Options{Logger: zerolog.New(logs)})
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitNotes(t, m)
	res, err := m.AddDocument(t.Context(), AddDocumentRequest{Title: "Deployment checklist", Content: "Run the migrations, then restart the workers one by one."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.AddDocument(t.Context(), AddDocumentRequest{Title: "Lunch", Content: "The deployment of sandwiches is at noon."}); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{storage.ModeKeyword, storage.ModeHybrid} {
		got, err := m.Search(t.Context(), SearchRequest{Query: "deployment checklist", Limit: 5, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Results) == 0 || got.Results[0].ID != res.ID {
			t.Errorf("%s search for the title: %+v, want the note %s first", mode, got.Results, res.ID)
		}
	}
	doc, err := m.GetDocument(t.Context(), DocumentRef{ID: res.ID})
	if err != nil {
		t.Fatal(err)
	}
	if content, err := workspace.NoteContent(doc.Chunks); err != nil || content != "Run the migrations, then restart the workers one by one." {
		t.Errorf("get_document: %q, %v; want the content as given", content, err)
	}
	if _, err := m.Stop(t.Context(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitNotes(t, m)
	if strings.Contains(logs.String(), "note re-embedded") {
		t.Errorf("a note written with its title was re-embedded at the next start")
	}
	if _, err := m.Stop(t.Context(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
}
