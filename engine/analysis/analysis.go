// Package analysis turns text into the terms that the keyword index
// stores and searches, and that the built-in embedder hashes into vectors.
//
// It is code-aware: identifiers are split into their words, so a search
// for "parse duration" finds time.ParseDuration and parse_duration, while
// the whole identifier is kept too, so a search for ParseDuration ranks the
// exact identifier first. Documents and queries must go through the same
// function, Terms, for their terms to meet:
//
//	index: analysis.Terms(chunkText)  // the store's keyword index
//	query: analysis.QueryTerms("how to parse a Duration")  // [parse duration]
//
// Terms contain only lowercase letters and digits, never spaces or
// punctuation, so joining them with spaces gives text that a
// whitespace-and-punctuation tokenizer (SQLite FTS5's unicode61, the
// embedded store's keyword index) splits back
// into exactly the same terms.
//
// Concurrency: every function may be called from many goroutines at once.
package analysis

import (
	"slices"
	"sync"
)

// Version identifies the analysis rules. It changes whenever Terms may
// return different terms for some text, so that anything derived from
// terms (a keyword index, hashed vectors) can tell it needs rebuilding.
// Version 2 stems a word in -ie as its plural in -ies (cookie, cookies).
const Version = 2

// maxPooledBytes bounds the scratch buffer kept for reuse, so that one huge
// text does not pin its buffer in memory for the life of the process.
const maxPooledBytes = 64 << 10

var analyzers = sync.Pool{New: func() any { return new(analyzer) }}

// Terms returns the index terms of text, in order of appearance.
//
// The rules, applied to each identifier (a run of letters and digits,
// possibly joined by underscores, or by single hyphens between letters):
//
//   - Anything that is not a letter or digit separates identifiers, so
//     time.ParseDuration gives time, then the words of ParseDuration.
//   - An identifier splits into parts at underscores and hyphens, at
//     lower-to-upper case changes (parseJSON: parse, json), before the last
//     capital of a run of capitals followed by lowercase (HTTPServer: http,
//     server; but a lone trailing s stays with its acronym, so URLs is
//     one part), and between letters and digits. Digit runs are parts of
//     their own: parseJSON2Value gives parse, json, 2, value.
//   - Parts are lowercased. English function words (the, a, of, is, ...)
//     are dropped; code keywords (func, if, return, for, this) are kept.
//   - Words of ASCII letters longer than three letters are stemmed by a
//     small, conservative suffix stripper (plurals, -ing, -ed, and the
//     final e of long words), so parse, parses, parsed and parsing all
//     give parse, and handle, handles, handled and handling give handl.
//   - When an identifier has more than one part, the whole identifier,
//     lowercased without its underscores and hyphens and then stemmed, is
//     added after its parts: ParseDuration gives parse, duration,
//     parseduration; int64 gives int, 64, int64.
//
// Terms are never empty, always lowercase, valid UTF-8, and stable under
// re-analysis: Terms(t) is []string{t} for every term t that does not mix
// letters and digits, and contains t for those that do.
//
// The returned strings share one allocation, which stays alive as long as
// any of them does.
func Terms(text string) []string {
	return AppendTerms(nil, text)
}

// AppendTerms appends the terms of text (see Terms) to dst and returns the
// extended slice. Callers that analyse many texts reuse dst to save
// allocations.
func AppendTerms(dst []string, text string) []string {
	a := analyzers.Get().(*analyzer)
	a.analyse(text)
	dst = slices.Grow(dst, len(a.ends))
	all := string(a.buf)
	start := 0
	for _, end := range a.ends {
		dst = append(dst, all[start:end])
		start = end
	}
	if cap(a.buf) <= maxPooledBytes {
		analyzers.Put(a)
	}
	return dst
}

// QueryTerms returns the distinct terms of a search query, in order of
// first appearance.
func QueryTerms(q string) []string {
	terms := Terms(q)
	seen := make(map[string]struct{}, len(terms))
	return slices.DeleteFunc(terms, func(t string) bool {
		if _, dup := seen[t]; dup {
			return true
		}
		seen[t] = struct{}{}
		return false
	})
}
