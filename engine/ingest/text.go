package ingest

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// contentText returns a file's content as the text that is indexed, or
// why it is not indexed (SkipBinary, SkipInvalidUTF8). Text in a legacy
// 8-bit encoding (a C++ file with "Müller" in Latin-1 in a comment) is
// indexed, not skipped: a byte that is not part of valid UTF-8 is read as
// the Latin-1 character of the same number, so lines and every valid
// character stay as they are. Content whose invalid bytes are more than
// maxInvalidShare of it is no text in any encoding, and is skipped.
func contentText(data []byte) (text, skip string) {
	if bytes.IndexByte(data, 0) >= 0 {
		return "", SkipBinary
	}
	if utf8.Valid(data) {
		return string(data), ""
	}
	invalid := 0
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			invalid++
		}
		i += n
	}
	if float64(invalid) > maxInvalidShare*float64(len(data)) {
		return "", SkipInvalidUTF8
	}
	var b strings.Builder
	b.Grow(len(data) + invalid)
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			r = rune(data[i]) // Latin-1: byte b is U+00b
		}
		b.WriteRune(r)
		i += n
	}
	return b.String(), ""
}

// maxInvalidShare is the largest share of bytes that are not valid UTF-8
// with which content is still read as text. Latin-1 prose holds a few per
// cent (accented letters); random bytes hold about half.
const maxInvalidShare = 0.1
