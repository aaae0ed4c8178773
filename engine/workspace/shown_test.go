package workspace

import (
	"maps"
	"testing"

	"workspace-qdrant-mcp/engine/ingest/chunk"
)

// A result shows a chunk's metadata without what the index keeps for
// ranking alone, and leaves the chunk's own map as it was.
func TestShownMetadata(t *testing.T) {
	meta := map[string]string{"defines": "A", chunk.MetaFacts: "2 0.5"}
	got := shownMetadata(meta)
	if want := map[string]string{"defines": "A"}; !maps.Equal(got, want) {
		t.Errorf("shown %v, want %v", got, want)
	}
	if len(meta) != 2 {
		t.Errorf("the chunk's metadata was changed: %v", meta)
	}
	if got := shownMetadata(map[string]string{chunk.MetaFacts: "0 0"}); got != nil {
		t.Errorf("facts alone shown as %v, want none", got)
	}
}
