package engine

import (
	"path/filepath"
	"testing"

	"workspace-qdrant-mcp/engine/embed/static/statictest"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// A static model finds a file through a synonym of the only word they
// share in meaning, which the built-in hashing embedder cannot: car and
// automobile have no letters in common.
func TestStaticEmbedderFindsSynonyms(t *testing.T) {
	model := t.TempDir()
	words := []string{"the", "car", "automobile", "red", "engine", "boat", "ship", "sails"}
	if err := statictest.Write(model, words, map[string]string{"automobile": "car", "ship": "boat"}); err != nil {
		t.Fatal(err)
	}
	ws := enginetest.Workspace(t, map[string]string{
		"garage.go": "package garage\n\n// the red car engine\nvar x = 1\n",
		"harbor.go": "package harbor\n\n// the boat sails\nvar y = 2\n",
	})
	scores, ranks := map[string]float64{}, map[string]int{}
	for _, provider := range []string{"static", "builtin"} {
		m, root := startIndexed(t, ws, func(c *config.Config) {
			c.LSP.Enabled = false
			c.Embedding.Provider, c.Embedding.ModelPath = provider, model
		})
		if got := m.Status(t.Context()).Embedding.Provider; got != provider {
			t.Fatalf("embedding provider %q, want %s", got, provider)
		}
		for _, r := range search(t, m, SearchRequest{Query: "automobile", Mode: "semantic", Limit: 2, MaxPerFile: -1}) {
			if r.Path == filepath.Join(root, "garage.go") {
				scores[provider], ranks[provider] = r.SemanticScore, r.SemanticRank
			}
		}
	}
	if ranks["static"] != 1 || scores["static"] < 0.4 || scores["builtin"] > 0.1 {
		t.Errorf("automobile and the car file: static rank %d, cosine %.3f (want rank 1, ≥ 0.4); builtin cosine %.3f (want ≤ 0.1)",
			ranks["static"], scores["static"], scores["builtin"])
	}
}
