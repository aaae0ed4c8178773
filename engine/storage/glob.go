package storage

import (
	"errors"
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
	if basenameOnly(pattern) {
		// Only the last element can match: the other suffixes hold a '/'.
		return doublestar.MatchUnvalidated(pattern, path[strings.LastIndexByte(path, '/')+1:]) &&
			!strings.HasSuffix(path, "/")
	}
	return matchSuffixes(pattern, path)
}

// basenameOnly reports whether a pattern can only match a string without
// a '/': it holds no '/', no "**" (which may cross one) and no character
// class. Such patterns (*.go, {Lexer,lexer}.*) are tried on a path's last
// element alone, not on every suffix: a file-name lookup tries one for
// each of thousands of paths.
func basenameOnly(pattern string) bool {
	return !strings.ContainsAny(pattern, "/[") && !strings.Contains(pattern, "**")
}

// matchSuffixes reports whether pattern matches path or a suffix of it
// that starts after a '/' (path in '/' form).
func matchSuffixes(pattern, path string) bool {
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

// ErrNothingToExclude is a path glob of a lone "!".
var ErrNothingToExclude = errors.New("nothing to exclude")

// GlobError is a Query.PathGlob that is not a valid pattern.
type GlobError struct {
	Glob string // as given
	// Err says what is wrong: ErrNothingToExclude or
	// doublestar.ErrBadPattern.
	Err error
}

func (e *GlobError) Error() string { return fmt.Sprintf("path glob %q: %v", e.Glob, e.Err) }
func (e *GlobError) Unwrap() error { return e.Err }

// ParsePathGlob splits a Query.PathGlob into its pattern and whether it
// excludes (a leading "!"), and checks the pattern's syntax. Its error is
// a *GlobError.
func ParsePathGlob(s string) (pattern string, negate bool, err error) {
	pattern, negate = strings.CutPrefix(s, "!")
	if pattern == "" && negate {
		return "", false, &GlobError{Glob: s, Err: ErrNothingToExclude}
	}
	if !doublestar.ValidatePattern(pattern) {
		return "", false, &GlobError{Glob: s, Err: doublestar.ErrBadPattern}
	}
	return pattern, negate, nil
}
