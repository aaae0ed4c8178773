// Package tools implements the server's MCP tools: the engine lifecycle
// (engine_start, engine_stop, engine_restart, engine_status,
// engine_health) and the workspace operations (search, add_document,
// find_related, get_document, delete_document, list_collections).
//
// Each tool is a description, a JSON input schema with honest annotations,
// and a small handler that validates its arguments, calls the engine and
// answers with one JSON object, both as structured content and as text.
// Register adds them all to an MCP server:
//
//	s := server.NewMCPServer("workspace-qdrant-mcp", version.String(), server.WithToolCapabilities(false))
//	tools.Register(s, manager) // manager is an *engine.Manager
//	tools.Register(s, manager, tools.WithHealth(monitor), tools.WithRecovery(rec))
//
// Errors are tool errors (results with IsError set), never protocol
// errors, so the model sees them: a bad argument names the argument
// ("limit: must be between 1 and 100, got 500"); while the engine is not
// running every workspace tool answers with the engine's refusal, which
// names the state and says to call engine_start; in recovery's degraded
// mode it answers with recovery's refusal, which names what is down.
package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/server"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/storage"
)

// Engine is the part of *engine.Manager that the tools use.
type Engine interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context, opts engine.StopOptions) (engine.StopResult, error)
	Restart(ctx context.Context) error
	Reindex(ctx context.Context) error
	State() engine.State
	Status(ctx context.Context) engine.Status
	Checks(ctx context.Context) []engine.Check
	WaitIndexed(ctx context.Context, progress func(done, total int)) error

	Search(ctx context.Context, req engine.SearchRequest) (engine.SearchResponse, error)
	FindRelated(ctx context.Context, req engine.RelatedRequest) (engine.RelatedResponse, error)
	AddDocument(ctx context.Context, req engine.AddDocumentRequest) (engine.AddDocumentResult, error)
	GetDocument(ctx context.Context, ref engine.DocumentRef) (storage.Document, error)
	DeleteDocument(ctx context.Context, ref engine.DocumentRef) (id string, chunks int, err error)
	ListCollections(ctx context.Context) ([]storage.CollectionInfo, error)
}

var _ Engine = (*engine.Manager)(nil)

// Tools returns every tool, bound to eng, in the order clients list them.
func Tools(eng Engine, opts ...Option) []server.ServerTool {
	eng, o := bind(eng, opts)
	return []server.ServerTool{
		engineStart(eng, o),
		engineStop(eng),
		engineRestart(eng, o),
		engineStatus(eng, o),
		engineHealth(eng, o),
		search(eng),
		findRelated(eng),
		addDocument(eng),
		getDocument(eng),
		deleteDocument(eng),
		listCollections(eng),
	}
}

// Register adds every tool to s.
func Register(s *server.MCPServer, eng Engine, opts ...Option) {
	s.AddTools(Tools(eng, opts...)...)
}

// bind applies opts, returning the engine as the tools and resources see
// it: guarded by recovery when it is wired.
func bind(eng Engine, opts []Option) (Engine, options) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.recovery != nil {
		admitThrough(eng, o.recovery)
		eng = guarded{Engine: eng, rec: o.recovery}
	}
	return eng, o
}
