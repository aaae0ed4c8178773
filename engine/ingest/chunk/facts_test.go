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

// Documentation counts as comments whatever marks it: Perl's POD and
// what follows __END__, Ruby's =begin blocks, Elixir's @doc strings and
// Erlang's % comments; code around them, and what only looks like them
// (Elixir's %{} maps, a heredoc that is not a doc), does not.
func TestCommentShare(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       float64
		logic      int
	}{
		{"pod block", "sub run {\n    return 1;\n}\n\n=head1 NAME\n\nplackup - run\n\n=cut\n\nsub stop { }\n", 3.0 / 7, 1},
		{"pod to the end", "=head1 OPTIONS\n\n=over 4\n\n=item -r\n\nrestart if files change\n", 1, 0},
		{"inside pod, closed", "if the server is down, it waits.\n\n=cut\n\nsub f { return }\n", 2.0 / 3, 1},
		{"inside pod, an item", "C<-r> restarts it\nif files change.\n\n=item -e\n\nevaluates\n", 1, 0},
		{"code, then pod", "sub f { return }\n\n=head2 f\n\nif it fails\n", 2.0 / 3, 1},
		{"inside pod, a heading", "examples of these.\n\n=head1 AUTHOR\n\nMiyagawa\n", 1, 0},
		{"ruby, then rdoc", "def f\n  x\nend\n=begin\ndoc\n=end\n", 3.0 / 6, 0},
		{"after __END__", "1;\n__END__\nif this then that\nreturn value\n", 3.0 / 4, 0},
		{"rdoc", "=begin\nif it fails, raise\n=end\ndef f\n  raise\nend\n", 3.0 / 6, 1},
		{"elixir moduledoc", "defmodule Supervisor do\n  @moduledoc ~S\"\"\"\n  A behaviour module.\n\n  if a child exits, it restarts.\n  \"\"\"\n\n  @doc false\n  def x, do: 1\nend\n", 4.0 / 8, 0},
		{"elixir one-line doc", "  @doc \"Returns the value.\"\n  def get(m), do: m\n", 1.0 / 2, 0},
		{"elixir code heredoc", "  text = \"\"\"\n  if only\n  \"\"\"\n", 0, 1},
		{"erlang comments", "%% @doc if the token\n% ends\nscan(T) ->\n    case T of _ -> ok end.\n", 2.0 / 4, 1},
		{"elixir maps", "  %{a: 1}\n  %User{name: n}\n", 0, 0},
		{"c comments", "/* a\n * b\n */\nint x;\n", 3.0 / 4, 0},
	} {
		f := ScanFacts(tc.text)
		if f.Comments-tc.want > 1e-9 || tc.want-f.Comments > 1e-9 || f.Logic != tc.logic {
			t.Errorf("%s: ScanFacts = %+v, want comments %.3f and logic %d", tc.name, f, tc.want, tc.logic)
		}
	}
}
