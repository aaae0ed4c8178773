package ingest

import (
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
)

// TestBuildChunksDefines: chunks of code list the names they define and
// the declaration they start inside, and every chunk its facts, in their own copy of the document's metadata,
// which stays as it was.
func TestBuildChunksDefines(t *testing.T) {
	doc := storage.Document{ID: "file:/a.go", Metadata: map[string]string{"k": "v"}}
	text := "package a\n\n// B is.\nfunc B() { C() }\n\nfunc A() {}\n\nvar x = 1\n"
	opts := chunk.Options{MaxChars: 30, OverlapChars: -1}
	chunks, _, _ := buildChunks(doc, text, "go", opts, "m", nil)
	var got []string
	for _, c := range chunks {
		if c.Metadata["k"] != "v" {
			t.Errorf("chunk %d lost the document's metadata: %v", c.Ordinal, c.Metadata)
		}
		got = append(got, c.Metadata[MetaDefines])
	}
	if want := []string{"", "B", "A x"}; !slices.Equal(got, want) {
		t.Errorf("defines = %q, want %q", got, want)
	}
	for _, c := range chunks {
		if w, ok := c.Metadata[chunk.MetaWithin]; ok {
			t.Errorf("chunk %d starts at the top level but has within %q", c.Ordinal, w)
		}
	}
	if len(doc.Metadata) != 1 {
		t.Errorf("the document's metadata was changed: %v", doc.Metadata)
	}
	long := "package a\n\nfunc Long(x int) int {\n" + strings.Repeat("\tx++\n", 20) + "\treturn x\n}\n"
	cut, _, _ := buildChunks(doc, long, "go", chunk.Options{MaxChars: 60, OverlapChars: -1}, "m", nil)
	if n := len(cut); n < 3 || cut[n-1].Metadata[chunk.MetaWithin] != "Long" || cut[n-1].Metadata[MetaDefines] != "" {
		t.Errorf("the last of %d chunks of a long function has metadata %v, want within \"Long\" and no defines", n, cut[n-1].Metadata)
	}
	both, _, _ := buildChunks(storage.Document{ID: "file:/a.go"}, "package a\n\nfunc B() {}\nfunc A() {}\n", "go", chunk.Options{}, "m", nil)
	if len(both) != 1 || both[0].Metadata[MetaDefines] != "A B" {
		t.Errorf("one chunk of two functions has metadata %v, want defines \"A B\"", both[0].Metadata)
	}
	notes, _, _ := buildChunks(doc, "func B() {}\n", "", chunk.Options{}, "m", nil)
	if _, ok := notes[0].Metadata[MetaDefines]; len(notes) != 1 || len(notes[0].Metadata) != 2 || ok {
		t.Errorf("text of no language has metadata %v, want the document's and the facts alone", notes[0].Metadata)
	}
	for _, c := range append(chunks, notes...) {
		if want := chunk.ScanFacts(c.Text).Meta(); c.Metadata[chunk.MetaFacts] != want {
			t.Errorf("chunk %q: facts %q, want %q", c.Text, c.Metadata[chunk.MetaFacts], want)
		}
	}
}
