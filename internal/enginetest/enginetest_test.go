package enginetest

import (
	"os"
	"path/filepath"
	"testing"

	"workspace-qdrant-mcp/internal/config"
)

func TestWorkspaceAndConfig(t *testing.T) {
	ws := Workspace(t, map[string]string{"a.go": "package a\n", "sub/dir/b.md": "# B\n"})
	for name, want := range map[string]string{"a.go": "package a\n", "sub/dir/b.md": "# B\n"} {
		if got, err := os.ReadFile(filepath.Join(ws, filepath.FromSlash(name))); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	cfg := Valid(t, []string{ws}, func(c *config.Config) { c.Engine.Workers = 3 })
	if len(cfg.Workspace.Roots) != 1 || cfg.Storage.DataDir == "" || cfg.Storage.DataDir == config.Default().Storage.DataDir || cfg.Engine.Workers != 3 {
		t.Errorf("config %+v, %+v, %+v: want the workspace, a temporary data directory and the edit", cfg.Workspace, cfg.Storage, cfg.Engine)
	}
}
