package chunk

import "strings"

// lines indexes the lines of a text. Line i, counted from 0, is
// all[starts[i]:starts[i+1]], its "\n" included.
type lines struct {
	all    string
	starts []int // offsets of every line start, then len(all)
}

func splitLines(text string) lines {
	starts := make([]int, 1, strings.Count(text, "\n")+2)
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			i = len(text)
		} else {
			i += j + 1
		}
		starts = append(starts, i)
	}
	return lines{all: text, starts: starts}
}

// count returns the number of lines.
func (ls lines) count() int { return len(ls.starts) - 1 }

// text returns lines i to j-1.
func (ls lines) text(i, j int) string { return ls.all[ls.starts[i]:ls.starts[j]] }

// size returns the length in bytes of lines i to j-1.
func (ls lines) size(i, j int) int { return ls.starts[j] - ls.starts[i] }

// windowEnd returns the end of the longest window of lines from start
// that fits in maxChars, and of one line if even that does not fit.
func (ls lines) windowEnd(start, maxChars int) int {
	end := start + 1
	for end < ls.count() && ls.size(start, end+1) <= maxChars {
		end++
	}
	return end
}

// seamEnd returns where to end the window of lines start to end-1 when
// more text follows: before its last top-level declaration, with the
// comments above it, or else after its last blank line, or else, in code,
// after the last line that ends a statement, provided the shortened
// window keeps at least 60% of its size and ends at minEnd or later;
// otherwise end.
func (ls lines) seamEnd(start, end, minEnd int, code bool) int {
	full := ls.size(start, end)
	ok := func(k int) bool { return k >= minEnd && 5*ls.size(start, k) >= 3*full }
	afterBlank, afterStatement := 0, 0
	for k := end; ok(k); k-- {
		if isDeclaration(ls.text(k, k+1)) {
			for ok(k-1) && isPreamble(ls.text(k-1, k)) {
				k--
			}
			return k
		}
		prev := ls.text(k-1, k)
		if afterBlank == 0 && isBlank(prev) {
			afterBlank = k
		}
		if code && afterStatement == 0 && endsStatement(prev) {
			afterStatement = k
		}
	}
	if afterBlank > 0 {
		return afterBlank
	}
	if afterStatement > 0 {
		return afterStatement
	}
	return end
}

// overlapStart returns where the window after the one of lines start to
// end-1 begins: at its last lines that fit in the overlap, but after
// start, and with room for line end, so that every window has new lines.
func (ls lines) overlapStart(start, end int, opts Options) int {
	j := end
	for j-1 > start && ls.size(j-1, end) <= opts.OverlapChars && ls.size(j-1, end+1) <= opts.MaxChars {
		j--
	}
	return j
}

// declarationPrefixes start the top-level declarations of common
// languages, and Markdown headings, at column 0.
var declarationPrefixes = []string{
	"func ", "type ", "var ", "const ", "package ", "import ", // Go
	"def ", "async def ", "class ", "@", // Python, decorators and annotations
	"fn ", "pub ", "impl ", "struct ", "enum ", "trait ", "mod ", "macro_rules!", // Rust
	"function ", "async function ", "export ", "interface ", "declare ", "module.exports", // JavaScript, TypeScript
	"public ", "private ", "protected ", "internal ", "static ", "abstract ", "final ", "sealed ", // Java, C#, Kotlin
	"namespace ", "template", "typedef ", "extern ", // C, C++
	"module ", "object ", "fun ", "val ", "let ", // Ruby, Scala, Kotlin, OCaml
	"#", // Markdown headings, C preprocessor, shell and Python comments
}

// isDeclaration reports whether line starts a top-level declaration.
func isDeclaration(line string) bool {
	for _, p := range declarationPrefixes {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// isPreamble reports whether line is a comment or annotation that belongs
// to the declaration below it.
func isPreamble(line string) bool {
	t := strings.TrimLeft(line, " \t")
	for _, p := range []string{"//", "/*", "*/", "#", "--", "@", ";;"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	// The middle of a block comment, but not a Markdown list item.
	return len(t) < len(line) && strings.HasPrefix(t, "*")
}

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

// endsStatement reports whether a line of code looks like the end of a
// statement: it is not blank and does not end in a comma, an opening
// bracket, an operator or a line continuation.
func endsStatement(line string) bool {
	t := strings.TrimRight(line, " \t\r\n")
	return t != "" && !strings.ContainsRune(",([+-*/%&|^=<>!?:.\\", rune(t[len(t)-1]))
}
