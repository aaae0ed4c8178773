package chunk

import (
	"strconv"
	"strings"
)

// MetaFacts is the chunk metadata key under which the engine records a
// chunk's Facts (Facts.Meta), so that ranking can read them without the
// chunk's text.
const MetaFacts = "facts"

// Meta formats f for MetaFacts: the keyword count and the comment share.
func (f Facts) Meta() string {
	return strconv.Itoa(f.Logic) + " " + strconv.FormatFloat(f.Comments, 'g', 4, 64)
}

// ParseFacts reads a MetaFacts value; ok is false when s is not one.
func ParseFacts(s string) (f Facts, ok bool) {
	l, c, found := strings.Cut(s, " ")
	if !found {
		return Facts{}, false
	}
	n, err1 := strconv.Atoi(l)
	share, err2 := strconv.ParseFloat(c, 64)
	if err1 != nil || err2 != nil {
		return Facts{}, false
	}
	return Facts{Logic: n, Comments: share}, true
}

// logicWord reports whether w is a control-flow keyword, in any of the
// languages the chunker knows (if, for, return... are common to nearly
// all).
func logicWord(w string) bool {
	switch w {
	case "if", "else", "elif", "elsif", "unless",
		"for", "foreach", "while", "until", "loop",
		"switch", "case", "match", "select",
		"return", "yield", "break", "continue", "goto",
		"try", "catch", "except", "rescue", "finally", "raise", "throw",
		"defer", "await":
		return true
	}
	return false
}

// MaxLogic caps the keywords counted: past it, a chunk is all logic, and
// a long function does not outweigh a short one that matches better.
const MaxLogic = 30

// Facts is what the ranking's logic and prose rules read in a chunk's
// text.
type Facts struct {
	Logic    int     // control-flow keywords in its code lines, up to MaxLogic
	Comments float64 // the share of its non-blank lines that are comments
}

// ScanFacts reads text once for its Facts. Code lines are those that
// are not comments (//, #, /*, *, -- and Erlang's % at their start) nor
// documentation: POD and RDoc blocks (a line at column 0 such as =head1
// or =begin, to =cut or =end; a chunk that starts inside one shows it by
// closing it, by an =item, =over or =back, or by prose that ends no
// statement before its first command), everything after __END__ or __DATA__, and Elixir's @doc,
// @moduledoc and @typedoc strings, heredocs to their closing """. So the
// prose of a doc comment ("if the caller ...") counts no keyword, and a
// chunk of a Perl script's manual is prose.
func ScanFacts(text string) Facts {
	n, lines, comments := 0, 0, 0
	var doc docBlock   // the documentation block the line is in, if any
	opened := false    // whether a POD block opened in text
	statement := false // whether a line of code ended with ;, { or }
	for i := 0; i < len(text); {
		end := strings.IndexByte(text[i:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += i
		}
		line := text[i:end]
		if doc != docRest {
			switch {
			case line == "__END__" || line == "__DATA__" || line == "__END__\r" || line == "__DATA__\r":
				doc = docRest
			case len(line) > 1 && line[0] == '=' && asciiLetter(line[1]):
				switch word, _, _ := strings.Cut(strings.TrimRight(line[1:], "\r"), " "); {
				case doc == docPOD && word == "cut", doc == docRDoc && word == "end":
					doc = docClosing
				case doc == docNone && !opened && (insideWords[word] || !statement && word != "begin"):
					// The chunk began inside a block: what came before,
					// prose that ends no statement, was documentation too.
					comments, n, opened = lines, 0, true
					doc = docPOD
					if word == "cut" || word == "end" {
						doc = docClosing
					}
				case doc == docNone && word == "begin":
					doc, opened = docRDoc, true
				case doc == docNone:
					doc, opened = docPOD, true
				}
			}
		}
		// Skip the line's indentation.
		for i < end && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
			i++
		}
		if i < end {
			lines++
		}
		switch {
		case doc == docNone && elixirDoc(text[i:end]):
			doc = docClosing
			if rest := strings.TrimSpace(text[i:end]); strings.HasSuffix(rest, `"""`) || strings.HasSuffix(rest, "'''") {
				doc = docHeredoc
			}
		case doc == docHeredoc && (strings.HasPrefix(text[i:end], `"""`) || strings.HasPrefix(text[i:end], "'''")):
			doc = docClosing
		}
		if doc != docNone || commentAt(text, i) {
			if i < end {
				comments++
			}
			i = end
		} else if last := strings.TrimRight(text[i:end], " \t\r"); last != "" && strings.IndexByte(";{}", last[len(last)-1]) >= 0 {
			statement = true
		}
		if doc == docClosing {
			doc = docNone
		}
		for i < end {
			if !wordByte[text[i]] {
				i++
				continue
			}
			j := i + 1
			for j < end && wordByte[text[j]] {
				j++
			}
			if j-i >= 2 && j-i <= 8 && text[i] >= 'a' && text[i] <= 'z' && logicWord(text[i:j]) {
				n++
			}
			i = j
		}
		i = end + 1 // past the newline
	}
	f := Facts{Logic: min(n, MaxLogic)}
	if lines > 0 {
		f.Comments = float64(comments) / float64(lines)
	}
	return f
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

// wordByte holds the bytes of identifiers: ASCII letters, digits, _ and
// $, and every byte of a multibyte rune.
var wordByte = func() (t [256]bool) {
	for b := range t {
		t[b] = b == '_' || b == '$' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
	}
	return t
}()
