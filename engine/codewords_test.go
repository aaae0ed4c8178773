package engine

import (
	"context"
	"path/filepath"
	"testing"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// The server's built-in embedder carries the code word vectors: a
// question that shares no word with the code it asks about (a deadline;
// the code says timeout) finds it, which hashing alone cannot.
func TestBuiltinCodeWordsFindParaphrase(t *testing.T) {
	paint := "package paint\n\n// Brush paints the wall blue.\nfunc Brush(color string) {}\n"
	timer := "package timer\n\n// SetTimeout gives up waiting after a while.\nfunc SetTimeout(d int) {}\n"
	ws := enginetest.Workspace(t, map[string]string{
		"timer.go": timer,
		"paint.go": paint,
	})
	m, root := startIndexed(t, ws, func(c *config.Config) {
		c.LSP.Enabled = false
		c.Embedding.Provider = "builtin"
	})
	query := "when the deadline passes"
	res := search(t, m, SearchRequest{Query: query, Mode: "semantic", Limit: 2, MaxPerFile: -1})
	if len(res) == 0 || res[0].Path != filepath.Join(root, "timer.go") || res[0].SemanticScore < 0.1 {
		t.Fatalf("semantic search %q: %+v, want timer.go first with cosine ≥ 0.1", query, res)
	}
	// Hashing alone scores both files about the same, near 0: its
	// features of the question match neither.
	hashed, err := embed.NewBuiltin(0).Embed(context.Background(), []string{query, timer, paint})
	if err != nil {
		t.Fatal(err)
	}
	toTimer, toPaint := dot(hashed[0], hashed[1]), dot(hashed[0], hashed[2])
	t.Logf("with code words: timer.go %.3f; hashing alone: timer.go %.3f, paint.go %.3f", res[0].SemanticScore, toTimer, toPaint)
	if toTimer > 0.1 || toTimer-toPaint > 0.1 {
		t.Errorf("hashing alone: cosine to timer.go %.3f, to paint.go %.3f; want both about 0", toTimer, toPaint)
	}
}
