package chunk

import (
	"strings"
	"testing"
)

// Facts survive their metadata form, and what is not one is refused.
func TestFactsMeta(t *testing.T) {
	for _, text := range []string{"", "if a {\n\treturn b\n}\n", "// one\n// two\nx := 1\n", "# a\n# b\n# c\n"} {
		f := ScanFacts(text)
		got, ok := ParseFacts(f.Meta())
		if !ok || got.Logic != f.Logic || got.Comments-f.Comments > 1e-3 || f.Comments-got.Comments > 1e-3 {
			t.Errorf("%q: ParseFacts(%q) = %+v, %v; want %+v", text, f.Meta(), got, ok, f)
		}
	}
	for _, bad := range []string{"", "3", "x 0.5", "3 y"} {
		if _, ok := ParseFacts(bad); ok {
			t.Errorf("ParseFacts(%q) accepted", bad)
		}
	}
}

// Control-flow keywords count in code, not in comments, not inside
// identifiers, and up to MaxLogic.
func TestLogicCount(t *testing.T) {
	for text, want := range map[string]int{
		"if x {\n\treturn y\n}\n":                       2,
		"// if the caller returns, for example\n":       0,
		"# if this, else that\n  * for each item\n":     0,
		"iffy := format(elsewhere, returned)\n":         0,
		"def f(x):\n    for a in x:\n        yield a\n": 2,
		"      rescue => e\n      raise\n":              2,
		strings.Repeat("if a { return }\n", 40):         MaxLogic,
	} {
		if got := ScanFacts(text).Logic; got != want {
			t.Errorf("ScanFacts(%q).Logic = %d, want %d", text, got, want)
		}
	}
}
