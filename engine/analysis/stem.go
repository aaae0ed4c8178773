package analysis

import (
	"bytes"
	"strings"
)

// minStem is the length of the longest word left alone and of the shortest
// stem: words of three letters or fewer are never stemmed.
const minStem = 3

// stem strips English inflections from w, a word of lowercase ASCII
// letters. It rewrites w in place and returns the stem, which uses w's
// storage and is never longer than w.
//
// It is a small, conservative relative of the Porter stemmer whose aim is
// to give a word and its inflected forms the same stem, not to find
// linguistic roots:
//
//   - plurals: files → file, classes → class, boxes → box,
//     queries → query; but not status, this or alias; a word that ends
//     in -ie meets its plural in -ies: cookie and cookies → cooky;
//   - -ing and -ed: running → run, parsed → parse, typed → type,
//     merging → merge, used → use; but not string or need;
//   - a final e after at least five letters: handle, handles, handled and
//     handling → handl; but not type, parse, release or free.
//
// Rules apply until none does, so stem is idempotent:
// stem(stem(w)) == stem(w).
func stem(w []byte) []byte {
	for {
		s, changed := stemStep(w)
		if !changed {
			return w
		}
		w = s
	}
}

// stemStep applies the first rule that matches w. Every rule shortens w,
// so repeating stemStep terminates.
func stemStep(w []byte) ([]byte, bool) {
	n := len(w)
	if n <= minStem {
		return w, false
	}
	switch w[n-1] {
	case 's':
		return stripPlural(w)
	case 'g':
		if hasSuffix(w, "ing") {
			return stripVerbEnding(w, len("ing"))
		}
	case 'd':
		switch {
		case n-2 >= minStem && hasSuffix(w, "ied"): // copied → copy
			w[n-3] = 'y'
			return w[:n-2], true
		case hasSuffix(w, "eed"): // need, speed, proceed
		case w[n-2] == 'e':
			return stripVerbEnding(w, len("ed"))
		}
	case 'e':
		if n > minStem+1 && w[n-2] == 'i' { // cookie → cooky, as cookies → cooky; not tie
			w[n-2] = 'y'
			return w[:n-1], true
		}
		if n > 5 && w[n-2] != 'e' && w[n-2] != 's' { // handle → handl, not free or release
			return w[:n-1], true
		}
	}
	return w, false
}

// stripPlural removes the plural ending of w, which ends in s.
func stripPlural(w []byte) ([]byte, bool) {
	n := len(w)
	switch {
	case n-2 >= minStem && hasAnySuffix(w, "sses", "xes", "shes"): // classes, boxes, pushes
		return w[:n-2], true
	case n-2 >= minStem && hasSuffix(w, "ies"): // queries → query
		w[n-3] = 'y'
		return w[:n-2], true
	case hasAnySuffix(w, "ss", "us", "is", "ias"): // class, status, this, alias
		return w, false
	}
	return w[:n-1], true
}

// stripVerbEnding removes the last k letters, -ing or -ed, of w when the
// rest has a vowel. A doubled final consonant is undoubled (running → run)
// and a silent e that the other rules keep is restored (typed → type), so
// that the inflected form meets its base form.
func stripVerbEnding(w []byte, k int) ([]byte, bool) {
	s := w[:len(w)-k]
	if !bytes.ContainsAny(s, "aeiouy") {
		return w, false
	}
	last := s[len(s)-1]
	switch {
	case len(s) > minStem && last == s[len(s)-2] && !strings.ContainsRune("aeiouylsz", rune(last)):
		s = s[:len(s)-1]
	case needsE(s):
		s = append(s, 'e') // overwrites the ending, in w's storage
	}
	if len(s) < minStem {
		return w, false
	}
	return s, true
}

// needsE reports whether s, what is left of a word without its -ing or
// -ed, lost a silent e that stemStep would have kept on the base form:
// always before an s (parse, release, use), and otherwise only in short
// words, since longer ones lose their final e anyway.
func needsE(s []byte) bool {
	n := len(s)
	if s[n-1] == 's' {
		if hasSuffix(s, "ss") {
			return false
		}
		return n <= 4 || !hasAnySuffix(s, "us", "ias") // focused, biased
	}
	if n < minStem || n > 4 {
		return false
	}
	switch {
	case hasAnySuffix(s, "v", "u", "rg", "dg"): // solved, valued, merged, judged
		return true
	case s[n-1] == 'l' && !strings.ContainsRune("aeioul", rune(s[n-2])): // titled, styled, idled
		return true
	case n == 4 && hasSuffix(s, "ch") && isVowel(s, 1): // cached
		return true
	}
	// typed, hoped, stated: a single consonant-vowel-consonant syllable,
	// whose final consonant would have been doubled had there been no e.
	return !isVowel(s, 0) && !isVowel(s, n-3) && isVowel(s, n-2) && !isVowel(s, n-1) &&
		!strings.ContainsRune("wxy", rune(s[n-1]))
}

// isVowel reports whether s[i] is a vowel: a, e, i, o, u, or a y that
// follows a consonant (the y of type, not of yes or play).
func isVowel(s []byte, i int) bool {
	switch s[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	case 'y':
		return i > 0 && !isVowel(s, i-1)
	}
	return false
}

func hasSuffix(w []byte, suffix string) bool {
	return len(w) >= len(suffix) && string(w[len(w)-len(suffix):]) == suffix
}

func hasAnySuffix(w []byte, suffixes ...string) bool {
	for _, s := range suffixes {
		if hasSuffix(w, s) {
			return true
		}
	}
	return false
}
