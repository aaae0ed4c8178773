package engine

import (
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/secrettest"
)

// TestNoteSecretsRedactedAtStart: a note stored before secrets were
// redacted, with a token in its title and text, is written again at the
// next start under the same id, the token replaced; add_document redacts
// new notes at once and says how many secrets it replaced.
func TestNoteSecretsRedactedAtStart(t *testing.T) {
	cfg := notesConfig(t)
	sm := secrettest.Samples()[1] // github
	m := New(cfg, Options{Logger: zerolog.Nop()})
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := waitNotes(t, m)
	// As an older version stored it: the secret in clear.
	text := "deploy notes\n" + sm.Line + "\n"
	vecs, err := r.embedder.Embed(t.Context(), []string{text})
	if err != nil {
		t.Fatal(err)
	}
	doc := storage.Document{ID: "note:old", Collection: NotesCollection, Kind: storage.KindNote, Title: "token " + sm.Secret}
	if err := r.store.EnsureCollection(t.Context(), NotesCollection, r.embedder.Info().Dimensions); err != nil {
		t.Fatal(err)
	}
	chunk := storage.Chunk{ID: "c1", DocID: doc.ID, Collection: doc.Collection, Kind: doc.Kind, Title: doc.Title,
		StartLine: 1, EndLine: 2, Text: text, Hash: storage.VectorHash(ingest.ModelKey(r.embedder.Info()), text), Dense: vecs[0]}
	if err := r.store.ReplaceDocument(t.Context(), doc, []storage.Chunk{chunk}); err != nil {
		t.Fatal(err)
	}
	res, err := m.AddDocument(t.Context(), AddDocumentRequest{Content: "new: " + sm.Line + "\n"})
	if err != nil || res.Redacted != 1 {
		t.Fatalf("AddDocument = %+v, %v; want 1 redacted", res, err)
	}
	if _, err := m.Stop(t.Context(), StopOptions{}); err != nil {
		t.Fatal(err)
	}

	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(t.Context(), StopOptions{})
	waitNotes(t, m)
	for _, id := range []string{doc.ID, res.ID} {
		got, err := m.GetDocument(t.Context(), DocumentRef{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		all := got.Title
		for _, c := range got.Chunks {
			all += "\n" + c.Text
		}
		if strings.Contains(all, sm.Secret) || !strings.Contains(all, "[REDACTED:"+sm.Rule+"]") {
			t.Errorf("note %s after a start:\n%s", id, all)
		}
	}
}
