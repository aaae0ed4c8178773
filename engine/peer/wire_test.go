package peer

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with the file testdata/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if string(want) != string(got) {
		t.Errorf("%s changed: a change of the wire format bumps Protocol and rewrites the golden files with -update\ngot:\n%s\nwant:\n%s",
			path, got, want)
	}
}

// Each DTO's JSON, every field set, is pinned: renaming a field or its
// tag changes what older servers read.
func TestWireGolden(t *testing.T) {
	threshold, minKeyword := 0.25, 1.5
	dtos := map[string]any{
		"hello": Hello{PID: 4242, Version: "v1.2.3", Protocol: Protocol, Roots: []string{"/ws"}, Collection: "workspace"},
		"search_request": SearchRequest{Query: "parse duration", Limit: 10, Mode: "hybrid", Collection: "workspace",
			PathGlob: "**/*.go", Language: "go", MaxPerFile: 2, ScoreThreshold: &threshold, MinKeywordScore: &minKeyword,
			ContextLines: 3, Symbol: "ParseDuration"},
		"document_ref": DocumentRef{ID: "file:abc", Path: "/ws/a.go"},
		"related_request": RelatedRequest{Ref: DocumentRef{Path: "/ws/a.go"}, Line: 12, Limit: 5, MaxPerFile: 1,
			PathGlob: "*.go", Language: "go", SameFile: true},
		"add_document_request": AddDocumentRequest{Content: "a note", Title: "t", Metadata: map[string]string{"k": "v"}, Collection: "notes"},
		"deleted":              Deleted{ID: "note:1", Chunks: 3},
		"progress":             Progress{Indexing: true, Done: 7, Pending: 2},
		"empty":                Empty{},
		"notes_query":          NotesQuery{Cursor: "eyJjIjoibm90ZXMifQ", Limit: 50},
		"document": Document{ID: "note:1", Collection: "notes", Kind: "note", Path: "/ws/a.go", Title: "t",
			Metadata: map[string]string{"k": "v"}, Chunks: []Chunk{{ID: "note:1#0", DocID: "note:1", Collection: "notes",
				Kind: "note", Path: "/ws/a.go", Title: "t", Language: "go", Ordinal: 0, StartLine: 1, EndLine: 2,
				Text: "body", Hash: "ab12", Metadata: map[string]string{"symbol": "func A"}}}},
		"collection_info": CollectionInfo{Name: "notes", Documents: 2, Chunks: 5},
		"line_outside":    LineOutside{Line: 9999, First: 1, Last: 120},
		"error": wireError{Kind: "line_outside", Message: "line 9999: no chunk holds the line: the document's chunks cover lines 1-120",
			Detail: json.RawMessage(`{"line":9999,"first":1,"last":120}`)},
	}
	for name, v := range dtos {
		t.Run(name, func(t *testing.T) {
			data, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("wire", name+".json"), append(data, '\n'))
		})
	}
}

// The protocol's version and its calls are pinned together.
func TestProtocolGolden(t *testing.T) {
	var b strings.Builder
	fmt.Fprintf(&b, "protocol %d\n", Protocol)
	seen := map[string]bool{}
	for _, m := range Methods {
		if seen[m.Name] {
			t.Errorf("method %s listed twice", m.Name)
		}
		seen[m.Name] = true
		kind := "write"
		if m.Idempotent {
			kind = "idempotent"
		}
		fmt.Fprintf(&b, "%s %s\n", m.Name, kind)
	}
	golden(t, "protocol.txt", []byte(b.String()))
	if !Idempotent("search") || Idempotent("add_document") || Idempotent("nosuch") {
		t.Error("Idempotent disagrees with Methods")
	}
}
