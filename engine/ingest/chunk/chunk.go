// Package chunk splits a document's text into chunks: overlapping windows
// of whole lines, each small enough to embed, which are the units that the
// engine indexes and that search returns with their line numbers.
//
// The ingest pipeline calls Split on every file and note, stores each
// chunk under ChunkID, and tags it with Language(path):
//
//	for _, c := range chunk.Split(text, chunk.Options{}) {
//		id := chunk.ChunkID(docID, c) // same file, position and text: same id
//		...
//	}
//
// Windows end, when they can, where code and prose have natural seams:
// before a top-level declaration or Markdown heading, or after a blank
// line. Consecutive chunks overlap by a few whole lines, so that text near
// a seam is found with its context.
//
// Everything here is a pure function of its arguments and safe for
// concurrent use.
package chunk

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Default sizes, in bytes, used for zero Options fields.
const (
	DefaultMaxChars     = 1500
	DefaultOverlapChars = 200
)

// Options sizes the chunks. Sizes count bytes of UTF-8, which for ASCII
// text are characters.
type Options struct {
	// MaxChars bounds the size of a chunk; 0 or less means
	// DefaultMaxChars. A line longer than MaxChars is never cut: it forms
	// a chunk of its own.
	MaxChars int
	// OverlapChars bounds how much of the end of a chunk, in whole lines,
	// the next chunk repeats; 0 means DefaultOverlapChars and a negative
	// value means no overlap. It is capped at half of MaxChars.
	OverlapChars int
}

// withDefaults returns o with its zero fields set to their defaults and
// its overlap capped.
func (o Options) withDefaults() Options {
	if o.MaxChars <= 0 {
		o.MaxChars = DefaultMaxChars
	}
	switch {
	case o.OverlapChars == 0:
		o.OverlapChars = DefaultOverlapChars
	case o.OverlapChars < 0:
		o.OverlapChars = 0
	}
	o.OverlapChars = min(o.OverlapChars, o.MaxChars/2)
	return o
}

// Chunk is one window of a document's lines.
type Chunk struct {
	Ordinal   int    // position among the document's chunks, from 0
	StartLine int    // first line, counted from 1
	EndLine   int    // last line, inclusive
	Text      string // lines StartLine to EndLine exactly as in the input, line endings included
	Hash      string // hex SHA-256 of Text
}

// Split cuts text into chunks of whole lines, in order.
//
// A line ends after "\n" (so "\r\n" line endings stay in Text); a final
// line without "\n" is a line too. Each chunk holds as many whole lines as
// fit in opts.MaxChars, except that a single longer line is a chunk by
// itself, never cut, so chunks are always valid UTF-8 if text is. When
// more text follows, the window is shortened to end before a top-level
// declaration, or failing that after a blank line, if such a seam lies in
// its last 40%. The next chunk starts with the last lines of this one, at
// most opts.OverlapChars of them, yet always ends with at least one line
// this one lacks.
//
// Empty text and text of only whitespace give no chunks, and neither does
// any window of only whitespace lines, so every line that is not blank is
// in at least one chunk.
func Split(text string, opts Options) []Chunk {
	opts = opts.withDefaults()
	ls := splitLines(text)
	var chunks []Chunk
	prevEnd := 0
	for start := 0; start < ls.count(); {
		end := ls.windowEnd(start, opts.MaxChars)
		if end < ls.count() {
			end = ls.seamEnd(start, end, prevEnd+1)
		}
		if body := ls.text(start, end); strings.TrimSpace(body) != "" {
			chunks = append(chunks, Chunk{
				Ordinal:   len(chunks),
				StartLine: start + 1,
				EndLine:   end,
				Text:      body,
				Hash:      hexSHA256(body),
			})
		}
		if end == ls.count() {
			break
		}
		start, prevEnd = ls.overlapStart(start, end, opts), end
	}
	return chunks
}

// ChunkID returns the id under which the chunk c of the document docID is
// stored: the first 32 hex digits of the SHA-256 of docID, c.Ordinal and
// c.Hash, separated by NUL bytes. The same file, position and content
// always give the same id, so re-indexing an unchanged file rewrites
// nothing, while any change to the content or position gives a new id.
func ChunkID(docID string, c Chunk) string {
	return hexSHA256(docID + "\x00" + strconv.Itoa(c.Ordinal) + "\x00" + c.Hash)[:32]
}

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
