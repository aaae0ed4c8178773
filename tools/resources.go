package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"workspace-qdrant-mcp/engine"
)

// The server's resources: the engine status, and every stored document
// (workspace file or note) through a template whose one variable is the
// document id, percent-encoded as a URI template's simple expansion does
// (DocumentURI).
const (
	StatusURI        = "wqm://engine/status"
	DocumentTemplate = "wqm://document/{id}"
)

// resourceChars bounds the text of a document resource: it is sent once,
// so it may be larger than get_document's default.
const resourceChars = 24_000

const documentPrefix = "wqm://document/"

// DocumentURI is the resource URI of the document id: id percent-encoded
// but for unreserved characters, as the template's simple expansion
// encodes it.
func DocumentURI(id string) string {
	var b strings.Builder
	b.WriteString(documentPrefix)
	for _, c := range []byte(id) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// documentID is the document id a resource URI names, "" when it names
// none.
func documentID(uri string) string {
	rest, ok := strings.CutPrefix(uri, documentPrefix)
	if !ok {
		return ""
	}
	id, err := url.PathUnescape(rest)
	if err != nil {
		return ""
	}
	return id
}

// StatusResource is the engine status as a resource: the JSON object
// engine_status answers with.
func StatusResource(eng Engine, opts ...Option) server.ServerResource {
	eng, _ = bind(eng, opts)
	res := mcp.NewResource(StatusURI, "engine-status",
		mcp.WithResourceTitle("Engine status"),
		mcp.WithResourceDescription("The ingestion engine's state, indexing progress, last error and recovery, as engine_status gives them. "+
			"Subscribe to it to be told of each state change and each workspace index start and finish."),
		mcp.WithMIMEType("application/json"))
	return server.ServerResource{Resource: res, Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		text, err := json.Marshal(eng.Status(ctx))
		if err != nil {
			return nil, fmt.Errorf("encode the engine status: %w", err)
		}
		return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "application/json", Text: string(text)}}, nil
	}}
}

// DocumentResources is the template through which every stored document
// is read, as get_document gives its text: its first lines, at most
// 24,000 characters, followed by a line that says where to go on when
// the text was cut.
func DocumentResources(eng Engine, opts ...Option) server.ServerResourceTemplate {
	eng, _ = bind(eng, opts)
	tmpl := mcp.NewResourceTemplate(DocumentTemplate, "document",
		mcp.WithTemplateTitle("Workspace file or note"),
		mcp.WithTemplateDescription("A stored document (a workspace file or a note) by its id, as search, add_document and resources/list give it. "+
			"The text is cut at 24,000 characters; get_document reads on."),
		mcp.WithTemplateMIMEType("text/plain"))
	return server.ServerResourceTemplate{Template: tmpl, Handler: readDocument(eng)}
}

// NoteResource is a note as resources/list shows it, read as the
// document template reads it.
func NoteResource(eng Engine, n engine.Note, opts ...Option) server.ServerResource {
	eng, _ = bind(eng, opts)
	title := n.Title
	if title == "" {
		title = "Untitled note"
	}
	res := mcp.NewResource(DocumentURI(n.ID), n.ID,
		mcp.WithResourceTitle(title),
		mcp.WithResourceDescription(fmt.Sprintf("A note of collection %s.", n.Collection)),
		mcp.WithMIMEType("text/plain"))
	return server.ServerResource{Resource: res, Handler: server.ResourceHandlerFunc(readDocument(eng))}
}

// readDocument reads the document a URI names.
func readDocument(eng Engine) server.ResourceTemplateHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id := documentID(req.Params.URI)
		if id == "" {
			return nil, fmt.Errorf("%s: %w: the URI names no document id", req.Params.URI, server.ErrResourceNotFound)
		}
		ref := engine.DocumentRef{ID: id}
		doc, err := eng.GetDocument(ctx, ref)
		if err != nil {
			var te *toolError
			if err = documentError(ref, err); errors.As(err, &te) {
				return nil, fmt.Errorf("%s: %w", te.msg, server.ErrResourceNotFound)
			}
			return nil, fmt.Errorf("read %s: %w", req.Params.URI, err)
		}
		v, err := viewDocument(doc, 1, 0, resourceChars)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", req.Params.URI, err)
		}
		text := v.Text
		if v.Truncated {
			text += fmt.Sprintf("\n[cut after line %d of %d: get_document with id %q and start_line %d reads on]\n", v.EndLine, v.TotalLines, v.ID, v.NextStartLine)
		}
		return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "text/plain", Text: text}}, nil
	}
}
