package chunk

import (
	"strings"
	"unicode/utf8"
)

// The line scanner behind Facts: which lines of a text are code, and
// which are comments or documentation, in a language's comment syntax,
// following block comments, docstrings, heredocs and Perl's POD from
// line to line.

// lineScan reads a text line by line, following the comments and
// documentation strings that span lines.
type lineScan struct {
	syntax commentSyntax
	doc    docScan
	open   *delimited // the comment or string the last line left open
}

// line reads one line, without its newline.
func (s *lineScan) line(line string) lineFact {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
		i++
	}
	f := lineFact{text: i < len(line)}
	bytes := s.syntax.bytes()
	mark := i < len(line) && bytes[line[i]]&byteMark != 0
	// Documentation blocks come first (the """ that closes an Elixir @doc
	// opens nothing); then a line that opens a block is read through,
	// so that the block is followed; any other comment is the whole line.
	if s.open == nil && (s.doc.indented(line[i:]) ||
		(!mark || s.syntax.opens(line, i) == nil) && (commentAt(line, i) || mark && s.syntax.lineComment(line, i))) {
		f.comment = f.text
		return f
	}
	code, contract, words := false, false, 0 // contract: a word that may declare one (contractWord)
	for i < len(line) {
		if s.open != nil {
			j := s.open.closeIn(line, i)
			if j < 0 {
				break
			}
			i, s.open = j, nil
			continue
		}
		c := line[i]
		if wordByte[c] {
			j := i + 1
			for j < len(line) && wordByte[line[j]] {
				j++
			}
			if c == '$' && j == i+1 && j < len(line) && line[j] == '#' {
				j++ // Perl's $#array and the shell's $#: no comment
			}
			// After a dot, a keyword is a method's name (str.match(…),
			// promise.catch(…)): a call, not control flow.
			if j-i >= 2 && j-i <= 8 && c >= 'a' && c <= 'z' && logicWord(line[i:j]) && !propertyName(line, j) && (i == 0 || line[i-1] != '.') {
				f.logic++
			}
			if words++; words <= contractWords && contractWord(line[i:j]) {
				contract = true
			}
			i, code = j, true
			continue
		}
		kind := bytes[c]
		if c == '/' && s.syntax.regexps {
			if end := jsRegexEnd(line, i); end > 0 {
				i, code = end, true
				continue
			}
		}
		if kind&byteMark != 0 {
			if d := s.syntax.opens(line, i); d != nil {
				i, s.open = i+len(d.open), d
				continue
			}
			if s.syntax.lineComment(line, i) {
				break
			}
		}
		switch {
		case kind&byteSpace != 0:
			i++
		case kind&byteQuote != 0:
			i, code = quoteEnd(line, i), true
		case kind&byteChar != 0:
			i, code = charEnd(line, i), true
		default:
			i, code = i+1, true
		}
	}
	f.comment = f.text && !code
	f.contract = contract && code && declaresContract(line)
	return f
}

// quoteEnd returns the index just past the string that opens at
// line[i], or len(line) if it does not close on the line.
func quoteEnd(line string, i int) int {
	q := line[i]
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(line)
}

// charEnd returns the index just past the character literal ('a',
// 'é', '\n', '\u{41}') that opens at line[i], or i+1 when ' opens none
// there, as a Rust lifetime's does.
func charEnd(line string, i int) int {
	j := i + 1
	if j >= len(line) {
		return j
	}
	if line[j] == '\\' {
		if k := strings.IndexByte(line[min(j+2, len(line)):min(j+12, len(line))], '\''); k >= 0 {
			return j + 2 + k + 1
		}
		return i + 1
	}
	_, size := utf8.DecodeRuneInString(line[j:])
	if j += size; j < len(line) && line[j] == '\'' {
		return j + 1
	}
	return i + 1
}

// delimited is a comment or string that may span lines: from open to
// close.
type delimited struct {
	open, close string
	escapes     bool // a backslash escapes the next byte, as in a string
}

// closeIn returns the index just past the close of d in line, looking
// from i, or -1 if the line does not close it.
func (d *delimited) closeIn(line string, i int) int {
	for j := i; j+len(d.close) <= len(line); j++ {
		if d.escapes && line[j] == '\\' {
			j++
			continue
		}
		if strings.HasPrefix(line[j:], d.close) {
			return j + len(d.close)
		}
	}
	return -1
}

// commentSyntax is how a language writes comments, to lineScan.
type commentSyntax struct {
	line   []string    // comments to the end of the line
	blocks []delimited // comments and documentation strings that may span lines
	quotes string      // string quotes, whose strings close on their line
	chars  bool        // ' opens a character literal
	// regexps: a / where an operand is expected opens a regular
	// expression, whose /* or quote opens nothing (JavaScript).
	regexps bool
	// kinds says what each byte may start (byteMark, byteQuote...), so
	// that lineScan looks for a mark only where one may start; nil for
	// plainBytes.
	kinds *[256]uint8
}

// What a byte may start, in commentSyntax.kinds.
const (
	byteSpace uint8 = 1 << iota // a blank
	byteMark                    // a line comment or a block
	byteQuote                   // a string
	byteChar                    // a character literal
)

// plainBytes are the kinds of a syntax that knows only blanks.
var plainBytes = func() *[256]uint8 {
	var k [256]uint8
	k[' '], k['\t'], k['\r'] = byteSpace, byteSpace, byteSpace
	return &k
}()

// withKinds returns c with its kinds.
func (c commentSyntax) withKinds() commentSyntax {
	k := *plainBytes
	for _, m := range c.line {
		k[m[0]] |= byteMark
	}
	for _, b := range c.blocks {
		k[b.open[0]] |= byteMark
	}
	for _, q := range []byte(c.quotes) {
		k[q] |= byteQuote
	}
	if c.chars {
		k['\''] |= byteChar
	}
	c.kinds = &k
	return c
}

// bytes returns what each byte may start in c.
func (c *commentSyntax) bytes() *[256]uint8 {
	if c.kinds == nil {
		return plainBytes
	}
	return c.kinds
}

// lineComment reports whether a comment to the end of the line starts
// at line[i].
func (c commentSyntax) lineComment(line string, i int) bool {
	for _, m := range c.line {
		if strings.HasPrefix(line[i:], m) {
			return true
		}
	}
	return false
}

// opens returns the block that opens at line[i], if any.
func (c commentSyntax) opens(line string, i int) *delimited {
	for k := range c.blocks {
		if strings.HasPrefix(line[i:], c.blocks[k].open) {
			return &c.blocks[k]
		}
	}
	return nil
}

// commentSyntaxes holds the comment syntax of each language whose
// comments lineScan follows across lines, by Language's names. A
// language's multi-line strings are listed where they are nearly always
// documentation or text (Python's and Julia's triple quotes, Elixir's
// heredocs, Clojure's docstrings), and never where they hold code.
var commentSyntaxes = func() map[string]commentSyntax {
	slash := delimited{open: "/*", close: "*/"}
	cLike := commentSyntax{line: []string{"//"}, blocks: []delimited{slash}, quotes: `"`, chars: true}
	script := commentSyntax{line: []string{"//"}, blocks: []delimited{slash}, quotes: "\"'`", regexps: true}
	hash := commentSyntax{line: []string{"#"}, quotes: `"'`}
	triple := []delimited{{open: `"""`, close: `"""`, escapes: true}, {open: "'''", close: "'''", escapes: true}}
	m := map[string]commentSyntax{
		"javascript": script, "typescript": script,
		"php":    {line: []string{"//", "#"}, blocks: []delimited{slash}, quotes: `"'`},
		"python": {line: []string{"#"}, blocks: triple, quotes: `"'`},
		"elixir": {line: []string{"#"}, blocks: triple, quotes: `"'`},
		"julia":  {line: []string{"#"}, blocks: []delimited{{open: "#=", close: "=#"}, triple[0]}, quotes: `"`},
		"ruby":   hash, "perl": hash, "shell": hash, "fish": hash, "r": hash, "nim": hash,
		"lua":     {line: []string{"--"}, blocks: []delimited{{open: "--[[", close: "]]"}, {open: "--[=[", close: "]=]"}}, quotes: `"'`},
		"haskell": {line: []string{"--"}, blocks: []delimited{{open: "{-", close: "-}"}}, quotes: `"`},
		"ocaml":   {blocks: []delimited{{open: "(*", close: "*)"}}, quotes: `"`},
		"erlang":  {line: []string{"%"}, quotes: `"`},
		"clojure": {line: []string{";"}, blocks: []delimited{{open: `"`, close: `"`, escapes: true}}},
		"zig":     {line: []string{"//"}, quotes: `"`, chars: true},
		"sql":     {line: []string{"--"}, blocks: []delimited{slash}, quotes: `'"`},
		"css":     {blocks: []delimited{slash}, quotes: `"'`},
	}
	for _, lang := range [...]string{"c", "cpp", "java", "kotlin", "scala", "csharp", "swift", "rust", "objective-c", "objective-cpp"} {
		m[lang] = cLike
	}
	quoted := cLike // Groovy's and Dart's 'x' is a string ('**/*.groovy' opens no comment)
	quoted.quotes, quoted.chars = `"'`, false
	m["groovy"], m["dart"] = quoted, quoted
	goSyntax := cLike
	goSyntax.quotes = "\"`" // a raw string's /* (a glob, an embedded query) opens no comment
	m["go"] = goSyntax
	for lang, c := range m {
		m[lang] = c.withKinds()
	}
	return m
}()

// docScan follows, line by line, the documentation blocks of a text:
// POD and RDoc blocks (a line at column 0 such as =head1 or =begin, to
// =cut or =end), everything after __END__ or __DATA__, and Elixir's
// @doc, @moduledoc and @typedoc strings, heredocs to their closing """.
type docScan struct {
	block     docBlock
	opened    bool   // whether a POD or RDoc block opened in the text
	statement bool   // whether a line of code ended with ;, { or }
	heredoc   string // the quotes that close the open heredoc, """ or '''
}

// column0 reads a whole line for the marks at its column 0, before
// indented. It reports whether the text began inside a POD block: the
// block's first command closes it (=cut), cannot start one (=item,
// =over, =back), or follows only prose, lines that end no statement.
func (d *docScan) column0(line string) (began bool) {
	line = trimBlanks(line)
	switch {
	case d.block == docRest:
	case line == "__END__" || line == "__DATA__":
		d.block = docRest
	case len(line) > 1 && line[0] == '=' && asciiLetter(line[1]):
		word, _, _ := strings.Cut(line[1:], " ")
		switch {
		case d.block == docPOD && word == "cut", d.block == docRDoc && word == "end":
			d.block = docClosing
		case d.block != docNone:
		case !d.opened && (insideWords[word] || !d.statement && word != "begin"):
			d.block, d.opened, began = docPOD, true, true
			if word == "cut" || word == "end" {
				d.block = docClosing
			}
		case word == "begin":
			d.block, d.opened = docRDoc, true
		default:
			d.block, d.opened = docPOD, true
		}
	}
	return began
}

// indented reads a line without its indentation and reports whether it
// is documentation.
func (d *docScan) indented(line string) bool {
	switch {
	case d.block == docNone && elixirDoc(line):
		d.block = docClosing
		if rest := strings.TrimSpace(line); strings.HasSuffix(rest, `"""`) || strings.HasSuffix(rest, "'''") {
			d.block, d.heredoc = docHeredoc, rest[len(rest)-3:]
		}
	case d.block == docHeredoc && strings.HasPrefix(line, d.heredoc):
		d.block = docClosing // only the quotes that opened it close it: a ~S''' doc may show a """ heredoc
	case d.block == docNone:
		if last := trimBlanks(line); last != "" && strings.IndexByte(";{}", last[len(last)-1]) >= 0 {
			d.statement = true
		}
		return false
	}
	if d.block == docClosing {
		d.block = docNone
	}
	return true
}

// docBlock is the documentation block a line of ScanFacts is in.
type docBlock uint8

const (
	docNone    docBlock = iota
	docPOD              // Perl's POD, to =cut
	docRDoc             // Ruby's =begin, to =end
	docHeredoc          // an Elixir @doc heredoc, to its closing """
	docRest             // after __END__: to the end of the text
	docClosing          // the line that closes a block, itself documentation
)

// insideWords are the POD and RDoc commands that do not start a block
// after code: the first of a chunk shows that it began inside one.
var insideWords = map[string]bool{"cut": true, "end": true, "item": true, "back": true, "over": true}

// elixirDoc reports whether line, without its indentation, sets an
// Elixir module attribute that documents: @doc, @moduledoc or @typedoc
// with a string (not false).
func elixirDoc(line string) bool {
	if len(line) < 5 || line[0] != '@' {
		return false
	}
	for _, attr := range [...]string{"@doc ", "@moduledoc ", "@typedoc "} {
		if rest, ok := strings.CutPrefix(line, attr); ok {
			rest = strings.TrimLeft(rest, " ")
			return strings.HasPrefix(rest, `"`) || strings.HasPrefix(rest, "'") || strings.HasPrefix(rest, "~")
		}
	}
	return false
}

// trimBlanks returns line without the spaces, tabs and carriage returns
// that end it (strings.TrimRight builds its cutset on every call, and
// this runs on every line of every file indexed).
func trimBlanks(line string) string {
	n := len(line)
	for n > 0 && (line[n-1] == ' ' || line[n-1] == '\t' || line[n-1] == '\r') {
		n--
	}
	return line[:n]
}

func asciiLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// commentAt reports whether a comment starts at text[i]: Erlang's % is
// one when a space, another % or the line's end follows it, so that
// Elixir's %{} maps and %Struct{} are not.
func commentAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	switch text[i] {
	case '#', '*':
		return true
	case '/':
		return i+1 < len(text) && (text[i+1] == '/' || text[i+1] == '*')
	case '-':
		return i+1 < len(text) && text[i+1] == '-'
	case '%':
		return i+1 == len(text) || strings.IndexByte("% \t\r\n", text[i+1]) >= 0
	}
	return false
}

// propertyName reports whether the word that ends at line[j] is the name
// of a property or field rather than a keyword: directly followed by "?:"
// or "?(" (TypeScript's optional members, select?: …), or by a colon that
// more code follows on the line (select: (data) => …, an object
// literal's match: …), not by "::" nor by a colon that ends the line
// (Python's else:, try:).
func propertyName(line string, j int) bool {
	rest := line[j:]
	if strings.HasPrefix(rest, "?:") || strings.HasPrefix(rest, "?(") {
		return true
	}
	if !strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "::") {
		return false
	}
	after := strings.TrimSpace(rest[1:])
	return after != "" && !strings.HasPrefix(after, "#") && !strings.HasPrefix(after, "//")
}
