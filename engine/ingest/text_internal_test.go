package ingest

import (
	"strings"
	"testing"
)

func TestContentText(t *testing.T) {
	for _, tc := range []struct{ name, data, text, skip string }{
		{"utf-8", "café\n", "café\n", ""},
		{"latin-1", "// a caf\xe9 in a comment\n", "// a café in a comment\n", ""},
		{"mixed: valid UTF-8 kept, stray bytes read as Latin-1", "// naïve \xe9t\xe9 in a comment: \ufffd\n", "// naïve été in a comment: \ufffd\n", ""},
		{"nul", "a\x00b", "", SkipBinary},
		{"mostly invalid", "\xff\xfe\x80\x81 abc", "", SkipInvalidUTF8},
		{"at the share", "\xe9" + strings.Repeat("a", 9), "é" + strings.Repeat("a", 9), ""},
		{"past the share", "\xe9\xe9" + strings.Repeat("a", 9), "", SkipInvalidUTF8},
	} {
		text, skip := contentText([]byte(tc.data))
		if text != tc.text || skip != tc.skip {
			t.Errorf("%s: contentText(%q) = %q, %q; want %q, %q", tc.name, tc.data, text, skip, tc.text, tc.skip)
		}
	}
}
