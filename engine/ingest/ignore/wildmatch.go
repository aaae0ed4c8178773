package ignore

import "strings"

// This file matches one gitignore pattern against a path the way git
// does: wildmatch with WM_PATHNAME, git's own matcher (wildmatch.c), whose
// test vectors (t3070-wildmatch.sh) wildmatch_test.go carries.
//
//   - "*" and "?" match anything but "/"; "[...]" never matches "/".
//   - "**" matches across "/" only as a whole component: "**/" at the
//     start, "/**" at the end, "/**/" in the middle (which also matches a
//     single "/"). Elsewhere it is a plain "*".
//   - "[...]" takes "!" or "^" to negate, ranges, backslash escapes and the
//     POSIX classes [:alnum:], [:alpha:], [:blank:], [:cntrl:],
//     [:digit:], [:graph:], [:lower:], [:print:], [:punct:], [:space:],
//     [:upper:] and [:xdigit:], on ASCII bytes.
//   - A backslash quotes the next byte; a pattern ending in one, or with a
//     "[" that is never closed, matches nothing.

// Results of one attempt, as git's matcher has them: the two aborts end
// the backtracking early when no later position of a "*" can match.
const (
	wmMatch = iota
	wmNoMatch
	wmAbortAll        // no match, nor at any later text position
	wmAbortToStarStar // no match before the next "**"
)

// wildmatch reports whether text matches pattern.
func wildmatch(pattern, text string) bool {
	return dowild(pattern, text) == wmMatch
}

// byteAt is s[i], or 0 past its end (where git's C strings have their NUL).
func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isGlobSpecial(c byte) bool { return c == '*' || c == '?' || c == '[' || c == '\\' }

// dowild matches pat against text; see the constants for its results.
func dowild(pat, text string) int {
	p, t := 0, 0
	for ; p < len(pat); p, t = p+1, t+1 {
		pc := pat[p]
		if t >= len(text) && pc != '*' {
			return wmAbortAll
		}
		tc := byteAt(text, t)
		switch pc {
		case '\\': // the next byte literally; none left matches nothing
			p++
			if p >= len(pat) || tc != pat[p] {
				return wmNoMatch
			}
		case '?':
			if tc == '/' {
				return wmNoMatch
			}
		case '[':
			end, matched := bracket(pat, p, tc)
			if end < 0 {
				return wmAbortAll
			}
			if !matched || tc == '/' {
				return wmNoMatch
			}
			p = end
		case '*':
			return star(pat, p, text, t)
		default:
			if tc != pc {
				return wmNoMatch
			}
		}
	}
	if t < len(text) {
		return wmNoMatch
	}
	return wmMatch
}

// star matches the rest of text against pat from the "*" at p.
func star(pat string, p int, text string, t int) int {
	matchSlash := false
	p++
	if byteAt(pat, p) == '*' {
		prev := p - 2
		for p++; byteAt(pat, p) == '*'; p++ {
		}
		next := byteAt(pat, p)
		if (prev < 0 || pat[prev] == '/') && (p == len(pat) || next == '/' || (next == '\\' && byteAt(pat, p+1) == '/')) {
			// "**/" may match nothing: "a/**/b" matches "a/b".
			if next == '/' && dowild(pat[p+1:], text[t:]) == wmMatch {
				return wmMatch
			}
			matchSlash = true
		}
	}
	if p == len(pat) {
		// A trailing "**" matches everything, a trailing "*" the rest of
		// this component only.
		if !matchSlash && strings.IndexByte(text[t:], '/') >= 0 {
			return wmNoMatch
		}
		return wmMatch
	}
	if !matchSlash && pat[p] == '/' {
		// "*/" matches the rest of this component and its slash.
		i := strings.IndexByte(text[t:], '/')
		if i < 0 {
			return wmNoMatch
		}
		return dowild(pat[p+1:], text[t+i+1:])
	}
	for ; t < len(text); t++ {
		if c := pat[p]; !isGlobSpecial(c) {
			// What comes before the literal belongs to the star: skip to
			// its next occurrence (within this component unless "**").
			for t < len(text) && text[t] != c && (matchSlash || text[t] != '/') {
				t++
			}
			if t >= len(text) || text[t] != c {
				return wmNoMatch
			}
		}
		m := dowild(pat[p:], text[t:])
		if m != wmNoMatch && (!matchSlash || m != wmAbortToStarStar) {
			return m
		}
		if m == wmNoMatch && !matchSlash && text[t] == '/' {
			return wmAbortToStarStar
		}
	}
	return wmAbortAll
}

// bracket parses the bracket expression opening at pat[p] and reports
// whether it holds the byte c. end is the index of its closing "]", or -1
// when it is never closed or names an unknown class.
func bracket(pat string, p int, c byte) (end int, matched bool) {
	p++
	pc := byteAt(pat, p)
	negated := pc == '!' || pc == '^'
	if negated {
		p++
		pc = byteAt(pat, p)
	}
	var prev byte // the previous member, 0 after a range or class
	for {
		if p >= len(pat) {
			return -1, false
		}
		switch {
		case pc == '\\':
			p++
			if p >= len(pat) {
				return -1, false
			}
			pc = pat[p]
			if c == pc {
				matched = true
			}
		case pc == '-' && prev != 0 && p+1 < len(pat) && pat[p+1] != ']':
			p++
			hi := pat[p]
			if hi == '\\' {
				p++
				if p >= len(pat) {
					return -1, false
				}
				hi = pat[p]
			}
			if c >= prev && c <= hi {
				matched = true
			}
			pc = 0
		case pc == '[' && byteAt(pat, p+1) == ':':
			s := p + 2
			e := s
			for e < len(pat) && pat[e] != ']' {
				e++
			}
			if e >= len(pat) {
				return -1, false
			}
			if e-s-1 < 0 || pat[e-1] != ':' {
				// Not "[:name:]": a literal "[".
				if c == '[' {
					matched = true
				}
				break
			}
			in, known := inClass(pat[s:e-1], c)
			if !known {
				return -1, false
			}
			if in {
				matched = true
			}
			p, pc = e, 0
		default:
			if c == pc {
				matched = true
			}
		}
		prev = pc
		p++
		pc = byteAt(pat, p)
		if pc == ']' && p < len(pat) {
			return p, matched != negated
		}
	}
}

// inClass reports whether c is in the POSIX class name; known is false
// for a name that is not a class.
func inClass(name string, c byte) (in, known bool) {
	lower := c >= 'a' && c <= 'z'
	upper := c >= 'A' && c <= 'Z'
	digit := c >= '0' && c <= '9'
	space := c == ' ' || (c >= '\t' && c <= '\r')
	print := c >= 0x20 && c < 0x7f
	switch name {
	case "alnum":
		return lower || upper || digit, true
	case "alpha":
		return lower || upper, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return digit, true
	case "graph":
		return print && c != ' ', true
	case "lower":
		return lower, true
	case "print":
		return print, true
	case "punct":
		return print && c != ' ' && !lower && !upper && !digit, true
	case "space":
		return space, true
	case "upper":
		return upper, true
	case "xdigit":
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'), true
	}
	return false, false
}

// validGlob reports whether pattern can match anything: every bracket
// expression is closed and names known classes, and it does not end in an
// unescaped backslash.
func validGlob(pattern string) bool {
	for p := 0; p < len(pattern); p++ {
		switch pattern[p] {
		case '\\':
			p++
			if p >= len(pattern) {
				return false
			}
		case '[':
			end, _ := bracket(pattern, p, 0)
			if end < 0 {
				return false
			}
			p = end
		}
	}
	return true
}
