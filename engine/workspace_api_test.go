package engine

import (
	"testing"

	"workspace-qdrant-mcp/engine/workspace"
)

// The components a workspace.Local reports failures of are the engine's:
// the health monitor matches them by name.
func TestWorkspaceComponentsAreTheEngines(t *testing.T) {
	if workspace.ComponentEmbedder != ComponentEmbedder || workspace.ComponentStorage != ComponentStorage {
		t.Errorf("workspace components %q, %q; engine's %q, %q",
			workspace.ComponentEmbedder, workspace.ComponentStorage, ComponentEmbedder, ComponentStorage)
	}
}
