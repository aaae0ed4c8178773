package storage

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// MatchPath reports whether a doublestar pattern matches an absolute path
// or any suffix of it that starts after a '/': both "**/*_test.go" and
// "engine/*.go" match "/home/me/proj/engine/store_test.go". Patterns use
// '/' on every OS: a Windows path is matched with its '\' turned to '/'
// ("C:/proj/**" matches C:\proj\a.go). An empty path (a note) matches
// nothing. Every backend filters Query.PathGlob with it.
func MatchPath(pattern, path string) bool {
	if path == "" {
		return false
	}
	path = filepath.ToSlash(path)
	if doublestar.MatchUnvalidated(pattern, path) {
		return true
	}
	for i := 0; i < len(path)-1; i++ {
		if path[i] == '/' && doublestar.MatchUnvalidated(pattern, path[i+1:]) {
			return true
		}
	}
	return false
}

// ParsePathGlob splits a Query.PathGlob into its pattern and whether it
// excludes (a leading "!"), and checks the pattern's syntax.
func ParsePathGlob(s string) (pattern string, negate bool, err error) {
	pattern, negate = strings.CutPrefix(s, "!")
	if pattern == "" && negate {
		return "", false, fmt.Errorf("path glob %q: nothing to exclude", s)
	}
	if !doublestar.ValidatePattern(pattern) {
		return "", false, fmt.Errorf("path glob %q: %w", s, doublestar.ErrBadPattern)
	}
	return pattern, negate, nil
}
