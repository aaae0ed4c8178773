package paths

import (
	"path/filepath"
	"testing"
)

func TestWithin(t *testing.T) {
	root := filepath.FromSlash("/ws/proj")
	for _, tt := range []struct {
		path, rel string
		ok        bool
	}{
		{"/ws/proj", ".", true},
		{"/ws/proj/a.go", "a.go", true},
		{"/ws/proj/..cache/x", filepath.FromSlash("..cache/x"), true},
		{"/ws/proj/../other", "", false},
		{"/ws/other/a.go", "", false},
		{"/ws", "", false},
	} {
		rel, ok := Within(root, filepath.FromSlash(tt.path))
		if rel != tt.rel || ok != tt.ok {
			t.Errorf("Within(%s, %s) = %q, %v; want %q, %v", root, tt.path, rel, ok, tt.rel, tt.ok)
		}
	}
}
