package tools

import (
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"workspace-qdrant-mcp/engine/storage"
)

// A document is given once, as text rebuilt from its overlapping chunks,
// within the lines and the characters asked for.
func TestViewDocument(t *testing.T) {
	doc := storage.Document{ID: "file:/ws/a.go", Kind: storage.KindFile, Path: "/ws/a.go", Chunks: []storage.Chunk{
		{StartLine: 1, EndLine: 3, Text: "one\ntwo\nthree\n"},
		{StartLine: 3, EndLine: 5, Text: "three\nfour\nfive"}, // overlaps; the last line has no newline
	}}
	tests := []struct {
		name                 string
		start, end, maxChars int
		text                 string
		first, last, next    int
		truncated            bool
	}{
		{"whole", 1, 0, 1000, "one\ntwo\nthree\nfour\nfive", 1, 5, 0, false},
		{"a range", 2, 3, 1000, "two\nthree\n", 2, 3, 0, false},
		{"cut at max_chars", 1, 0, 9, "one\ntwo\n", 1, 2, 3, true},
		{"the last line fits", 4, 0, 9, "four\nfive", 4, 5, 0, false},
		{"one line longer than the bound", 3, 0, 3, "thr", 3, 3, 4, true},
		{"end beyond the document", 5, 99, 1000, "five", 5, 5, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := viewDocument(doc, tt.start, tt.end, tt.maxChars)
			if err != nil {
				t.Fatal(err)
			}
			if v.Text != tt.text || v.StartLine != tt.first || v.EndLine != tt.last || v.NextStartLine != tt.next ||
				v.Truncated != tt.truncated || v.TotalLines != 5 || v.Chunks != 2 {
				t.Errorf("view = %+v", v)
			}
		})
	}
	if _, err := viewDocument(doc, 7, 0, 100); err == nil || !strings.Contains(err.Error(), "start_line: is 7, but the document has 5 lines") {
		t.Errorf("start past the end: %v", err)
	}
}

// By default a result stays within about 25,000 characters, whatever the
// file's size.
func TestViewDocumentBoundedByDefault(t *testing.T) {
	line := strings.Repeat("x", 99) + "\n"
	doc := storage.Document{ID: "d", Chunks: []storage.Chunk{{StartLine: 1, EndLine: 5000, Text: strings.Repeat(line, 5000)}}}
	v, err := viewDocument(doc, 1, 0, defaultDocumentChars)
	if err != nil {
		t.Fatal(err)
	}
	res := structured(v, false)
	size := len(res.Content[0].(mcp.TextContent).Text)
	if !v.Truncated || v.NextStartLine != 101 || size > 25_000 {
		t.Errorf("truncated %v, next %d, result text %d characters", v.Truncated, v.NextStartLine, size)
	}
}
