package chunk

import (
	"go/token"
	"strings"
)

// goDeclarations returns the top-level declarations of Go source text,
// each with its doc comment, and the names they declare (a method as
// Recv.Name, "_" left out); false if text does not scan, its brackets do
// not balance or a declaration is not where one must be.
//
// It reads tokens (go/scanner's, from goLexer) instead of parsing with
// go/parser: the chunker needs only each declaration's lines and names,
// and a token pass costs a fraction of building the syntax tree (see
// "Go declarations by go/scanner" in BENCHMARKS.md). For every file that
// go/parser accepts the result is what go/ast gives (the declaration's
// Pos to End, its Doc group included); some files go/parser rejects,
// with errors inside a declaration, are accepted here.
func goDeclarations(text string) ([]unit, []definedName, bool) {
	g := newGoScan(text)
	if g.next() != token.PACKAGE || g.next() != token.IDENT || g.next() != token.SEMICOLON {
		return nil, nil, false
	}
	var units []unit
	var names []definedName
	imports := true // imports come before the other declarations
	for {
		tok := g.next()
		switch {
		case g.failed:
			return nil, nil, false
		case tok == token.EOF:
			return units, names, true
		case tok == token.IMPORT && !imports:
			return nil, nil, false
		case tok != token.IMPORT && tok != token.FUNC && tok != token.TYPE && tok != token.VAR && tok != token.CONST:
			return nil, nil, false
		}
		imports = imports && tok == token.IMPORT
		start := g.docStart()
		if tok == token.FUNC {
			names = g.funcDecl(names)
		} else {
			names = g.genDecl(tok, names)
		}
		if g.failed {
			return nil, nil, false
		}
		units = append(units, unit{start, g.line(g.lastEnd) + 1})
	}
}

// goScan is a token stream over one file that keeps what
// goDeclarations asks of it: the open brackets, the comments before the
// current token, the offsets of the tokens around it.
type goScan struct {
	src      string
	lex      goLexer
	tok      token.Token // the current token, never a comment
	lit      string      // its text
	off      int         // the offset of tok
	prevOff  int         // the offset of the token before tok, or -1
	lastEnd  int         // the offset of the last byte of the last token that was not ';'
	open     []byte      // the brackets open at tok: '(', '[', '{'
	comments []comment   // the comments between the token before tok and tok
	recv     []recvToken // a receiver list being read
	fresh    bool        // a token has come since the last comment: comments is stale
	failed   bool        // a scan error or an unbalanced bracket

	lineOff, lineNo int // the line counted from 0 at offset lineOff
}

// A comment is the offsets of its first and last byte.
type comment struct{ start, last int }

func newGoScan(text string) *goScan {
	return &goScan{src: text, lex: newGoLexer(text), prevOff: -1, off: -1}
}

// next moves to the next token that is not a comment and returns it:
// token.EOF once the text ends or the scan has failed.
func (g *goScan) next() token.Token {
	for !g.failed {
		off, tok, end := g.lex.scan()
		if g.failed = g.lex.failed; g.failed {
			break
		}
		if tok == token.COMMENT {
			if g.fresh {
				g.comments, g.fresh = g.comments[:0], false
			}
			g.comments = append(g.comments, comment{off, end - 1})
			continue
		}
		if g.fresh {
			g.comments = g.comments[:0]
		}
		g.fresh = true
		g.prevOff, g.off, g.tok, g.lit = g.off, off, tok, g.src[off:end]
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			g.open = append(g.open, g.src[off])
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if len(g.open) == 0 || closer(g.open[len(g.open)-1]) != g.src[off] {
				g.failed = true
				continue
			}
			g.open = g.open[:len(g.open)-1]
		case token.EOF:
			g.failed = g.failed || len(g.open) > 0
			return tok
		case token.SEMICOLON:
			return tok
		}
		g.lastEnd = off
		if tok == token.STRING { // a raw string may span lines
			g.lastEnd = end - 1
		}
		return tok
	}
	g.tok = token.EOF
	return token.EOF
}

// closer returns the bracket that closes open.
func closer(open byte) byte {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

// line returns the line of offset off, counted from 0.
func (g *goScan) line(off int) int {
	if off >= g.lineOff {
		g.lineNo += strings.Count(g.src[g.lineOff:off], "\n")
	} else {
		g.lineNo -= strings.Count(g.src[off:g.lineOff], "\n")
	}
	g.lineOff = off
	return g.lineNo
}

// docStart returns the first line of the current token's doc comment, or
// its own line if it has none. The rule is go/parser's: the comments
// after the previous token are grouped, those on the previous token's
// line apart, then those on adjacent lines; the last group is the doc
// comment if it ends on the line before the token.
func (g *goScan) docStart() int {
	cs := g.comments
	if len(cs) == 0 {
		return g.line(g.off)
	}
	prevLine := -1
	if g.prevOff >= 0 {
		prevLine = g.line(g.prevOff)
	}
	i, groupStart, groupEnd := 0, -1, -1
	group := func(gap int) {
		groupStart = g.line(cs[i].start)
		groupEnd = groupStart
		for ; i < len(cs) && g.line(cs[i].start) <= groupEnd+gap; i++ {
			groupEnd = g.line(cs[i].last)
		}
	}
	if g.line(cs[0].start) == prevLine {
		group(0) // a line comment of the previous token
		groupStart = -1
	}
	for i < len(cs) {
		group(1)
	}
	if line := g.line(g.off); groupStart >= 0 && groupEnd+1 == line {
		return groupStart
	}
	return g.line(g.off)
}

// name appends the current token to names, if it is an identifier other
// than "_" (with prefix), and fails if it is not an identifier.
func (g *goScan) name(names []definedName, prefix string) []definedName {
	if g.tok != token.IDENT {
		g.failed = true
	} else if g.lit != "_" {
		name := prefix + g.lit
		if prefix == "" {
			name = strings.Clone(g.lit) // not a slice holding the whole text
		}
		names = append(names, definedName{g.line(g.off), name})
	}
	return names
}

// endDecl moves to the ';' at depth that ends the declaration or
// specification the current token is in, or to the ')' that closes the
// group it is in.
func (g *goScan) endDecl(depth int) {
	for g.tok != token.EOF && !(g.tok == token.SEMICOLON && len(g.open) == depth) && len(g.open) >= depth {
		g.next()
	}
	if g.tok == token.EOF {
		g.failed = true
	}
}

// funcDecl reads a function declaration from after its keyword and
// appends its name to names.
func (g *goScan) funcDecl(names []definedName) []definedName {
	recv := ""
	if g.next() == token.LPAREN {
		recv = g.receiverType()
		g.next()
	}
	if recv != "" {
		recv += "."
	}
	names = g.name(names, recv)
	g.endDecl(0)
	return names
}

// A recvToken is a token of a receiver list; top: not in brackets
// within the list.
type recvToken struct {
	tok token.Token
	lit string
	top bool
}

// receiverType reads a method's receiver list, from its '(' to its ')',
// and returns the name of the first receiver's type without its pointer,
// parentheses and type arguments ("Server" for (s *Server[K, V])), or ""
// if that type is not a name (go/ast's *ast.Ident) once these are off.
func (g *goScan) receiverType() string {
	depth := len(g.open)
	g.recv = g.recv[:0]
	for g.next() != token.EOF && len(g.open) >= depth {
		g.recv = append(g.recv, recvToken{g.tok, g.lit, len(g.open) == depth})
	}
	// The list is of parameters "name Type" or of types alone; in
	// "a, b T" a and b are names of type T: the type of the first
	// receiver is that of the first named parameter if there is one.
	var first []recvToken
	for ts := g.recv; len(ts) > 0; {
		n := 0
		for n < len(ts) && !(ts[n].top && ts[n].tok == token.COMMA) {
			n++
		}
		p := ts[:n]
		if named(p) {
			return typeName(p[1:])
		}
		if first == nil && n > 0 {
			first = p
		}
		ts = ts[min(n+1, len(ts)):]
	}
	return typeName(first)
}

// named reports whether parameter p is "name Type" rather than a type:
// an identifier followed by a type, not by ".Name" (a qualified type) nor
// by "[Args]" alone (a generic type's arguments).
func named(p []recvToken) bool {
	if len(p) < 2 || p[0].tok != token.IDENT || p[1].tok == token.PERIOD {
		return false
	}
	if p[1].tok != token.LBRACK || len(p) > 2 && p[2].tok == token.RBRACK {
		return true
	}
	for i := 2; i < len(p); i++ {
		if p[i].tok == token.RBRACK && p[i].top {
			return i < len(p)-1 // "[N]Elem", an array
		}
	}
	return false
}

// typeName returns the name of type t without its pointer, parentheses
// and type arguments, or "" if it is not a name.
func typeName(t []recvToken) string {
	i := 0
	for i < len(t) && (t[i].tok == token.MUL || t[i].tok == token.LPAREN) {
		i++
	}
	if i == len(t) || t[i].tok != token.IDENT || i+1 < len(t) && t[i+1].tok == token.PERIOD {
		return ""
	}
	return t[i].lit
}

// genDecl reads an import, type, var or const declaration from after its
// keyword and appends the names it declares to names.
func (g *goScan) genDecl(keyword token.Token, names []definedName) []definedName {
	if g.next() != token.LPAREN {
		names = g.spec(keyword, names)
		g.endDecl(0)
		return names
	}
	for g.next(); g.tok != token.RPAREN && !g.failed; g.next() {
		names = g.spec(keyword, names)
		if g.endDecl(1); g.tok == token.RPAREN {
			break
		}
	}
	if g.next() != token.SEMICOLON {
		g.failed = true
	}
	return names
}

// spec reads the start of a specification of a declaration with keyword,
// from its first token: its names (none for an import), and for an
// import its path.
func (g *goScan) spec(keyword token.Token, names []definedName) []definedName {
	switch keyword {
	case token.IMPORT:
		if g.tok == token.IDENT || g.tok == token.PERIOD {
			g.next()
		}
		if g.tok != token.STRING {
			g.failed = true
		}
	case token.TYPE:
		names = g.name(names, "")
	default:
		for names = g.name(names, ""); g.next() == token.COMMA; {
			g.next()
			names = g.name(names, "")
		}
		return names
	}
	g.next()
	return names
}
