package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
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
	return PathMatcher(pattern)(path)
}

// PathMatcher returns MatchPath(pattern, ·), with the work that depends
// on the pattern alone done once: a filter that tries one pattern on
// thousands of paths (a file-name lookup's {Lexer,lexer}.*) calls it.
func PathMatcher(pattern string) func(path string) bool {
	if !basenameOnly(pattern) {
		return func(path string) bool {
			return path != "" && matchSuffixes(pattern, filepath.ToSlash(path))
		}
	}
	var name func(base string) bool
	if alts, ok := literalAlternatives(pattern); ok {
		name = func(base string) bool {
			return slices.ContainsFunc(alts, func(a []string) bool { return matchStars(a, base) })
		}
	} else {
		name = func(base string) bool { return doublestar.MatchUnvalidated(pattern, base) }
	}
	return func(path string) bool {
		if path == "" {
			return false
		}
		path = filepath.ToSlash(path)
		// Only the last element can match: the other suffixes hold a '/'.
		return !strings.HasSuffix(path, "/") && name(path[strings.LastIndexByte(path, '/')+1:])
	}
}

// literalAlternatives splits a slash-free pattern of literal characters
// and '*', with at most one brace group of such alternatives
// ({Lexer,lexer}.*, *_test.go), into its alternatives, each cut at its
// stars: ok is false for any other pattern, which doublestar matches.
func literalAlternatives(pattern string) (alts [][]string, ok bool) {
	prefix, rest, braced := strings.Cut(pattern, "{")
	choices, suffix := []string{""}, ""
	if braced {
		var group string
		if group, suffix, ok = strings.Cut(rest, "}"); !ok {
			return nil, false
		}
		choices = strings.Split(group, ",")
	}
	for _, c := range choices {
		alt := prefix + c + suffix
		if strings.ContainsAny(alt, `?[]{}\`) {
			return nil, false // a class, an escape, or braces within braces
		}
		alts = append(alts, strings.Split(alt, "*"))
	}
	return alts, true
}

// matchStars reports whether s is parts joined by runs of any
// characters: parts[0] a prefix, the last a suffix, the others in order
// between them (a pattern's '*' matching no '/', which s has none of).
func matchStars(parts []string, s string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
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
