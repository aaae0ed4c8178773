package ingest

import (
	"context"
	"slices"
	"testing"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
)

// termsEmbedder is the built-in embedder, recording which of its entry
// points the indexer used.
type termsEmbedder struct {
	*embed.Builtin
	texts [][]string // the terms given to EmbedTerms
	calls int        // calls of Embed
}

func (e *termsEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.calls++
	return e.Builtin.Embed(ctx, texts)
}

func (e *termsEmbedder) EmbedTerms(ctx context.Context, terms [][]string) ([][]float32, error) {
	e.texts = append(e.texts, terms...)
	return e.Builtin.EmbedTerms(ctx, terms)
}

// A document's chunks carry their analysis.Terms, the embedder that takes
// terms gets those instead of the texts, the vectors are the ones Embed
// gives, and the store keeps a keyword index equal to one built from the
// texts.
func TestPrepareDocumentAnalysesOnce(t *testing.T) {
	ctx := t.Context()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{Analyzer: analysis.Terms})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	emb := &termsEmbedder{Builtin: embed.NewBuiltin(64)}
	if err := st.EnsureCollection(ctx, "code", 64); err != nil {
		t.Fatal(err)
	}
	doc := storage.Document{ID: "file:/w/a.go", Collection: "code", Kind: storage.KindFile, Path: "/w/a.go"}
	text := "package a\n\n// ParseDuration reads a duration.\nfunc ParseDuration(s string) int { return 0 }\n\nfunc HTTPServer() {}\n"
	chunks, res, err := prepareDocument(ctx, st, emb, doc, text, "go", chunk.Options{MaxChars: 60, OverlapChars: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) < 2 || res.Embedded != len(chunks) {
		t.Fatalf("%d chunks, %d embedded; want several, all embedded", len(chunks), res.Embedded)
	}
	if emb.calls != 0 || len(emb.texts) != len(chunks) {
		t.Fatalf("Embed called %d times, EmbedTerms given %d texts; want 0 and %d", emb.calls, len(emb.texts), len(chunks))
	}
	for i, c := range chunks {
		if want := analysis.Terms(c.Text); !slices.Equal(c.Terms, want) || !slices.Equal(emb.texts[i], want) {
			t.Errorf("chunk %d: terms %q, embedded %q; want %q", i, c.Terms, emb.texts[i], want)
		}
		want, err := emb.Builtin.Embed(ctx, []string{c.Text})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.Dense, want[0]) {
			t.Errorf("chunk %d: vector differs from Embed's", i)
		}
	}
	if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
		t.Fatal(err)
	}
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	hits, err := st.Search(ctx, storage.Query{Text: "parse duration", Mode: storage.ModeKeyword, Limit: 5})
	if err != nil || len(hits) == 0 || hits[0].Chunk.Terms != nil {
		t.Errorf("keyword search: %d hits, %v (a read must leave Terms nil)", len(hits), err)
	}
}
