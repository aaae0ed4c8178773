package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

func TestMatchPath(t *testing.T) {
	const path = "/home/me/proj/engine/store_test.go"
	cases := map[string]bool{
		"**/*_test.go":              true,
		"engine/*.go":               true,
		"*_test.go":                 true,
		"/home/me/proj/**":          true,
		"proj/engine/store_test.go": true,
		"**/*.py":                   false,
		"gine/*.go":                 false, // suffixes start after a '/'
		"web/**":                    false,
	}
	for pattern, want := range cases {
		if got := MatchPath(pattern, path); got != want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", pattern, path, got, want)
		}
	}
	if MatchPath("**", "") {
		t.Error("a note matched a glob")
	}
	// This OS's form of the path: '/' patterns match it on Windows too.
	native := filepath.FromSlash(path)
	for pattern, want := range cases {
		if got := MatchPath(pattern, native); got != want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", pattern, native, got, want)
		}
	}
}

// A pattern that can only match a last element is tried on it alone, with
// the answer that trying every suffix gives.
func TestMatchPathBasenameOnly(t *testing.T) {
	patterns := []string{"*.go", "*_test.go", "{Lexer,lexer}.*", "{a,b}*", "?.c", "*", "store_test.go",
		"x.go", "*.{go,py}", "*+Symbol.*", "engine", "e*e", "**/*.go", "*.[ch]", "engine/*.go", "**",
		// PathMatcher's own matcher (literalAlternatives) and what it leaves to doublestar
		"{,x}.go", "x{a,b}y*z", "*a*b*", "{a,b}{c,d}", ".*", "*.", "", "a,b", "{a,b", "a}b", "*b*b",
		"{Context,context,Sequence+*,*+Context}.*", `a\*b`, "{a*,*b}", "ab*ab", "*a*a*b"}
	paths := []string{"/home/me/proj/engine/store_test.go", "lexer.rs", "src/Lexer.java", "/a/b/", "/a/b.c/x.c",
		"a.py", "/p/Sequence+Symbol.kt", "/p/engine", "/p/engine/", "C:/proj/x.go", "/", "e/e",
		".hidden", "/q/aXbYb", "context/context.go", "ab", "abab", "/q/xayQQz", "x.go", ".go", "ac", "a,b", "/q/a*b", "aab"}
	for _, pattern := range patterns {
		for _, path := range paths {
			if got, want := MatchPath(pattern, path), matchSuffixes(pattern, path); got != want {
				t.Errorf("MatchPath(%q, %q) = %v; every suffix tried: %v", pattern, path, got, want)
			}
		}
	}
	for pattern, fast := range map[string]bool{"{Lexer,lexer,Lexer+*,*+tokenize}.*": true, "*_test.go": true,
		"x.go": true, "*.[ch]": false, "?.c": false, "{a,b}{c,d}": false, `a\*b`: false} {
		if _, ok := literalAlternatives(pattern); ok != fast {
			t.Errorf("literalAlternatives(%q): ok %v, want %v", pattern, ok, fast)
		}
	}
	if !basenameOnly("{Lexer,lexer}.*") || basenameOnly("**/*.go") || basenameOnly("*.[ch]") || basenameOnly("a/*.go") {
		t.Error("basenameOnly takes the wrong patterns")
	}
}

// A glob that is not valid is a *GlobError naming it and what is wrong.
func TestParsePathGlobErrors(t *testing.T) {
	for glob, want := range map[string]error{"!": ErrNothingToExclude, "src/[a": doublestar.ErrBadPattern, "!src/[a": doublestar.ErrBadPattern} {
		_, _, err := ParsePathGlob(glob)
		ge, ok := errors.AsType[*GlobError](err)
		if !ok || ge.Glob != glob || !errors.Is(err, want) {
			t.Errorf("ParsePathGlob(%q) = %v, want a *GlobError of %q wrapping %v", glob, err, glob, want)
		}
	}
	if pattern, negate, err := ParsePathGlob("!**/*.go"); err != nil || pattern != "**/*.go" || !negate {
		t.Errorf("ParsePathGlob(!**/*.go) = %q, %v, %v", pattern, negate, err)
	}
}

// BenchmarkPathMatcher tries a file-name lookup's pattern on a tree's
// paths, as a filtered keyword search does: with PathMatcher's own
// matcher, and with doublestar on each path's last element (what
// MatchPath did for such a pattern before PathMatcher).
func BenchmarkPathMatcher(b *testing.B) {
	const pattern = "{Context,context,Context+*,*+Context}.*"
	paths := make([]string, 0, 1000)
	for i := range 1000 {
		paths = append(paths, fmt.Sprintf("/usr/local/go/src/pkg%d/internal/file_%d_unix.go", i%37, i))
	}
	paths = append(paths, "/usr/local/go/src/context/context.go")
	b.Run("matcher", func(b *testing.B) {
		match := PathMatcher(pattern)
		for b.Loop() {
			for _, p := range paths {
				match(p)
			}
		}
	})
	b.Run("doublestar", func(b *testing.B) {
		for b.Loop() {
			for _, p := range paths {
				doublestar.MatchUnvalidated(pattern, p[strings.LastIndexByte(p, '/')+1:])
			}
		}
	})
}
