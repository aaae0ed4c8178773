package chunk

import "testing"

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
