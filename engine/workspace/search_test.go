package workspace

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/rank"
	"workspace-qdrant-mcp/engine/storage"
)

// Context of a file that changed since indexing, or that lies outside the
// workspace, is replaced by a note.
func TestAddContextStaleOrOutside(t *testing.T) {
	ws := t.TempDir()
	p := filepath.Join(ws, "a.txt")
	if err := os.WriteFile(p, []byte("one\ntwo\nthree\nfour\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "b.txt")
	if err := os.WriteFile(outside, []byte("one\ntwo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := []SearchResult{
		{Kind: storage.KindFile, Path: p, StartLine: 2, EndLine: 3, Text: "two\nthree\n"},
		{Kind: storage.KindFile, Path: p, StartLine: 2, EndLine: 2, Text: "TWO\n"},
		{Kind: storage.KindFile, Path: p, StartLine: 4, EndLine: 6, Text: "four\nfive\nsix\n"},
		{Kind: storage.KindFile, Path: outside, StartLine: 1, EndLine: 1, Text: "one\n"},
	}
	addContext(res, 5, []string{ws})
	if res[0].ContextBefore != "one\n" || res[0].ContextAfter != "four\n" || res[0].ContextNote != "" {
		t.Errorf("unchanged lines: %+v", res[0])
	}
	for i := 1; i < 3; i++ {
		if !strings.Contains(res[i].ContextNote, "changed since it was indexed") || res[i].ContextBefore != "" {
			t.Errorf("changed lines %d: %+v", i, res[i])
		}
	}
	if !strings.Contains(res[3].ContextNote, "not inside the workspace") || res[3].ContextBefore+res[3].ContextAfter != "" {
		t.Errorf("outside file: %+v", res[3])
	}
}

// modelEmbedder is an embedder of another provider than the built-in one.
type modelEmbedder struct{}

func (modelEmbedder) Info() embed.Info {
	return embed.Info{Provider: "model", Model: "m", Dimensions: 4}
}

func (modelEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	return make([][]float32, len(texts)), nil
}

// With the built-in embedder, whose vectors hash words, the semantic leg
// weighs LexicalSemanticWeight; with any other, SemanticWeight; a
// request's tuning gets the same treatment.
func TestTuningLexicalEmbedder(t *testing.T) {
	lexical := &Local{Deps: Deps{Embedder: embed.NewBuiltin(0)}}
	model := &Local{Deps: Deps{Embedder: modelEmbedder{}}}
	if got := lexical.tuning(nil).SemanticWeight; got != DefaultTuning.LexicalSemanticWeight {
		t.Errorf("builtin: semantic weight %v, want %v", got, DefaultTuning.LexicalSemanticWeight)
	}
	if got := model.tuning(nil).SemanticWeight; got != DefaultTuning.SemanticWeight {
		t.Errorf("another embedder: semantic weight %v, want %v", got, DefaultTuning.SemanticWeight)
	}
	override := DefaultTuning
	override.SemanticWeight, override.LexicalSemanticWeight = 0.9, 0.2
	if got := lexical.tuning(&override).SemanticWeight; got != 0.2 {
		t.Errorf("builtin with a request's tuning: %v, want its lexical weight 0.2", got)
	}
	if got := model.tuning(&override).SemanticWeight; got != 0.9 {
		t.Errorf("another embedder with a request's tuning: %v, want 0.9", got)
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A symbol's other definitions in a file (rank.RuleOverload) are shown
// beside its first, up to rank.MaxOverloads, while the cap of one result
// per file holds for every other chunk.
func TestCollectShowsOverloads(t *testing.T) {
	ranked := []rank.Ranked{
		{Hit: storage.Hit{Chunk: storage.Chunk{ID: "a1", DocID: "a", Kind: storage.KindFile, StartLine: 1, EndLine: 10}, Score: 4}, Rules: []string{rank.RuleDefinition}},
		{Hit: storage.Hit{Chunk: storage.Chunk{ID: "b1", DocID: "b", Kind: storage.KindFile, StartLine: 1, EndLine: 10}, Score: 3}},
		{Hit: storage.Hit{Chunk: storage.Chunk{ID: "a2", DocID: "a", Kind: storage.KindFile, StartLine: 20, EndLine: 30}, Score: 2}, Rules: []string{rank.RuleDefinition, rank.RuleOverload}},
		{Hit: storage.Hit{Chunk: storage.Chunk{ID: "a3", DocID: "a", Kind: storage.KindFile, StartLine: 40, EndLine: 50}, Score: 1}, Rules: []string{rank.RuleLaterChunk}},
		{Hit: storage.Hit{Chunk: storage.Chunk{ID: "b2", DocID: "b", Kind: storage.KindFile, StartLine: 20, EndLine: 30}, Score: 0.5}, Rules: []string{rank.RuleLaterChunk}},
	}
	var got []string
	for _, r := range collect(ranked, 1, 10) {
		got = append(got, r.ChunkID)
	}
	if want := []string{"a1", "b1", "a2"}; !slices.Equal(got, want) {
		t.Errorf("collect gave %v, want %v", got, want)
	}
}
