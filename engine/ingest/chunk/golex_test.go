package chunk

import (
	"fmt"
	"go/scanner"
	"go/token"
	"os"
	"strings"
	"testing"
)

// lexed is a token as TestGoLexerMatchesScanner compares it: its offset,
// its kind (go/scanner's FLOAT and IMAG as INT: goLexer does not tell
// numbers apart) and, for a comment, its offset after.
type lexed struct {
	off int
	tok token.Token
	end int
}

// scannerTokens returns go/scanner's tokens of text and its errors.
func scannerTokens(text string) ([]lexed, []string) {
	var s scanner.Scanner
	var errs []string
	file := token.NewFileSet().AddFile("", -1, len(text))
	s.Init(file, []byte(text), func(_ token.Position, msg string) { errs = append(errs, msg) }, scanner.ScanComments)
	var toks []lexed
	for {
		pos, tok, lit := s.Scan()
		t := lexed{off: file.Offset(pos), tok: tok}
		switch tok {
		case token.FLOAT, token.IMAG:
			t.tok = token.INT
		case token.COMMENT:
			t.end = t.off + len(lit) // lit has lost its '\r's
			if lit[1] == '*' && strings.Contains(text[t.off:], "\r") {
				t.end = -1 // and for /* */ not all of them: compared by offset alone
			}
		}
		toks = append(toks, t)
		if tok == token.EOF || len(toks) > len(text)+2 {
			return toks, errs
		}
	}
}

// lexerTokens returns goLexer's tokens of text and whether it failed.
func lexerTokens(text string) ([]lexed, bool) {
	l := newGoLexer(text)
	var toks []lexed
	for {
		off, tok, end := l.scan()
		t := lexed{off: off, tok: tok}
		if tok == token.COMMENT {
			lit := text[off:end]
			t.end = off + len(strings.ReplaceAll(lit, "\r", "")) // as go/scanner's lit
			if lit[1] == '*' && strings.Contains(text[off:], "\r") {
				t.end = -1
			}
		}
		toks = append(toks, t)
		if tok == token.EOF || len(toks) > len(text)+2 {
			return toks, l.failed
		}
	}
}

// exempt reports whether go/scanner's error msg is one goLexer does not
// report: a malformed number literal or //line directive.
func exempt(msg string) bool {
	for _, s := range []string{"digit", "exponent", "radix point", "mantissa", "line number", "column number"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// sameAsScanner reports how goLexer differs from go/scanner on text, or
// "" if it does not: where go/scanner reports an error, goLexer fails
// (unless the error is exempt), and otherwise they give the same tokens.
func sameAsScanner(text string) string {
	want, errs := scannerTokens(text)
	got, failed := lexerTokens(text)
	allExempt := true
	for _, e := range errs {
		allExempt = allExempt && exempt(e)
	}
	switch {
	case len(errs) > 0 && !allExempt:
		if !failed {
			return fmt.Sprintf("go/scanner reports %q, goLexer does not fail", errs)
		}
		return ""
	case failed:
		return fmt.Sprintf("goLexer fails, go/scanner reports %q", errs)
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("token %d: goLexer %+v (%s), go/scanner %+v (%s)", i, got[i], got[i].tok, want[i], want[i].tok)
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("goLexer %d tokens, go/scanner %d", len(got), len(want))
	}
	return ""
}

var goLexerTests = []string{
	"package p\n\nvar x = 1 /* a\n */ + 2\n",
	"package p\nfunc f() { x++; y-- \n return }\n",
	"a...b .5 1.e+3 0x1p-2 0X_1F 0b101 0o17 017 1_000i 0x1.8p1 1e5i ..",
	"a &^= b &^ c && d & e &= f || g |= h <- i << j <<= k >> l >>= m >= n <= o != p == q := r",
	"'a' '\\'' '\\n' '\\x41' '\\u00e9' '\\U0001F600' '\\101' 'é' \"\\\"\" \"é\\t\"",
	"`raw\r\nstring` // c\r\n/* \r */ x",
	"\uFEFFpackage p",
	"x /* no newline */ y /* new\nline */ z",
	"日本語 := 1; x٣ := 2",
	// errors
	"\"unterminated\n", "'ab'", "''", "'\\q'", "\"\\400\"", "\"\\uD800\"", "/* open", "`open", "a # b", "a \u201cq\u201d",
	"x\x00y", "a \uFEFF b", "\xff", "a\\b", "'\n'",
}

func TestGoLexer(t *testing.T) {
	for _, text := range goLexerTests {
		if diff := sameAsScanner(text); diff != "" {
			t.Errorf("%q: %s", text, diff)
		}
	}
}

// TestGoLexerMatchesScanner compares goLexer with go/scanner over the
// chunk package's Go inputs and a few directories of the standard library
// (all of GOROOT/src with -goroot: 7,712 files, one with a
// lexical error; the unit cases and FuzzGoLexer cover errors).
func TestGoLexerMatchesScanner(t *testing.T) {
	files := goInputs(t)
	var same, failed int
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := sameAsScanner(string(b)); diff != "" {
			t.Errorf("%s: %s", path, diff)
		} else if _, f := lexerTokens(string(b)); f {
			failed++
		} else {
			same++
		}
	}
	t.Logf("%d files: %d the same, %d failed by both", len(files), same, failed)
	if same < 100 {
		t.Errorf("only %d files compared", same)
	}
}

// FuzzGoLexer compares goLexer with go/scanner on random text.
func FuzzGoLexer(f *testing.F) {
	for _, text := range goLexerTests {
		f.Add(text)
	}
	for _, tt := range goDeclarationsTests {
		f.Add(tt.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if diff := sameAsScanner(text); diff != "" {
			t.Fatal(diff)
		}
	})
}
