package chunk

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Facts survive their metadata form, and what is not one is refused.
func TestFactsMeta(t *testing.T) {
	for i, text := range []string{"", "if a {\n\treturn b\n}\n", "// one\n// two\nx := 1\n", "# a\n# b\n# c\n"} {
		f := ScanFacts(text)
		f.Generated = i%2 == 1
		got, ok := ParseFacts(f.Meta())
		if !ok || got.Logic != f.Logic || got.Comments-f.Comments > 1e-3 || f.Comments-got.Comments > 1e-3 || got.Generated != f.Generated {
			t.Errorf("%q: ParseFacts(%q) = %+v, %v; want %+v", text, f.Meta(), got, ok, f)
		}
	}
	for _, bad := range []string{"", "3", "x 0.5", "3 y", "3 0.5 written"} {
		if _, ok := ParseFacts(bad); ok {
			t.Errorf("ParseFacts(%q) accepted", bad)
		}
	}
}

// Control-flow keywords count in code, not in comments, not inside
// identifiers, not as the names of properties (a TypeScript interface's
// select?: …, an object literal's match: …) or of methods (s.match(…)),
// and up to MaxLogic.
func TestLogicCount(t *testing.T) {
	for text, want := range map[string]int{
		"if x {\n\treturn y\n}\n":                                 2,
		"// if the caller returns, for example\n":                 0,
		"# if this, else that\n  * for each item\n":               0,
		"iffy := format(elsewhere, returned)\n":                   0,
		"def f(x):\n    for a in x:\n        yield a\n":           2,
		"      rescue => e\n      raise\n":                        2,
		"  select?: (data: T) => U\n  catch?(e): void\n":          0,
		"const o = { match: /x/, return: 1 }\n":                   0,
		"try:\n    f()\nexcept:\n    pass\nelse:  # ok\n":         3,
		"std::for_each(a, b);\nswitch (x) {\ncase 1: break;\n}\n": 3,
		strings.Repeat("if a { return }\n", 40):                   MaxLogic,
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

// FileFacts reads each chunk with the file around it: a chunk that
// starts inside a block comment, a docstring or a multi-line string
// knows its first lines are prose; words in strings and in comments
// after code are no keywords; what only looks like a comment's start
// (inside a string or a character literal) opens none.
func TestFileFacts(t *testing.T) {
	for _, tc := range []struct {
		name, language, text string
		from                 int // the chunk's first line; it runs to the end
		comments             float64
		logic                int
	}{
		{"c block without stars", "c", "/*\n  if the buffer is full,\n  return early.\n*/\nint x;\n", 2, 3.0 / 4, 0},
		{"c block, closed mid-line", "java", "/* a\n   b */ if (x) return;\n", 2, 0, 2},
		{"comment in a string", "go", "s := \"/*\"\nif x {\n\treturn\n}\n", 1, 0, 2},
		{"comment in a raw string", "go", "g := `src/**/*.go`\nif x {\n\treturn\n}\n", 1, 0, 2},
		{"javascript regex", "javascript", "s = s.replace(/\\/*$/, '')\nif (x) {\n  return /[/*]/.test(y)\n}\n", 1, 0, 2},
		{"perl last index", "perl", "my $n = $#list; if ($n) { return 1 }\nfor (1..$#ARGV) { next }\n", 1, 0, 3},
		{"comment in a groovy string", "groovy", "g = '**/*.groovy'\nif (x) {\n\treturn\n}\n", 1, 0, 2},
		{"quote in a character", "c", "if (c == '\"') return;\nif (c == '\\'') return;\nwhile (1) {}\n", 1, 0, 5},
		{"rust lifetime", "rust", "fn f<'a>(x: &'a str) -> &'a str {\n    if x.is_empty() { return x }\n    x\n}\n", 1, 0, 2},
		{"words in strings", "python", "raise ValueError(\"if this, else that\")\n", 1, 0, 1},
		{"comment after code", "go", "return x // if it fails, break\n", 1, 0, 1},
		{"python docstring", "python", "def f(x):\n    \"\"\"Return x.\n\n    if x is None, raise.\n    \"\"\"\n    return x\n", 3, 2.0 / 3, 1},
		{"python one-line docstring", "python", "def f(x):\n    \"\"\"Return x, or else y.\"\"\"\n    return x\n", 1, 1.0 / 3, 1},
		{"python text, not code", "python", "usage = '''\nif you run it, it waits\n'''\nfor a in b: pass\n", 2, 2.0 / 3, 1},
		{"clojure docstring", "clojure", "(defn f\n  \"Returns x.\n  If x is nil, throws.\"\n  [x]\n  (if x x (throw (ex-info \"nil\" {}))))\n", 3, 1.0 / 3, 2},
		{"clojure comment", "clojure", ";; if this\n(when x y)\n", 1, 1.0 / 2, 0},
		{"lua long comment", "lua", "--[[\nif the rock is missing\nreturn nil\n]]\nif x then return end\n", 2, 3.0 / 4, 2},
		{"haskell block", "haskell", "{- |\n  if the parser fails,\n  it returns -}\nf x = case x of _ -> x\n", 2, 2.0 / 3, 1},
		{"ocaml block", "ocaml", "(** Parse.\n    if the argument is missing, fail *)\nlet f x = match x with _ -> x\n", 2, 1.0 / 2, 1},
		{"elixir moduledoc showing a heredoc", "elixir", "  @moduledoc ~S'''\n  Example:\n      \"\"\"\n      text\n      \"\"\"\n  '''\n  def f(x) do\n    if x, do: x\n  end\n", 1, 6.0 / 9, 1},
		{"elixir @doc heredoc", "elixir", "  @doc \"\"\"\n  Calls.\n  \"\"\"\n  def call(s) do\n    if s, do: s\n  end\n", 1, 3.0 / 6, 1},
		{"elixir heredoc", "elixir", "  message = \"\"\"\n  if init is missing\n  \"\"\"\n  if x, do: y\n", 2, 2.0 / 3, 1},
		{"no syntax known", "", "/*\n  if the buffer is full,\n*/\n", 2, 1.0 / 2, 1},
	} {
		lines := strings.Count(tc.text, "\n")
		got := FileFacts(tc.text, tc.language, []Chunk{{StartLine: tc.from, EndLine: lines}})[0]
		if got.Comments-tc.comments > 1e-9 || tc.comments-got.Comments > 1e-9 || got.Logic != tc.logic {
			t.Errorf("%s: FileFacts from line %d = %+v, want comments %.3f and logic %d", tc.name, tc.from, got, tc.comments, tc.logic)
		}
	}
}

// A chunk read alone and read in its file have the same facts when
// nothing spans its first line, and FileFacts tolerates spans past the
// text.
func TestFileFactsAgreeWithScanFacts(t *testing.T) {
	text := "# a\nif x:\n    return y\n"
	if got, want := FileFacts(text, "python", []Chunk{{StartLine: 1, EndLine: 3}})[0], ScanFacts(text); got != want {
		t.Errorf("FileFacts = %+v, ScanFacts = %+v", got, want)
	}
	if got := FileFacts(text, "python", []Chunk{{StartLine: 3, EndLine: 9}, {StartLine: 7, EndLine: 9}}); got[0].Logic != 1 || got[1] != (Facts{}) {
		t.Errorf("FileFacts past the text = %+v", got)
	}
}

// A file says in its first lines that a program wrote it: Bison's and
// flex's output, Go's "Code generated ... DO NOT EDIT.", Sphinx's and
// Cargo's notices; a comment that only mentions generating, a notice
// below the first lines or outside a comment does not count.
func TestGeneratedText(t *testing.T) {
	for text, want := range map[string]bool{
		"/* A Bison parser, made by GNU Bison 3.0.4.  */\n\n/* Bison implementation */\n":         true,
		"#line 2 \"src/lexer.c\"\n\n#line 4 \"src/lexer.c\"\n#define  YY_INT_ALIGNED short int\n": true,
		"#ifndef jq_yyHEADER_H\n#define jq_yyHEADER_H 1\n\n#line 6 \"src/lexer.h\"\n":             true,
		"// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage api\n":                       true,
		"# -*- coding: utf-8 -*-\n# Autogenerated by Sphinx on Tue Feb  7 2023\ntopics = {}\n":    true,
		"# THIS FILE IS AUTOMATICALLY GENERATED BY CARGO\n[package]\n":                            true,
		"-- @generated by a tool\nmodule Main where\n":                                            true,
		"%{\n#include \"parser.h\"  /* Generated by bison. */\n":                                  false,
		"/**\n * The `timestamp` is generated by the scheduler's now function.\n */\n":            false,
		"Please do not edit it manually.\n":                                                       false,
		"package gin\n\n// Context is the most important part of gin.\n":                          false,
		strings.Repeat("int x;\n", generatedLines) + "// Code generated by hand. DO NOT EDIT.\n":  false,
		"": false,
	} {
		if got := GeneratedText(text); got != want {
			t.Errorf("GeneratedText(%q) = %v, want %v", text, got, want)
		}
	}
}

// serverGo returns net/http's server.go and its chunks, the input of
// the facts benchmarks, with b's bytes set to its size.
func serverGo(b *testing.B) (string, []Chunk) {
	src, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "net", "http", "server.go"))
	if err != nil {
		b.Skip("GOROOT's net/http/server.go is not here:", err)
	}
	b.SetBytes(int64(len(src)))
	return string(src), Split(string(src), Options{Language: "go"})
}

// BenchmarkFileFacts reads the facts of every chunk of net/http's
// server.go with the file around them, as the indexer does for each file
// it writes.
func BenchmarkFileFacts(b *testing.B) {
	src, chunks := serverGo(b)
	b.ReportAllocs()
	for b.Loop() {
		FileFacts(src, "go", chunks)
	}
}

// BenchmarkScanFacts reads the facts of every chunk of net/http's
// server.go, each alone, as the ranking does for a chunk whose metadata
// lacks them.
func BenchmarkScanFacts(b *testing.B) {
	_, chunks := serverGo(b)
	for b.Loop() {
		for _, c := range chunks {
			ScanFacts(c.Text)
		}
	}
}
