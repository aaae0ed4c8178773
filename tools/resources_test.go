package tools

import (
	"context"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/storage"
)

// docEngine holds one document.
type docEngine struct {
	*engine.Manager
	doc storage.Document
}

func (d *docEngine) GetDocument(_ context.Context, ref engine.DocumentRef) (storage.Document, error) {
	if ref.ID != d.doc.ID {
		return storage.Document{}, storage.ErrNotFound
	}
	return d.doc, nil
}

func TestDocumentURI(t *testing.T) {
	for _, id := range []string{"note:5f0c-9a", "file:/home/a b/ü.go", "file:C:\\src\\x.go"} {
		uri := DocumentURI(id)
		if strings.ContainsAny(uri[len(documentPrefix):], ":/ \\") {
			t.Errorf("DocumentURI(%q) = %q keeps a reserved character", id, uri)
		}
		if got := documentID(uri); got != id {
			t.Errorf("documentID(DocumentURI(%q)) = %q", id, got)
		}
	}
	if got := documentID("wqm://engine/status"); got != "" {
		t.Errorf("documentID of the status = %q", got)
	}
}

// A document resource gives the text once, cut at resourceChars with a
// line that says how to read on.
func TestDocumentResourceBounded(t *testing.T) {
	line := strings.Repeat("x", 99) + "\n"
	var chunks []storage.Chunk
	for i := range 600 { // 60,000 characters
		chunks = append(chunks, storage.Chunk{StartLine: i + 1, EndLine: i + 1, Text: line})
	}
	eng := &docEngine{Manager: stoppedEngine(t), doc: storage.Document{ID: "file:/w/big.txt", Kind: storage.KindFile, Chunks: chunks}}
	read := DocumentResources(eng).Handler
	req := mcp.ReadResourceRequest{}
	req.Params.URI = DocumentURI(eng.doc.ID)
	contents, err := read(context.Background(), req)
	if err != nil || len(contents) != 1 {
		t.Fatalf("read = %v, %v", contents, err)
	}
	text := contents[0].(mcp.TextResourceContents).Text
	if len(text) > resourceChars+200 || !strings.HasPrefix(text, line) {
		t.Errorf("text of %d characters, want at most about %d", len(text), resourceChars)
	}
	if !strings.Contains(text, "[cut after line 240 of 600: get_document with id \"file:/w/big.txt\" and start_line 241 reads on]") {
		t.Errorf("text ends %q", text[len(text)-200:])
	}
	req.Params.URI = DocumentURI("note:gone")
	if _, err := read(context.Background(), req); err == nil || !strings.Contains(err.Error(), "document note:gone not found") {
		t.Errorf("read of a missing document: %v", err)
	}
}
