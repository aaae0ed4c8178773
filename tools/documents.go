package tools

import (
	"context"
	"errors"
	"fmt"

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
		hints(false, false, false),
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

// documentView is get_document's answer.
type documentView struct {
	ID         string            `json:"id"`
	Collection string            `json:"collection"`
	Kind       string            `json:"kind"`
	Path       string            `json:"path,omitempty"`
	Title      string            `json:"title,omitempty"`
	Metadata   map[string]string `json:"metadata"`
	Chunks     []chunkView       `json:"chunks"`
}

type chunkView struct {
	ID        string `json:"id"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Text      string `json:"text"`
}

func viewDocument(d storage.Document) documentView {
	v := documentView{
		ID: d.ID, Collection: d.Collection, Kind: d.Kind, Path: d.Path, Title: d.Title,
		Metadata: d.Metadata, Chunks: make([]chunkView, 0, len(d.Chunks)),
	}
	if v.Metadata == nil {
		v.Metadata = map[string]string{}
	}
	for _, c := range d.Chunks {
		v.Chunks = append(v.Chunks, chunkView{ID: c.ID, StartLine: c.StartLine, EndLine: c.EndLine, Text: c.Text})
	}
	return v
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
	tool := newTool("get_document", "Get document",
		"Return a stored document (a workspace file or a note) with all its chunks in order: id, "+
			"collection, kind, path or title, metadata, and each chunk's id, line range and text.",
		readOnly, documentParams("to read")...)
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		ref := documentRef(a)
		if err := a.Err(); err != nil {
			return nil, err
		}
		doc, err := eng.GetDocument(ctx, ref)
		if err != nil {
			return nil, documentError(ref, err)
		}
		return viewDocument(doc), nil
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
		hints(false, true, true), documentParams("to remove from the index")...)
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
		readOnly)
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
