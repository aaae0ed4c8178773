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
// are not comments (//, #, /*, * and -- at their start), so that the
// prose of a doc comment ("if the caller ...") counts no keyword.
func ScanFacts(text string) Facts {
	n, lines, comments := 0, 0, 0
	for i := 0; i < len(text); {
		// At the start of a line: skip its indentation, and the line if
		// it is a comment.
		for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
			i++
		}
		if i < len(text) && text[i] != '\n' {
			lines++
		}
		if commentAt(text, i) {
			comments++
			for i < len(text) && text[i] != '\n' {
				i++
			}
		}
		for i < len(text) && text[i] != '\n' {
			if !wordByte[text[i]] {
				i++
				continue
			}
			j := i + 1
			for j < len(text) && wordByte[text[j]] {
				j++
			}
			if j-i >= 2 && j-i <= 8 && text[i] >= 'a' && text[i] <= 'z' && logicWord(text[i:j]) {
				n++
			}
			i = j
		}
		i++ // the newline
	}
	f := Facts{Logic: min(n, MaxLogic)}
	if lines > 0 {
		f.Comments = float64(comments) / float64(lines)
	}
	return f
}

// commentAt reports whether a comment starts at text[i].
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
