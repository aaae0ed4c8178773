package main

import (
	"math"
	"slices"
	"strings"

	"workspace-qdrant-mcp/engine/analysis"
)

// A comment block and the code it describes: the English of a doc
// comment ("report the true address of the client behind load balancers")
// and the identifiers of the declaration after it (ClientIP,
// X-Forwarded-For) rarely fall within a few terms of each other, so the
// window alone ties comment words to comment words and code to code.
// Pairs across a block tie them to each other.

// commentBlock is the text of one comment block and of the code lines it
// documents.
type commentBlock struct {
	comment, code string
}

// syntax is how a language marks its comments, as commentBlocks reads
// them.
type syntax struct {
	// line holds the marks that start a line comment (a "#" line is not
	// a shebang, a Rust attribute or a C preprocessor line).
	line []string
	// blocks holds the open and close marks of block comments and doc
	// strings; a block starts at a line that begins with its open mark
	// and ends at the first line holding its close mark after that.
	blocks [][2]string
	// docstrings: a triple-quoted string after a line ending in ":" (a
	// Python docstring) is a comment, tied to that line and the body
	// after it.
	docstrings bool
	// gap lets blank lines separate a comment from the code it
	// documents (Perl's POD ends with =cut, then a blank line, then sub).
	gap bool
}

var (
	// scripting is that of the corpus's first languages, read alike:
	// Go, JavaScript, TypeScript, Python, Rust, Ruby and PHP.
	scripting = syntax{line: []string{"//", "#"}, blocks: [][2]string{{"/*", "*/"}}, docstrings: true}
	// cFamily covers C, C++, Java, Kotlin, Scala, C#, Swift, Dart and Zig;
	// /// doc comments are // lines.
	cFamily = syntax{line: []string{"//"}, blocks: [][2]string{{"/*", "*/"}}}
	haskell = syntax{line: []string{"--"}, blocks: [][2]string{{"{-", "-}"}}}
	lua     = syntax{line: []string{"--"}, blocks: [][2]string{{"--[[", "]]"}, {"--[=[", "]=]"}}}
	ocaml   = syntax{blocks: [][2]string{{"(*", "*)"}}}
	erlang  = syntax{line: []string{"%"}}
	clojure = syntax{line: []string{";"}}
	perl    = syntax{line: []string{"#"}, gap: true, blocks: [][2]string{
		{"=head", "=cut"}, {"=pod", "=cut"}, {"=item", "=cut"}, {"=over", "=cut"},
		{"=begin", "=cut"}, {"=for", "=cut"}, {"=encoding", "=cut"},
	}}
	elixir = syntax{line: []string{"#"}, blocks: [][2]string{
		{`@doc """`, `"""`}, {`@doc ~S"""`, `"""`}, {`@moduledoc """`, `"""`}, {`@typedoc """`, `"""`},
	}}
	julia = syntax{line: []string{"#"}, blocks: [][2]string{{"#=", "=#"}, {`"""`, `"""`}}}
)

// firstLanguages are the file kinds of the corpus's first languages, Go,
// JavaScript, TypeScript, Python, Rust, Ruby and PHP: trainvec's
// -languages first, the shipped table's.
var firstLanguages = map[string]bool{
	".go": true, ".js": true, ".mjs": true, ".cjs": true, ".jsx": true,
	".ts": true, ".tsx": true, ".mts": true, ".cts": true, ".py": true,
	".rs": true, ".rb": true, ".php": true,
}

// sourceSyntax maps the file kinds read from the corpus, code with its
// comments and docstrings, where the words of questions about code live,
// to their comment syntax.
var sourceSyntax = map[string]syntax{
	".go": scripting, ".js": scripting, ".mjs": scripting, ".cjs": scripting, ".jsx": scripting,
	".ts": scripting, ".tsx": scripting, ".mts": scripting, ".cts": scripting, ".py": scripting,
	".rs": scripting, ".rb": scripting, ".php": scripting,

	".c": cFamily, ".h": cFamily, ".cc": cFamily, ".cpp": cFamily, ".cxx": cFamily,
	".hpp": cFamily, ".hh": cFamily, ".hxx": cFamily, ".java": cFamily, ".kt": cFamily,
	".kts": cFamily, ".scala": cFamily, ".cs": cFamily, ".swift": cFamily, ".dart": cFamily,
	".zig": cFamily,
	".hs":  haskell, ".lua": lua, ".ml": ocaml, ".mli": ocaml, ".erl": erlang, ".hrl": erlang,
	".clj": clojure, ".cljs": clojure, ".cljc": clojure, ".pm": perl, ".pl": perl,
	".ex": elixir, ".exs": elixir, ".jl": julia,
}

// commentBlocks returns the comment blocks of a source file in syntax
// syn, each with the code lines that follow it up to the first blank line
// or comment (at most maxCode lines: the declaration and the start of its
// body), in order. Licence headers and comments with no code after them
// are left out.
func commentBlocks(text string, syn syntax, maxCode int) []commentBlock {
	lines := strings.Split(text, "\n")
	var out []commentBlock
	for i := 0; i < len(lines); {
		start, end, docstring := syn.commentAt(lines, i)
		if end == start {
			i++
			continue
		}
		var code []string
		if docstring {
			code = append(code, lines[i-1])
		}
		j := end
		for syn.gap && j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		for ; j < len(lines) && len(code) < maxCode; j++ {
			t := strings.TrimSpace(lines[j])
			if t == "" {
				break
			}
			if s, e, _ := syn.commentAt(lines, j); e > s {
				break
			}
			code = append(code, lines[j])
		}
		comment := strings.Join(lines[start:end], "\n")
		if len(code) > 0 && !licence(comment) {
			out = append(out, commentBlock{comment: comment, code: strings.Join(code, "\n")})
		}
		i = max(end, i+1)
	}
	return out
}

// commentAt returns the lines [start, end) of the comment that begins at
// line i, if one does (else end == start), and whether it is a Python
// docstring. Block marks are tried before line marks (Lua's --[[ is a
// block, -- a line).
func (syn syntax) commentAt(lines []string, i int) (start, end int, docstring bool) {
	t := strings.TrimSpace(lines[i])
	for _, b := range syn.blocks {
		if !strings.HasPrefix(t, b[0]) {
			continue
		}
		end = i + 1
		if !strings.Contains(t[len(b[0]):], b[1]) {
			for end < len(lines) && !strings.Contains(lines[end], b[1]) {
				end++
			}
			end = min(end+1, len(lines))
		}
		return i, end, false
	}
	switch {
	case syn.lineComment(t):
		end = i
		for end < len(lines) && syn.lineComment(strings.TrimSpace(lines[end])) {
			end++
		}
		return i, end, false
	case syn.docstrings && (strings.HasPrefix(t, `"""`) || strings.HasPrefix(t, `'''`)) && i > 0 &&
		strings.HasSuffix(strings.TrimSpace(lines[i-1]), ":"):
		q := t[:3]
		end = i + 1
		if !strings.Contains(t[3:], q) {
			for end < len(lines) && !strings.Contains(lines[end], q) {
				end++
			}
			end = min(end+1, len(lines))
		}
		return i, end, true
	}
	return i, i, false
}

// lineComment reports a trimmed line that is a line comment of syn, a #
// line not being a shebang, a Rust attribute (#[, #!) or a C preprocessor
// line.
func (syn syntax) lineComment(t string) bool {
	for _, m := range syn.line {
		if strings.HasPrefix(t, m) && (m != "#" || hashComment(t)) {
			return true
		}
	}
	return false
}

// hashComment reports whether a line starting with # is a comment.
func hashComment(t string) bool {
	if strings.HasPrefix(t, "#!") || strings.HasPrefix(t, "#[") {
		return false
	}
	for _, p := range []string{"#include", "#define", "#if", "#endif", "#else", "#pragma", "#undef"} {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	return true
}

// licence reports a licence or copyright header.
func licence(comment string) bool {
	l := strings.ToLower(comment)
	return strings.Contains(l, "copyright") || strings.Contains(l, "license") || strings.Contains(l, "licence")
}

// maxBlockTerms caps the distinct terms of each side of a block: the
// first ones of a long comment or body say what it is about.
const maxBlockTerms = 64

// addBlocks records the comment blocks of text, in syntax syn, as distinct term ids, a
// block's comment then its code, each side ended by sep. Terms are
// looked up, not added: the file's own terms are already counted.
func (c *corpus) addBlocks(text string, syn syntax) {
	for _, b := range commentBlocks(text, syn, c.codeLines) {
		n := len(c.blocks)
		if c.appendIDs(b.comment) == 0 || c.appendIDs(b.code) == 0 {
			c.blocks = c.blocks[:n]
		}
	}
}

// appendIDs appends the distinct known term ids of text (at most
// maxBlockTerms) and sep to c.blocks, and returns how many it appended
// before sep.
func (c *corpus) appendIDs(text string) int {
	start := len(c.blocks)
	for _, t := range analysis.Terms(text) {
		id, ok := c.ids[t]
		if !ok || slices.Contains(c.blocks[start:], id) {
			continue
		}
		c.blocks = append(c.blocks, id)
		if len(c.blocks)-start == maxBlockTerms {
			break
		}
	}
	n := len(c.blocks) - start
	c.blocks = append(c.blocks, sep)
	return n
}

// tieComments adds to m (rows × cols, as cooccur counts it) every pair of
// a comment term and a code term of one block, both ways, weighted
// weight/√(C·D) for a block of C comment and D code terms, so that a
// block adds weight·√(C·D) in all, growing with both sides but less than
// their product.
func (c *corpus) tieComments(m []float32, rows, cols []uint32, weight float64) {
	row, col := c.positions(rows, cols)
	nc := len(cols)
	b := c.blocks
	for len(b) > 0 {
		i := slices.Index(b, sep)
		comment := b[:i]
		b = b[i+1:]
		j := slices.Index(b, sep)
		code := b[:j]
		b = b[j+1:]
		w := float32(weight / math.Sqrt(float64(len(comment)*len(code))))
		for _, x := range comment {
			for _, y := range code {
				if x == y {
					continue
				}
				if r, k := row[x], col[y]; r >= 0 && k >= 0 {
					m[int(r)*nc+int(k)] += w
				}
				if r, k := row[y], col[x]; r >= 0 && k >= 0 {
					m[int(r)*nc+int(k)] += w
				}
			}
		}
	}
}
