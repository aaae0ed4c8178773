package peer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rs/zerolog"

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
		{"search", search, 2, SearchRequest{}, func() any { return searchRequestOf(searchRequestDTO(search)) }},
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
		if _, err := NewServiceClient(nil).Search(context.Background(), req); !errors.Is(err, ErrReader) || !strings.Contains(err.Error(), "ranking overrides") {
			t.Errorf("a search with ranking overrides on a reader: %v, want ErrReader naming them", err)
		}
	}
}

// The answers that cross as DTOs come back as they were, every field but
// the vectors and a chunk's Terms, which get_document never fills.
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
		unread   int // fields that reads leave empty: Dense, Sparse, Terms
	}{
		{storage.Document{}, Document{}, 0},
		{storage.Chunk{}, Chunk{}, 3},
		{storage.CollectionInfo{}, CollectionInfo{}, 0},
	} {
		if n, w := reflect.TypeOf(c.typ).NumField(), reflect.TypeOf(c.dto).NumField(); n != w+c.unread {
			t.Errorf("%T: %d fields, its DTO %d: a field is missing from the wire", c.typ, n, w)
		}
	}
}

// fakeService answers every call with what it was asked, and refuses a
// find_related of a line with a *workspace.LineError.
type fakeService struct{}

func (fakeService) Search(_ context.Context, req workspace.SearchRequest) (workspace.SearchResponse, error) {
	return workspace.SearchResponse{Results: []workspace.SearchResult{{ID: req.Query}}, Mode: req.Mode}, nil
}

func (fakeService) FindRelated(_ context.Context, req workspace.RelatedRequest) (workspace.RelatedResponse, error) {
	return workspace.RelatedResponse{}, fmt.Errorf("find related: %w", &workspace.LineError{Line: req.Line, First: 1, Last: 9})
}

func (fakeService) AddDocument(_ context.Context, req workspace.AddDocumentRequest) (workspace.AddDocumentResult, error) {
	return workspace.AddDocumentResult{ID: "note:" + req.Title, Collection: req.Collection, Chunks: 1}, nil
}

func (fakeService) GetDocument(_ context.Context, ref workspace.DocumentRef) (storage.Document, error) {
	return storage.Document{ID: ref.ID, Path: ref.Path}, nil
}

func (fakeService) DeleteDocument(_ context.Context, ref workspace.DocumentRef) (workspace.Deleted, error) {
	return workspace.Deleted{ID: ref.ID, Chunks: 2}, nil
}

func (fakeService) ListCollections(context.Context) ([]storage.CollectionInfo, error) {
	return []storage.CollectionInfo{{Name: "notes", Documents: 1, Chunks: 2}}, nil
}

func (fakeService) ListNotesPage(_ context.Context, q workspace.NotesQuery) (workspace.NotesPage, error) {
	return workspace.NotesPage{Notes: []workspace.Note{{ID: "note:1"}}, Next: q.Cursor + "x"}, nil
}

func (fakeService) Progress(context.Context) (workspace.Progress, error) {
	return workspace.Progress{Indexing: true, Done: 3, Pending: 4}, nil
}

// clientCaller is a Caller straight over a Client, without the engine's
// retries.
type clientCaller struct{ c *Client }

func (cc clientCaller) Call(ctx context.Context, m Method, in, out any) error {
	return cc.c.Call(ctx, m.Name, in, out)
}

// A ServiceClient talking to ServiceHandlers over the socket gives every
// answer of the Service behind them, and its *workspace.LineError.
func TestServiceCrossesTheSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	kinds := Errors{"line_outside": workspace.ErrLineOutside}
	srv, err := Listen(path, ServiceHandlers(fakeService{}), kinds, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background()) //nolint:errcheck // the test is over
	c := Dial(path, kinds)
	defer c.Close()
	var svc workspace.Service = NewServiceClient(clientCaller{c})
	ctx := context.Background()
	if resp, err := svc.Search(ctx, workspace.SearchRequest{Query: "q", Limit: 1, Mode: "keyword"}); err != nil || resp.Results[0].ID != "q" || resp.Mode != "keyword" {
		t.Errorf("Search = %+v, %v", resp, err)
	}
	_, err = svc.FindRelated(ctx, workspace.RelatedRequest{Ref: workspace.DocumentRef{ID: "d"}, Line: 40, Limit: 1})
	le, ok := errors.AsType[*workspace.LineError](err)
	if !ok || *le != (workspace.LineError{Line: 40, First: 1, Last: 9}) || !errors.Is(err, workspace.ErrLineOutside) || !strings.HasPrefix(err.Error(), "find related: line 40") {
		t.Errorf("FindRelated = %#v, want the service's *LineError and text", err)
	}
	if res, err := svc.AddDocument(ctx, workspace.AddDocumentRequest{Content: "c", Title: "t", Collection: "n"}); err != nil || res.ID != "note:t" || res.Collection != "n" {
		t.Errorf("AddDocument = %+v, %v", res, err)
	}
	if doc, err := svc.GetDocument(ctx, workspace.DocumentRef{ID: "i", Path: "p"}); err != nil || doc.ID != "i" || doc.Path != "p" {
		t.Errorf("GetDocument = %+v, %v", doc, err)
	}
	if d, err := svc.DeleteDocument(ctx, workspace.DocumentRef{ID: "i"}); err != nil || d != (workspace.Deleted{ID: "i", Chunks: 2}) {
		t.Errorf("DeleteDocument = %+v, %v", d, err)
	}
	if cs, err := svc.ListCollections(ctx); err != nil || len(cs) != 1 || cs[0].Chunks != 2 {
		t.Errorf("ListCollections = %+v, %v", cs, err)
	}
	if page, err := svc.ListNotesPage(ctx, workspace.NotesQuery{Cursor: "c"}); err != nil || page.Next != "cx" || len(page.Notes) != 1 {
		t.Errorf("ListNotesPage = %+v, %v", page, err)
	}
	if p, err := svc.Progress(ctx); err != nil || p != (workspace.Progress{Indexing: true, Done: 3, Pending: 4}) {
		t.Errorf("Progress = %+v, %v", p, err)
	}
	handlers := ServiceHandlers(fakeService{})
	for _, m := range Methods {
		upkeep := m == MethodHello || m == MethodStatus || m == MethodPing
		if _, ok := handlers[m.Name]; ok == upkeep {
			t.Errorf("method %s: served by ServiceHandlers %v, want %v", m.Name, ok, !upkeep)
		}
	}
}
