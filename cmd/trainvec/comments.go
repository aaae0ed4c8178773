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

// commentBlocks returns the comment blocks of a source file, each with the
// code lines that follow it up to the first blank line or comment (at most
// maxCode lines: the declaration and the start of its body), in order. Line comments (//, #), block comments (/* */,
// their * lines) and Python docstrings (a triple-quoted string after a
// line ending in ":", tied to that line and the body after it) are
// comments; licence headers and comments with no code after them are
// left out.
func commentBlocks(text string, maxCode int) []commentBlock {
	lines := strings.Split(text, "\n")
	var out []commentBlock
	for i := 0; i < len(lines); {
		start, end, docstring := commentAt(lines, i)
		if end == start {
			i++
			continue
		}
		var code []string
		if docstring {
			code = append(code, lines[i-1])
		}
		j := end
		for ; j < len(lines) && len(code) < maxCode; j++ {
			t := strings.TrimSpace(lines[j])
			if t == "" {
				break
			}
			if s, e, _ := commentAt(lines, j); e > s {
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
// docstring.
func commentAt(lines []string, i int) (start, end int, docstring bool) {
	t := strings.TrimSpace(lines[i])
	switch {
	case lineComment(t):
		end = i
		for end < len(lines) && lineComment(strings.TrimSpace(lines[end])) {
			end++
		}
		return i, end, false
	case strings.HasPrefix(t, "/*"):
		end = i
		for end < len(lines) {
			done := strings.Contains(lines[end], "*/")
			end++
			if done {
				break
			}
		}
		return i, end, false
	case (strings.HasPrefix(t, `"""`) || strings.HasPrefix(t, `'''`)) && i > 0 &&
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

// lineComment reports a trimmed line that is a line comment: // or #,
// but not a shebang, a Rust attribute (#[, #!) or a C preprocessor line.
func lineComment(t string) bool {
	if strings.HasPrefix(t, "//") {
		return true
	}
	if !strings.HasPrefix(t, "#") || strings.HasPrefix(t, "#!") || strings.HasPrefix(t, "#[") {
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

// addBlocks records the comment blocks of text as distinct term ids, a
// block's comment then its code, each side ended by sep. Terms are
// looked up, not added: the file's own terms are already counted.
func (c *corpus) addBlocks(text string) {
	for _, b := range commentBlocks(text, c.codeLines) {
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
