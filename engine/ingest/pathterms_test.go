package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
)

// textOnly is an embedder of texts, as remote ones are.
type textOnly struct{ embed.Embedder }

// A file's path terms are those of its last parts relative to its root,
// for an embedder of terms only.
func TestPathTerms(t *testing.T) {
	root := filepath.FromSlash("/ws/proj")
	terms := embed.NewBuiltin(0)
	for _, tt := range []struct {
		emb  embed.Embedder
		abs  string
		want string
	}{
		{terms, "/ws/proj/middleware/throttle.go", "[middlewar throttl go]"},
		{terms, "/ws/proj/src/internal/util/retry_backoff.ts", "[internal util retry backoff retrybackoff ts]"},
		{terms, "/ws/proj/main.go", "[main go]"},     // the root's name stays out
		{terms, "/elsewhere/x/b/c.go", "[x b c go]"}, // outside every root: its last parts
		{textOnly{terms}, "/ws/proj/middleware/throttle.go", "[]"},
	} {
		if got := fmt.Sprint(pathTerms(tt.emb, []string{root}, filepath.FromSlash(tt.abs))); got != tt.want {
			t.Errorf("pathTerms(%s) = %s, want %s", tt.abs, got, tt.want)
		}
	}
}

// For the built-in embedder a chunk's vector leans towards its file's
// name: the same code in middleware/throttle.go and in x/helper.go gets
// two vectors, the first nearer a question about throttling, and two
// hashes, so neither reuses the other's vector. A note's hash covers its
// title, which its terms hold.
func TestPathInVector(t *testing.T) {
	ctx := context.Background()
	st, err := embedded.Open(ctx, t.TempDir(), embedded.Options{Analyzer: analysis.Terms})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	emb := embed.NewBuiltin(0, embed.WithCodeWords())
	dims := emb.Info().Dimensions
	if err := st.EnsureCollection(ctx, "code", dims); err != nil {
		t.Fatal(err)
	}
	text := "package p\n\n// Wrap caps the calls in flight.\nfunc Wrap(limit int) func(next Handler) Handler {\n\treturn nil\n}\n"
	roots := []string{"/ws"}
	vector := func(abs string) ([]float32, string) {
		doc := storage.Document{ID: FileDocID(abs), Collection: "code", Kind: storage.KindFile, Path: abs}
		chunks, _, err := prepareDocument(ctx, st, emb, doc, text, "go", chunk.Options{}, pathTerms(emb, roots, abs))
		if err != nil || len(chunks) != 1 {
			t.Fatalf("%s: %d chunks, %v", abs, len(chunks), err)
		}
		return chunks[0].Dense, chunks[0].Hash
	}
	throttle, h1 := vector("/ws/middleware/throttle.go")
	helper, h2 := vector("/ws/x/helper.go")
	if h1 == h2 {
		t.Errorf("one hash %s for the same text in two files", h1)
	}
	q, err := emb.Embed(ctx, []string{"where are requests throttled"})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := dot(q[0], throttle), dot(q[0], helper); a <= b {
		t.Errorf("cosine to the question: throttle.go %.3f, helper.go %.3f; want throttle.go nearer", a, b)
	}
	note := storage.Document{ID: "note:1", Collection: "code", Kind: storage.KindNote, Title: "n"}
	chunks, _, err := prepareDocument(ctx, st, emb, note, text, "", chunk.Options{}, nil)
	if err != nil || chunks[0].Hash != NoteVectorHash(ModelKey(emb.Info()), "n", chunks[0].Text) || chunks[0].Hash == storage.VectorHash(ModelKey(emb.Info()), chunks[0].Text) {
		t.Errorf("a note's hash %v (%v), want one of its text and title", chunks[0].Hash, err)
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}
