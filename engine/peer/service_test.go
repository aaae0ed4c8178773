package peer

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/rank"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/workspace"
)

// Every field of a request crosses the wire and comes back as it was,
// but for the ranking experiments, which a reader refuses: a field added
// to a request and forgotten in its DTO fails here.
func TestRequestsCrossTheWire(t *testing.T) {
	threshold, minKeyword := 0.3, 2.0
	search := workspace.SearchRequest{Query: "q", Limit: 3, Mode: "keyword", Collection: "c", PathGlob: "*.go", Language: "go",
		MaxPerFile: 2, ScoreThreshold: &threshold, MinKeywordScore: &minKeyword, ContextLines: 4, Symbol: "S"}
	related := workspace.RelatedRequest{Ref: workspace.DocumentRef{ID: "i", Path: "p"}, Line: 5, Limit: 6, MaxPerFile: 7, PathGlob: "g", Language: "l", SameFile: true}
	add := workspace.AddDocumentRequest{Content: "c", Title: "t", Metadata: map[string]string{"k": "v"}, Collection: "n"}
	ref := workspace.DocumentRef{ID: "i", Path: "p"}
	cases := []struct {
		name      string
		in        any
		refused   int // fields that do not cross
		dto       any
		roundTrip func() any
	}{
		{"search", search, 2, SearchRequest{}, func() any { w, _ := searchRequestDTO(search); return searchRequestOf(w) }},
		{"related", related, 0, RelatedRequest{}, func() any { return relatedRequestOf(relatedRequestDTO(related)) }},
		{"add", add, 0, AddDocumentRequest{}, func() any { return addDocumentRequestOf(addDocumentRequestDTO(add)) }},
		{"ref", ref, 0, DocumentRef{}, func() any { return documentRefOf(documentRefDTO(ref)) }},
	}
	for _, c := range cases {
		if got := c.roundTrip(); !reflect.DeepEqual(got, c.in) {
			t.Errorf("%s: %+v came back as %+v", c.name, c.in, got)
		}
		if n, w := reflect.TypeOf(c.in).NumField(), reflect.TypeOf(c.dto).NumField(); n != w+c.refused {
			t.Errorf("%s: %d fields, its DTO %d and %d refused: a field is missing from the wire", c.name, n, w, c.refused)
		}
		v := reflect.ValueOf(c.in)
		for i := range v.NumField() {
			if v.Field(i).IsZero() && c.name != "search" {
				t.Errorf("%s: field %s is not set in the test", c.name, v.Type().Field(i).Name)
			}
		}
	}
	for _, req := range []workspace.SearchRequest{{Query: "q", Tuning: &rank.Tuning{}}, {Query: "q", Rules: &rank.Rules{}}} {
		if _, err := searchRequestDTO(req); !errors.Is(err, ErrReader) || !strings.Contains(err.Error(), "ranking overrides") {
			t.Errorf("a search with ranking overrides on a reader: %v, want ErrReader naming them", err)
		}
	}
}

// The answers that cross as DTOs come back as they were, every field but
// the vectors, which get_document never fills.
func TestAnswersCrossTheWire(t *testing.T) {
	doc := storage.Document{ID: "note:1", Collection: "notes", Kind: storage.KindNote, Path: "/p", Title: "t",
		Metadata: map[string]string{"k": "v"}, Chunks: []storage.Chunk{{ID: "note:1#0", DocID: "note:1", Collection: "notes",
			Kind: storage.KindNote, Path: "/p", Title: "t", Language: "go", Ordinal: 1, StartLine: 2, EndLine: 3,
			Text: "x", Hash: "h", Metadata: map[string]string{"s": "f"}}}}
	if got := documentOf(documentDTO(doc)); !reflect.DeepEqual(got, doc) {
		t.Errorf("document %+v came back as %+v", doc, got)
	}
	empty := storage.Document{ID: "e"}
	if got := documentOf(documentDTO(empty)); !reflect.DeepEqual(got, empty) {
		t.Errorf("document %+v came back as %+v", empty, got)
	}
	colls := []storage.CollectionInfo{{Name: "a", Documents: 1, Chunks: 2}}
	if got := collectionsOf(collectionsDTO(colls)); !reflect.DeepEqual(got, colls) {
		t.Errorf("collections %+v came back as %+v", colls, got)
	}
	for _, c := range []struct {
		typ, dto any
		vectors  int
	}{
		{storage.Document{}, Document{}, 0},
		{storage.Chunk{}, Chunk{}, 2},
		{storage.CollectionInfo{}, CollectionInfo{}, 0},
	} {
		if n, w := reflect.TypeOf(c.typ).NumField(), reflect.TypeOf(c.dto).NumField(); n != w+c.vectors {
			t.Errorf("%T: %d fields, its DTO %d: a field is missing from the wire", c.typ, n, w)
		}
	}
}
