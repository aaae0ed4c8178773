package workspace

import (
	"errors"
	"fmt"
	"testing"

	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/enginetest"
)

// A note's content comes back exactly from its chunks: many chunks that
// overlap, CRLF and LF endings, blank lines, no final newline.
func TestNoteContentRoundTrip(t *testing.T) {
	for _, text := range []string{enginetest.LongNote(), "one line", "two\nlines\n", "\n\nafter blank lines\n\n", ""} {
		pieces := chunk.Split(text, chunk.Options{MaxChars: 120, OverlapChars: 50})
		chunks := make([]storage.Chunk, len(pieces))
		overlap := false
		for i, p := range pieces {
			chunks[i] = storage.Chunk{ID: fmt.Sprint(i), StartLine: p.StartLine, EndLine: p.EndLine, Text: p.Text}
			overlap = overlap || i > 0 && p.StartLine <= pieces[i-1].EndLine
		}
		if text == enginetest.LongNote() && (len(chunks) < 5 || !overlap) {
			t.Fatalf("the long note split into %d chunks, overlapping: %v; want several that overlap", len(chunks), overlap)
		}
		got, err := NoteContent(chunks)
		if err != nil || got != text {
			t.Errorf("NoteContent = %q, %v; want %q", got, err, text)
		}
	}
	bad := []storage.Chunk{
		{ID: "a", StartLine: 1, EndLine: 2, Text: "one\ntwo\n"},
		{ID: "b", StartLine: 2, EndLine: 3, Text: "TWO\nthree\n"},
	}
	if _, err := NoteContent(bad); !errors.Is(err, errNoteGaps) {
		t.Errorf("NoteContent of disagreeing chunks = %v, want errNoteGaps", err)
	}
}
