package storage

import (
	"path/filepath"
	"testing"
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
