package analysis

import (
	"unicode"
	"unicode/utf8"
)

// class is the role a rune plays in an identifier.
type class uint8

const (
	separator class = iota // not part of an identifier
	lower                  // a letter with no distinct lowercase form
	upper                  // a letter whose lowercase form differs
	digit
	connector // underscores or a hyphen joining two parts of an identifier
	multibyte // in byteClasses only: classify the whole rune instead
)

func (c class) isLetter() bool { return c == lower || c == upper }

// byteClasses holds the class of every ASCII byte, the common case, and
// multibyte for the bytes that start or continue longer UTF-8 sequences.
var byteClasses = func() (t [256]class) {
	for b := range t {
		t[b] = multibyte
		if b < utf8.RuneSelf {
			t[b] = runeClass(rune(b))
		}
	}
	return t
}()

// runeClass classifies r on its own (never as a connector). A letter is
// upper when lowercasing changes it, which also covers title case and
// keeps every lowercased letter lower.
func runeClass(r rune) class {
	switch {
	case unicode.IsLetter(r):
		if unicode.ToLower(r) != r {
			return upper
		}
		return lower
	case unicode.IsDigit(r):
		return digit
	}
	return separator
}

// classAt classifies the rune at text[i] and returns its length. Invalid
// UTF-8 decodes as utf8.RuneError, a separator, so terms are always valid.
func classAt(text string, i int) (class, int) {
	if c := byteClasses[text[i]]; c != multibyte {
		return c, 1
	}
	return classOfRune(text, i)
}

// classOfRune classifies the rune at text[i] and returns its length.
func classOfRune(text string, i int) (class, int) {
	r, size := utf8.DecodeRuneInString(text[i:])
	return runeClass(r), size
}

// unit is one rune, or one connector, of an identifier.
type unit struct {
	off int // byte offset in the text
	cls class
}

// analyzer holds the scratch space of one analysis, reused through a pool.
type analyzer struct {
	buf   []byte // the terms, back to back
	ends  []int  // end offset in buf of each term
	units []unit // the identifier being split
}

// analyse fills a.buf and a.ends with the terms of text.
func (a *analyzer) analyse(text string) {
	a.buf, a.ends = a.buf[:0], a.ends[:0]
	for i := 0; i < len(text); {
		c, size := byteClasses[text[i]], 1 // classAt, inlined by hand
		if c == multibyte {
			c, size = classOfRune(text, i)
		}
		if c == separator {
			i += size
			continue
		}
		if end, ok := lowercaseWord(text, i); ok {
			// The common case, already folded and with a single part.
			start := len(a.buf)
			a.buf = append(a.buf, text[i:end]...)
			a.finishTerm(start)
			i = end
			continue
		}
		end := a.scanIdentifier(text, i)
		a.splitIdentifier(text, end)
		i = end
	}
}

// lowercaseWord returns the end of the ASCII lowercase letters at text[i]
// and whether they are a whole identifier, which then has a single part.
func lowercaseWord(text string, i int) (int, bool) {
	j := i
	for j < len(text) && 'a' <= text[j] && text[j] <= 'z' {
		j++
	}
	if j == i || j == len(text) {
		return j, j > i
	}
	b := text[j]
	return j, byteClasses[b] == separator && b != '_' && b != '-'
}

// scanIdentifier records in a.units the identifier that starts at
// text[start], a letter or digit, and returns the offset where it ends.
func (a *analyzer) scanIdentifier(text string, start int) int {
	a.units = a.units[:0]
	i := start
	for i < len(text) {
		c, size := classAt(text, i)
		if c == separator {
			if size = joinerLen(text, i, a.units[len(a.units)-1].cls); size == 0 {
				return i
			}
			c = connector
		}
		a.units = append(a.units, unit{off: i, cls: c})
		i += size
	}
	return i
}

// joinerLen returns the length of the underscores, or the hyphen, at
// text[i] when they join the identifier's last rune, of class prev, to a
// following one, and 0 when text[i] ends the identifier. Underscores join
// any letters and digits; a hyphen joins two letters (kebab-case), so that
// numbers such as 2024-01-02 or x-1 stay apart.
func joinerLen(text string, i int, prev class) int {
	switch text[i] {
	case '_':
		j := i + 1
		for j < len(text) && text[j] == '_' {
			j++
		}
		if j < len(text) {
			if c, _ := classAt(text, j); c != separator {
				return j - i
			}
		}
	case '-':
		if prev.isLetter() && i+1 < len(text) {
			if c, _ := classAt(text, i+1); c.isLetter() {
				return 1
			}
		}
	}
	return 0
}

// splitIdentifier adds the terms of the identifier held in a.units, which
// ends at text[end]: its parts, then the whole if it has several parts.
func (a *analyzer) splitIdentifier(text string, end int) {
	u := a.units
	parts, first := 0, 0
	for i := 1; i <= len(u); i++ {
		if i < len(u) && !startsPart(text, u, i) {
			continue
		}
		if u[first].cls != connector {
			partEnd := end
			if i < len(u) {
				partEnd = u[i].off
			}
			a.addTerm(text[u[first].off:partEnd])
			parts++
		}
		first = i
	}
	if parts > 1 {
		a.addTerm(text[u[0].off:end])
	}
}

// startsPart reports whether unit i of identifier u begins a new part.
func startsPart(text string, u []unit, i int) bool {
	prev, cur := u[i-1].cls, u[i].cls
	switch {
	case prev == connector || cur == connector:
		return true
	case (prev == digit) != (cur == digit):
		return true
	case prev == lower && cur == upper:
		return true
	case prev == upper && cur == upper:
		// The last capital of an acronym starts the next word (HTTPServer),
		// unless what follows is a plural s (URLs).
		return i+1 < len(u) && u[i+1].cls == lower && !isPluralS(text, u, i+1)
	}
	return false
}

// isPluralS reports whether unit j of u is a lone lowercase s ending a
// word, as in URLs or IDsFor.
func isPluralS(text string, u []unit, j int) bool {
	return text[u[j].off] == 's' && (j+1 == len(u) || u[j+1].cls != lower)
}

// addTerm adds the term for s, an identifier or one of its parts: s
// lowercased without connectors, then stemmed, unless it is a stop word.
func (a *analyzer) addTerm(s string) {
	start := len(a.buf)
	a.buf = appendFolded(a.buf, s)
	a.finishTerm(start)
}

// finishTerm stems the folded term at a.buf[start:] and keeps it, or drops
// it if it is a stop word.
func (a *analyzer) finishTerm(start int) {
	term := a.buf[start:]
	if isStopWord(term) {
		a.buf = a.buf[:start]
		return
	}
	if isASCIILetters(term) {
		// Dropping a word whose stem is a stop word (cans, hers) keeps
		// re-analysis stable: the stem would be dropped if analysed again.
		if term = stem(term); isStopWord(term) {
			a.buf = a.buf[:start]
			return
		}
		a.buf = a.buf[:start+len(term)]
	}
	a.ends = append(a.ends, len(a.buf))
}

// appendFolded appends s to dst lowercased, leaving out the underscores
// and hyphens that join an identifier's parts.
func appendFolded(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		b := s[i]
		if b >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
			i += size
			continue
		}
		switch {
		case 'A' <= b && b <= 'Z':
			dst = append(dst, b+'a'-'A')
		case b != '_' && b != '-':
			dst = append(dst, b)
		}
		i++
	}
	return dst
}

// isASCIILetters reports whether w consists of ASCII lowercase letters.
func isASCIILetters(w []byte) bool {
	for _, b := range w {
		if b < 'a' || b > 'z' {
			return false
		}
	}
	return true
}
