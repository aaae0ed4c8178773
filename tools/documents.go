package tools

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/storage"
)

func addDocument(eng Engine) server.ServerTool {
	tool := newTool("add_document", "Add document",
		"Remember a note: the text is chunked, embedded and stored so that search finds it next to "+
			"the workspace files. Returns its id (for get_document and delete_document), its "+
			"collection, how many chunks it was split into, and how many secrets (API keys, tokens, "+
			"private keys) were replaced by [REDACTED:<rule>] before anything was embedded or stored.",
		hints(false, false, false), outputSchema[engine.AddDocumentResult](),
		mcp.WithString("content", mcp.Required(), mcp.MinLength(1), mcp.Description("The text to store.")),
		mcp.WithString("title", mcp.Description("A short title, shown in search results.")),
		mcp.WithObject("metadata", mcp.AdditionalProperties(map[string]any{"type": "string"}),
			mcp.Description(`String key/value pairs stored with the note, e.g. {"source": "meeting"}.`)),
		mcp.WithString("collection",
			mcp.Description(fmt.Sprintf("Collection to store the note in (default %q).", engine.NotesCollection))),
	)
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		req := engine.AddDocumentRequest{
			Content:    a.RequiredString("content"),
			Title:      a.String("title"),
			Metadata:   a.StringMap("metadata"),
			Collection: a.String("collection"),
		}
		if err := a.Err(); err != nil {
			return nil, err
		}
		return eng.AddDocument(ctx, req)
	})}
}

// get_document bounds: the text of a result appears twice (structured
// content and its JSON text), so 10,000 characters keep a result near
// 20,000.
const (
	defaultDocumentChars = 10_000
	maxDocumentChars     = 200_000
)

// documentView is get_document's answer: the document's text as indexed,
// once, from start_line to end_line, cut at max_chars.
type documentView struct {
	ID         string            `json:"id"`
	Collection string            `json:"collection"`
	Kind       string            `json:"kind"`
	Path       string            `json:"path,omitempty"`
	Title      string            `json:"title,omitempty"`
	Metadata   map[string]string `json:"metadata"`
	StartLine  int               `json:"start_line"`
	EndLine    int               `json:"end_line"` // the last line given; less than start_line when none is
	TotalLines int               `json:"total_lines"`
	Chunks     int               `json:"chunks"` // how many chunks the document is indexed as
	Text       string            `json:"text"`
	// Truncated says that max_chars stopped the text before end_line;
	// NextStartLine is the line to ask for next (0 when there is none).
	Truncated     bool `json:"truncated"`
	NextStartLine int  `json:"next_start_line,omitempty"`
}

// documentLines rebuilds a document's indexed text as lines from its
// chunks, which are whole lines that may overlap, in order. Each line
// keeps its line ending.
func documentLines(d storage.Document) []string {
	var lines []string
	for _, c := range d.Chunks {
		for i, l := range strings.SplitAfter(c.Text, "\n") {
			n := c.StartLine + i // 1-based
			if l == "" || n < 1 {
				continue
			}
			for len(lines) < n {
				lines = append(lines, "")
			}
			lines[n-1] = l
		}
	}
	return lines
}

// viewDocument gives lines start to end (1-based, inclusive; end 0 means
// the last) of d, at most maxChars characters of them. A single line
// longer than maxChars is cut at a character boundary.
func viewDocument(d storage.Document, start, end, maxChars int) (documentView, error) {
	v := documentView{
		ID: d.ID, Collection: d.Collection, Kind: d.Kind, Path: d.Path, Title: d.Title,
		Metadata: d.Metadata, Chunks: len(d.Chunks),
	}
	if v.Metadata == nil {
		v.Metadata = map[string]string{}
	}
	lines := documentLines(d)
	v.TotalLines = len(lines)
	if end == 0 || end > len(lines) {
		end = len(lines)
	}
	if start > max(len(lines), 1) {
		return v, invalid("start_line", "is %d, but the document has %d lines", start, len(lines))
	}
	if end < start && end != len(lines) {
		return v, invalid("end_line", "is %d, before start_line %d", end, start)
	}
	var b strings.Builder
	v.StartLine, v.EndLine = start, start-1
	for n := start; n <= end; n++ {
		l := lines[n-1]
		if b.Len()+len(l) > maxChars {
			if b.Len() == 0 { // one line longer than the bound
				cut := maxChars
				for cut > 0 && !utf8.RuneStart(l[cut]) {
					cut--
				}
				b.WriteString(l[:cut])
				v.EndLine = n
				n++
			}
			v.Truncated = n <= end
			if v.Truncated {
				v.NextStartLine = n
			}
			break
		}
		b.WriteString(l)
		v.EndLine = n
	}
	v.Text = b.String()
	return v, nil
}

// documentParams are the schema of a tool that names one document.
func documentParams(verb string) []mcp.ToolOption {
	return []mcp.ToolOption{
		mcp.WithString("id", mcp.Description("The document id, as search and add_document return it. Give id or path, not both.")),
		mcp.WithString("path", mcp.Description("The path of a workspace file "+verb+", absolute or relative to the first workspace root. Give id or path, not both.")),
	}
}

// documentRef reads exactly one of id and path.
func documentRef(a *args) engine.DocumentRef {
	ref := engine.DocumentRef{ID: a.String("id"), Path: a.String("path")}
	switch {
	case ref.ID != "" && ref.Path != "":
		a.Check(false, "id, path", "give exactly one of id or path, not both")
	case ref.ID == "" && ref.Path == "":
		a.Check(false, "id, path", "one of id or path is required")
	}
	return ref
}

// documentError turns a missing document into a plain "not found".
func documentError(ref engine.DocumentRef, err error) error {
	if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if ref.ID != "" {
		return &toolError{msg: fmt.Sprintf("document %s not found", ref.ID)}
	}
	return &toolError{msg: fmt.Sprintf("document %s not found (the file may be ignored, too large, or not indexed yet)", ref.Path)}
}

func getDocument(eng Engine) server.ServerTool {
	params := append(documentParams("to read"),
		mcp.WithInteger("start_line", mcp.Min(1), mcp.DefaultNumber(1), mcp.Description("First line to return.")),
		mcp.WithInteger("end_line", mcp.Min(1), mcp.Description("Last line to return (default: the last).")),
		mcp.WithInteger("max_chars", mcp.Min(1), mcp.Max(maxDocumentChars), mcp.DefaultNumber(defaultDocumentChars),
			mcp.Description("At most this many characters of text; when cut, truncated is true and next_start_line says where to go on.")),
	)
	tool := newTool("get_document", "Get document",
		"Return a stored document (a workspace file or a note) as indexed: id, collection, kind, path or title, "+
			"metadata, total_lines, and the text of lines start_line to end_line, at most max_chars characters "+
			"(10,000 by default). When the text is cut, truncated is true and next_start_line is the line to ask for next.",
		readOnly, append(params, outputSchema[documentView]())...)
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		ref := documentRef(a)
		start := a.Int("start_line", 1, 1, math.MaxInt32)
		end := a.Int("end_line", 0, 1, math.MaxInt32)
		maxChars := a.Int("max_chars", defaultDocumentChars, 1, maxDocumentChars)
		a.Check(end == 0 || end >= start, "end_line", "is %d, before start_line %d", end, start)
		if err := a.Err(); err != nil {
			return nil, err
		}
		doc, err := eng.GetDocument(ctx, ref)
		if err != nil {
			return nil, documentError(ref, err)
		}
		return viewDocument(doc, start, end, maxChars)
	})}
}

// deleteReply is delete_document's answer.
type deleteReply struct {
	ID            string `json:"id"`
	DeletedChunks int    `json:"deleted_chunks"`
}

func deleteDocument(eng Engine) server.ServerTool {
	tool := newTool("delete_document", "Delete document",
		"Remove a document and its chunks from the index. A deleted note is gone for good; a "+
			"deleted workspace file is indexed again when it next changes or at the next start. The "+
			"file itself is never touched.",
		hints(false, true, true), append(documentParams("to remove from the index"), outputSchema[deleteReply]())...)
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		ref := documentRef(a)
		if err := a.Err(); err != nil {
			return nil, err
		}
		id, n, err := eng.DeleteDocument(ctx, ref)
		if err != nil {
			return nil, documentError(ref, err)
		}
		return deleteReply{ID: id, DeletedChunks: n}, nil
	})}
}

// collectionsReply is list_collections' answer.
type collectionsReply struct {
	Collections []collectionView `json:"collections"`
}

type collectionView struct {
	Name      string `json:"name"`
	Documents int    `json:"documents"`
	Chunks    int    `json:"chunks"`
}

func listCollections(eng Engine) server.ServerTool {
	tool := newTool("list_collections", "List collections",
		"List the collections of the index (the workspace files' collection and the notes "+
			"collections) with how many documents and chunks each holds.",
		readOnly, outputSchema[collectionsReply]())
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		if err := a.Err(); err != nil {
			return nil, err
		}
		infos, err := eng.ListCollections(ctx)
		if err != nil {
			return nil, err
		}
		reply := collectionsReply{Collections: make([]collectionView, 0, len(infos))}
		for _, c := range infos {
			reply.Collections = append(reply.Collections, collectionView{Name: c.Name, Documents: c.Documents, Chunks: c.Chunks})
		}
		return reply, nil
	})}
}
