package storage

import "github.com/bmatcuk/doublestar/v4"

// MatchPath reports whether a doublestar pattern matches an absolute path
// or any suffix of it that starts after a '/': both "**/*_test.go" and
// "engine/*.go" match "/home/me/proj/engine/store_test.go". An empty path
// (a note) matches nothing. Every backend filters Query.PathGlob with it.
func MatchPath(pattern, path string) bool {
	if path == "" {
		return false
	}
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
