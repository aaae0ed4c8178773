// Package paths answers one question every part of the server asks of
// file paths: does this path lie inside that directory? It is the one
// place that answers it from two paths (the ignore matcher, which compares
// already-clean paths on its hot path, keeps a prefix test of its own), so
// that a name such as "..cache" is never taken for a parent directory.
//
//	if rel, ok := paths.Within(root, p); ok { ... }
package paths

import (
	"path/filepath"
	"strings"
)

// Within reports whether path lies inside dir (or is dir), lexically, and
// returns path relative to dir. Both should be absolute and clean, with
// symbolic links resolved when that matters; a relative result never
// starts with "..".
func Within(dir, path string) (rel string, ok bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}
