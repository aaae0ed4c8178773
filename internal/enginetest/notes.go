package enginetest

import (
	"fmt"
	"strings"
)

// LongNote is a note of many chunks at the test chunk size, with blank
// lines, CRLF endings, non-ASCII text and no final newline.
func LongNote() string {
	var b strings.Builder
	b.WriteString("\n# Garden journal\r\n\n")
	for i := range 30 {
		fmt.Fprintf(&b, "Day %d: watered the marigolds — %s\n", i, strings.Repeat("ü", i%7))
		if i%5 == 4 {
			b.WriteString("\n")
		}
	}
	b.WriteString("last line without a newline")
	return b.String()
}
