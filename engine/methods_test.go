package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/peer"
	"workspace-qdrant-mcp/engine/rank"
)

// Every field of a request crosses the wire and comes back as it was,
// but for the ranking experiments, which a reader refuses: a field added
// to a request and forgotten in its DTO fails here.
func TestRequestsCrossTheWire(t *testing.T) {
	threshold, minKeyword := 0.3, 2.0
	search := SearchRequest{Query: "q", Limit: 3, Mode: "keyword", Collection: "c", PathGlob: "*.go", Language: "go",
		MaxPerFile: 2, ScoreThreshold: &threshold, MinKeywordScore: &minKeyword, ContextLines: 4, Symbol: "S"}
	related := RelatedRequest{Ref: DocumentRef{ID: "i", Path: "p"}, Line: 5, Limit: 6, MaxPerFile: 7, PathGlob: "g", Language: "l", SameFile: true}
	add := AddDocumentRequest{Content: "c", Title: "t", Metadata: map[string]string{"k": "v"}, Collection: "n"}
	ref := DocumentRef{ID: "i", Path: "p"}
	cases := []struct {
		name      string
		in        any
		refused   int // fields that do not cross
		dto       any
		roundTrip func() any
	}{
		{"search", search, 2, peer.SearchRequest{}, func() any { w, _ := search.wire(); return searchRequestOf(w) }},
		{"related", related, 0, peer.RelatedRequest{}, func() any { w, _ := related.wire(); return relatedRequestOf(w) }},
		{"add", add, 0, peer.AddDocumentRequest{}, func() any { w, _ := add.wire(); return addDocumentRequestOf(w) }},
		{"ref", ref, 0, peer.DocumentRef{}, func() any { w, _ := ref.wire(); return documentRefOf(w) }},
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
	for _, req := range []SearchRequest{{Query: "q", Tuning: &rank.Tuning{}}, {Query: "q", Rules: &rank.Rules{}}} {
		if _, err := req.wire(); !errors.Is(err, ErrReader) || !strings.Contains(err.Error(), "ranking overrides") {
			t.Errorf("a search with ranking overrides on a reader: %v, want ErrReader naming them", err)
		}
	}
}
