package chunk

import (
	"go/token"
	"strings"
	"unicode"
	"unicode/utf8"
)

// goLexer splits Go source text into the tokens go/scanner gives with
// ScanComments: the same tokens at the same offsets, semicolons inserted
// by the same rule (at a newline or the end of the text after a line's
// last token, and after a /*...*/ comment holding a newline), comments
// returned as tokens. goDeclarations reads it instead of go/scanner
// because go/scanner copies the text, allocates a string for every
// identifier, literal and comment and records every line's offset, and
// goDeclarations needs none of that: a token here is its offsets, and its
// text is a slice of the source.
//
// failed is set at the lexical errors go/scanner reports, with one
// exception: a malformed number literal (an invalid digit, an exponent or
// a separator out of place) is cut where go/scanner cuts it but not
// reported, since declarations are found the same either way.
// TestGoLexerMatchesScanner compares the two over GOROOT and
// FuzzGoLexer over random text.
type goLexer struct {
	src        string
	off        int  // the offset of the next byte to read
	insertSemi bool // a newline or the end of the text ends a statement here
	nlPos      int  // where a ';' is due after a /*...*/ comment, or -1
	failed     bool
}

// bom is the byte order mark, allowed once, at the start of the text.
const bom = "\uFEFF"

func newGoLexer(src string) goLexer {
	l := goLexer{src: src, nlPos: -1}
	if strings.HasPrefix(src, bom) {
		l.off = len(bom)
	}
	// go/scanner reports these wherever they are, inside comments and
	// strings too: one pass over the text finds them.
	if !utf8.ValidString(src) || strings.IndexByte(src, 0) >= 0 || strings.Contains(src[l.off:], bom) {
		l.failed = true
	}
	return l
}

// scan returns the next token, its offset and the offset just after it.
// After the text it returns token.EOF, forever.
func (l *goLexer) scan() (off int, tok token.Token, end int) {
	if l.nlPos >= 0 {
		off, l.nlPos = l.nlPos, -1
		return off, token.SEMICOLON, off + 1
	}
	for l.off < len(l.src) {
		c := l.src[l.off]
		if c != ' ' && c != '\t' && c != '\r' && (c != '\n' || l.insertSemi) {
			break
		}
		l.off++
	}
	off = l.off
	if off == len(l.src) {
		if l.insertSemi {
			l.insertSemi = false
			return off, token.SEMICOLON, off
		}
		return off, token.EOF, off
	}
	insertSemi := false
	switch c := l.src[off]; {
	case isIdentStart(l.src, off):
		l.off = identEnd(l.src, off)
		tok = keyword(l.src[off:l.off])
		switch tok {
		case token.IDENT, token.BREAK, token.CONTINUE, token.FALLTHROUGH, token.RETURN:
			insertSemi = true
		}
	case isDecimal(c) || c == '.' && off+1 < len(l.src) && isDecimal(l.src[off+1]):
		insertSemi = true
		tok, l.off = token.INT, numberEnd(l.src, off)
	default:
		l.off++
		tok = token.ILLEGAL
		switch c {
		case '\n':
			l.insertSemi = false
			return off, token.SEMICOLON, off + 1
		case '"':
			insertSemi, tok = true, token.STRING
			l.quoted('"')
		case '\'':
			insertSemi, tok = true, token.CHAR
			l.quoted('\'')
		case '`':
			insertSemi, tok = true, token.STRING
			if i := strings.IndexByte(l.src[l.off:], '`'); i >= 0 {
				l.off += i + 1
			} else {
				l.off, l.failed = len(l.src), true
			}
		case '/':
			if l.off < len(l.src) && (l.src[l.off] == '/' || l.src[l.off] == '*') {
				l.comment(off)
				return off, token.COMMENT, l.off
			}
			tok = l.operator(token.QUO, token.QUO_ASSIGN)
		case ':':
			tok = l.operator(token.COLON, token.DEFINE)
		case '.':
			tok = token.PERIOD
			if strings.HasPrefix(l.src[l.off:], "..") {
				l.off += 2
				tok = token.ELLIPSIS
			}
		case ',':
			tok = token.COMMA
		case ';':
			tok = token.SEMICOLON
		case '(':
			tok = token.LPAREN
		case ')':
			insertSemi, tok = true, token.RPAREN
		case '[':
			tok = token.LBRACK
		case ']':
			insertSemi, tok = true, token.RBRACK
		case '{':
			tok = token.LBRACE
		case '}':
			insertSemi, tok = true, token.RBRACE
		case '+':
			if tok = l.operator(token.ADD, token.ADD_ASSIGN); tok == token.ADD && l.next('+') {
				insertSemi, tok = true, token.INC
			}
		case '-':
			if tok = l.operator(token.SUB, token.SUB_ASSIGN); tok == token.SUB && l.next('-') {
				insertSemi, tok = true, token.DEC
			}
		case '*':
			tok = l.operator(token.MUL, token.MUL_ASSIGN)
		case '%':
			tok = l.operator(token.REM, token.REM_ASSIGN)
		case '^':
			tok = l.operator(token.XOR, token.XOR_ASSIGN)
		case '<':
			switch {
			case l.next('-'):
				tok = token.ARROW
			case l.next('<'):
				tok = l.operator(token.SHL, token.SHL_ASSIGN)
			default:
				tok = l.operator(token.LSS, token.LEQ)
			}
		case '>':
			if l.next('>') {
				tok = l.operator(token.SHR, token.SHR_ASSIGN)
			} else {
				tok = l.operator(token.GTR, token.GEQ)
			}
		case '=':
			tok = l.operator(token.ASSIGN, token.EQL)
		case '!':
			tok = l.operator(token.NOT, token.NEQ)
		case '&':
			switch {
			case l.next('^'):
				tok = l.operator(token.AND_NOT, token.AND_NOT_ASSIGN)
			case l.next('&'):
				tok = token.LAND
			default:
				tok = l.operator(token.AND, token.AND_ASSIGN)
			}
		case '|':
			if l.next('|') {
				tok = token.LOR
			} else {
				tok = l.operator(token.OR, token.OR_ASSIGN)
			}
		case '~':
			tok = token.TILDE
		default: // an illegal character; go/scanner keeps insertSemi
			insertSemi, l.failed = l.insertSemi, true
			_, size := utf8.DecodeRuneInString(l.src[off:])
			l.off = off + size
		}
	}
	l.insertSemi = insertSemi
	return off, tok, l.off
}

// next moves past the next byte if it is c.
func (l *goLexer) next(c byte) bool {
	if l.off < len(l.src) && l.src[l.off] == c {
		l.off++
		return true
	}
	return false
}

// operator returns assign and moves past '=' if that comes next, and
// returns op otherwise.
func (l *goLexer) operator(op, assign token.Token) token.Token {
	if l.next('=') {
		return assign
	}
	return op
}

// comment moves past the comment that starts at off with "//" or "/*".
// A line comment keeps insertSemi as it is (the newline after it inserts
// the ';'); a general comment holding a newline where one is due returns
// it after the comment, at the first newline, as go/scanner does.
func (l *goLexer) comment(off int) {
	if l.src[l.off] == '/' {
		if i := strings.IndexByte(l.src[l.off:], '\n'); i >= 0 {
			l.off += i
		} else {
			l.off = len(l.src)
		}
		return
	}
	if i := strings.Index(l.src[off+2:], "*/"); i >= 0 {
		l.off = off + 2 + i + 2
	} else {
		l.off, l.failed = len(l.src), true
	}
	if nl := strings.IndexByte(l.src[off:l.off], '\n'); nl >= 0 && l.insertSemi {
		l.nlPos, l.insertSemi = off+nl, false
	}
}

// quoted moves past a string or rune literal whose opening quote is
// behind; a rune literal holds exactly one character or escape.
func (l *goLexer) quoted(quote byte) {
	n := 0
	for {
		if l.off == len(l.src) || l.src[l.off] == '\n' {
			l.failed = true // not terminated
			return
		}
		c := l.src[l.off]
		l.off++
		switch {
		case c == quote:
			if quote == '\'' && n != 1 {
				l.failed = true
			}
			return
		case c == '\\':
			if !l.escape(quote) {
				l.failed = true
			}
		case c >= utf8.RuneSelf && c&0xC0 == 0x80:
			continue // a continuation byte: the character was counted
		}
		n++
	}
}

// escape moves past an escape sequence whose backslash is behind and
// reports whether it is valid in a literal quoted by quote.
func (l *goLexer) escape(quote byte) bool {
	if l.off == len(l.src) {
		return false
	}
	var n int
	var base, max uint32
	switch c := l.src[l.off]; c {
	case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\', quote:
		l.off++
		return true
	case '0', '1', '2', '3', '4', '5', '6', '7':
		n, base, max = 3, 8, 255
	case 'x':
		l.off++
		n, base, max = 2, 16, 255
	case 'u':
		l.off++
		n, base, max = 4, 16, unicode.MaxRune
	case 'U':
		l.off++
		n, base, max = 8, 16, unicode.MaxRune
	default:
		return false
	}
	var x uint32
	for ; n > 0; n-- {
		if l.off == len(l.src) {
			return false
		}
		d := digitVal(l.src[l.off])
		if d >= base {
			return false
		}
		x = x*base + d
		l.off++
	}
	return x <= max && (x < 0xD800 || x >= 0xE000)
}

func digitVal(c byte) uint32 {
	switch {
	case '0' <= c && c <= '9':
		return uint32(c - '0')
	case 'a' <= c && c <= 'f':
		return uint32(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return uint32(c - 'A' + 10)
	}
	return 16
}

func isDecimal(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return digitVal(c) < 16 }

// isIdentStart reports whether an identifier starts at src[off]: a letter
// or '_'.
func isIdentStart(src string, off int) bool {
	c := src[off]
	if c < utf8.RuneSelf {
		return 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_'
	}
	r, _ := utf8.DecodeRuneInString(src[off:])
	return unicode.IsLetter(r)
}

// identEnd returns the offset after the identifier that starts at off.
func identEnd(src string, off int) int {
	for off < len(src) {
		c := src[off]
		if c < utf8.RuneSelf {
			if 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_' || isDecimal(c) {
				off++
				continue
			}
			break
		}
		r, size := utf8.DecodeRuneInString(src[off:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		off += size
	}
	return off
}

// numberEnd returns the offset after the number literal that starts at
// off, where go/scanner ends it: an integer part (after a 0x, 0b or 0o
// prefix, hexadecimal digits for 0x, decimal ones otherwise), a fraction,
// an exponent (e or p, a sign, decimal digits) and an imaginary 'i', '_'
// among the digits.
func numberEnd(src string, off int) int {
	hex := false
	if src[off] == '0' && off+1 < len(src) {
		switch src[off+1] | 0x20 {
		case 'x':
			hex = true
			off += 2
		case 'b', 'o':
			off += 2
		}
	}
	digits := func() {
		for off < len(src) && (src[off] == '_' || isDecimal(src[off]) || hex && isHex(src[off])) {
			off++
		}
	}
	digits()
	if off < len(src) && src[off] == '.' {
		off++
		digits()
	}
	if off < len(src) && (src[off]|0x20 == 'e' || src[off]|0x20 == 'p') {
		off++
		if off < len(src) && (src[off] == '+' || src[off] == '-') {
			off++
		}
		hex = false
		digits()
	}
	if off < len(src) && src[off] == 'i' {
		off++
	}
	return off
}

// keyword returns the keyword token that ident is, or token.IDENT.
func keyword(ident string) token.Token {
	if len(ident) < 2 || len(ident) > 11 || ident[0] < 'b' || ident[0] > 'v' {
		return token.IDENT
	}
	switch ident {
	case "break":
		return token.BREAK
	case "case":
		return token.CASE
	case "chan":
		return token.CHAN
	case "const":
		return token.CONST
	case "continue":
		return token.CONTINUE
	case "default":
		return token.DEFAULT
	case "defer":
		return token.DEFER
	case "else":
		return token.ELSE
	case "fallthrough":
		return token.FALLTHROUGH
	case "for":
		return token.FOR
	case "func":
		return token.FUNC
	case "go":
		return token.GO
	case "goto":
		return token.GOTO
	case "if":
		return token.IF
	case "import":
		return token.IMPORT
	case "interface":
		return token.INTERFACE
	case "map":
		return token.MAP
	case "package":
		return token.PACKAGE
	case "range":
		return token.RANGE
	case "return":
		return token.RETURN
	case "select":
		return token.SELECT
	case "struct":
		return token.STRUCT
	case "switch":
		return token.SWITCH
	case "type":
		return token.TYPE
	case "var":
		return token.VAR
	}
	return token.IDENT
}
