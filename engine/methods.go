package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sync/atomic"

	"workspace-qdrant-mcp/engine/peer"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/workspace"
	"workspace-qdrant-mcp/internal/version"
)

// ErrDegraded marks the admission hook's refusal: connection recovery gave
// up, and the operation needs a component that is down. It crosses the
// socket, so a reader's call that the indexer refused wraps it too.
var ErrDegraded = errors.New("engine degraded")

// Op describes a workspace operation to the admission hook.
type Op struct {
	Name  string   // its peer method's name ("search", "add_document", ...), or "wait_indexed"
	Write bool     // it changes the index
	Needs []string // the components it cannot do without: ComponentStorage, ComponentEmbedder
}

// SetAdmission installs fn as the engine's admission hook: every workspace
// operation, a tool's or one forwarded by a reader, is first offered to
// fn, and refused with fn's error when it returns one (by convention an
// error wrapping ErrDegraded). nil removes the hook. Connection recovery's
// degraded mode refuses through it (see package tools).
func (m *Manager) SetAdmission(fn func(Op) error) {
	if fn == nil {
		m.admission.Store(nil)
		return
	}
	m.admission.Store(&fn)
}

// admit offers op to the admission hook.
func (m *Manager) admit(op Op) error {
	fn := m.admission.Load()
	if fn == nil {
		return nil
	}
	return (*fn)(op)
}

// admission is the Manager's hook; a type so that Manager names it.
type admission = atomic.Pointer[func(Op) error]

// operation is one workspace operation, described once: the peer.Method
// that carries it to the indexer (its name, which the admission hook
// sees, and its idempotency, which the reader's retries follow), whether
// it writes, what it needs, and its call on a workspace.Service. call
// runs it on the run's Service: the indexer's Local, or a reader's
// peer.ServiceClient, which sends it to the indexer as that Method. There
// peer.ServiceHandlers serve it through managerService, which runs this
// same entry, so a forwarded call passes the indexer's admission hook and
// gate as a tool call there does. No operation asks which role the run
// has.
type operation[In, Out any] struct {
	method peer.Method
	write  bool
	needs  func(In) []string
	on     func(svc workspace.Service, ctx context.Context, in In) (Out, error)
}

// call admits the operation, then runs it on the run's Service, and runs
// it again after a takeover (redo).
func (o *operation[In, Out]) call(ctx context.Context, m *Manager, in In) (Out, error) {
	var zero Out
	if err := m.admit(Op{Name: o.method.Name, Write: o.write, Needs: o.needs(in)}); err != nil {
		return zero, err
	}
	return redo(ctx, m, func() (Out, error) {
		r, release, err := m.acquire(o.write)
		if err != nil {
			return zero, err
		}
		defer release()
		return o.on(r.ws, ctx, in)
	})
}

func needStorage[In any](In) []string { return []string{ComponentStorage} }

func needBoth[In any](In) []string { return []string{ComponentStorage, ComponentEmbedder} }

// The workspace operations.
var (
	opSearch = &operation[SearchRequest, SearchResponse]{
		method: peer.MethodSearch,
		needs: func(req SearchRequest) []string {
			// A hybrid search answers from its keyword leg while the
			// embedder is down: only a semantic one needs it.
			if req.Mode == storage.ModeSemantic {
				return needBoth(req)
			}
			return needStorage(req)
		},
		on: workspace.Service.Search,
	}
	opFindRelated = &operation[RelatedRequest, RelatedResponse]{
		method: peer.MethodFindRelated, needs: needStorage[RelatedRequest], on: workspace.Service.FindRelated,
	}
	opAddDocument = &operation[AddDocumentRequest, AddDocumentResult]{
		method: peer.MethodAddDocument, write: true, needs: needBoth[AddDocumentRequest], on: workspace.Service.AddDocument,
	}
	opGetDocument = &operation[DocumentRef, storage.Document]{
		method: peer.MethodGetDocument, needs: needStorage[DocumentRef], on: workspace.Service.GetDocument,
	}
	opDeleteDocument = &operation[DocumentRef, workspace.Deleted]{
		method: peer.MethodDeleteDocument, write: true, needs: needStorage[DocumentRef], on: workspace.Service.DeleteDocument,
	}
	opListCollections = &operation[struct{}, []storage.CollectionInfo]{
		method: peer.MethodListCollections, needs: needStorage[struct{}],
		on: func(svc workspace.Service, ctx context.Context, _ struct{}) ([]storage.CollectionInfo, error) {
			return svc.ListCollections(ctx)
		},
	}
	// list_notes_page serves resources/list, which recovery's degraded
	// mode never refused: it needs nothing of the hook.
	opListNotesPage = &operation[NotesQuery, NotesPage]{
		method: peer.MethodListNotesPage, needs: func(NotesQuery) []string { return nil }, on: workspace.Service.ListNotesPage,
	}
)

// Search runs a query over every collection or one (see
// workspace.Local.Search for the ranking).
func (m *Manager) Search(ctx context.Context, req SearchRequest) (SearchResponse, error) {
	return opSearch.call(ctx, m, req)
}

// FindRelated returns the chunks most like one chunk elsewhere in the
// index, ranked as search ranks them (see workspace.Local.FindRelated).
func (m *Manager) FindRelated(ctx context.Context, req RelatedRequest) (RelatedResponse, error) {
	return opFindRelated.call(ctx, m, req)
}

// AddDocument chunks, embeds and stores a note.
func (m *Manager) AddDocument(ctx context.Context, req AddDocumentRequest) (AddDocumentResult, error) {
	return opAddDocument.call(ctx, m, req)
}

// GetDocument returns a stored document with its chunks.
func (m *Manager) GetDocument(ctx context.Context, ref DocumentRef) (storage.Document, error) {
	return opGetDocument.call(ctx, m, ref)
}

// DeleteDocument removes a document from the index and returns its id and
// how many chunks went with it. A workspace file's document is also
// forgotten by the indexer and its ledger: the file is indexed again when
// it next changes or at the next start, and only that file.
func (m *Manager) DeleteDocument(ctx context.Context, ref DocumentRef) (string, int, error) {
	d, err := opDeleteDocument.call(ctx, m, ref)
	return d.ID, d.Chunks, err
}

// ListCollections lists the collections with their counts.
func (m *Manager) ListCollections(ctx context.Context) ([]storage.CollectionInfo, error) {
	return opListCollections.call(ctx, m, struct{}{})
}

// ListNotesPage returns one page of the notes of every notes collection
// (every collection but the workspace files'); a cursor this server did
// not give is an error wrapping ErrBadCursor.
func (m *Manager) ListNotesPage(ctx context.Context, q NotesQuery) (NotesPage, error) {
	return opListNotesPage.call(ctx, m, q)
}

// managerService is the Manager as the workspace.Service that the
// indexer's socket serves to its readers: each call is the operation a
// tool call on the indexer runs, admission hook and gate included.
type managerService struct{ m *Manager }

func (s managerService) Search(ctx context.Context, req SearchRequest) (SearchResponse, error) {
	return s.m.Search(ctx, req)
}

func (s managerService) FindRelated(ctx context.Context, req RelatedRequest) (RelatedResponse, error) {
	return s.m.FindRelated(ctx, req)
}

func (s managerService) AddDocument(ctx context.Context, req AddDocumentRequest) (AddDocumentResult, error) {
	return s.m.AddDocument(ctx, req)
}

func (s managerService) GetDocument(ctx context.Context, ref DocumentRef) (storage.Document, error) {
	return s.m.GetDocument(ctx, ref)
}

func (s managerService) DeleteDocument(ctx context.Context, ref DocumentRef) (workspace.Deleted, error) {
	return opDeleteDocument.call(ctx, s.m, ref)
}

func (s managerService) ListCollections(ctx context.Context) ([]storage.CollectionInfo, error) {
	return s.m.ListCollections(ctx)
}

func (s managerService) ListNotesPage(ctx context.Context, q NotesQuery) (NotesPage, error) {
	return s.m.ListNotesPage(ctx, q)
}

func (s managerService) Progress(ctx context.Context) (workspace.Progress, error) {
	return s.m.progress(ctx)
}

// peerHandlers are the calls an indexer answers for its readers: the
// workspace operations, each the one a tool call on the indexer runs, and
// the calls of the readers' own upkeep.
func (m *Manager) peerHandlers() map[string]peer.Handler {
	h := peer.ServiceHandlers(managerService{m})
	h[peer.MethodHello.Name] = func(context.Context, json.RawMessage) (any, error) {
		cfg := m.Config()
		return peer.Hello{PID: os.Getpid(), Version: version.String(), Protocol: peer.Protocol,
			Roots: cfg.Workspace.Roots, Collection: cfg.Workspace.Collection}, nil
	}
	h[peer.MethodStatus.Name] = peer.Handle(func(ctx context.Context, _ peer.Empty) (Status, error) { return m.Status(ctx), nil })
	h[peer.MethodPing.Name] = peer.Handle(func(ctx context.Context, _ peer.Empty) (peer.Empty, error) {
		r, release, err := m.acquire(false)
		if err != nil {
			return peer.Empty{}, err
		}
		defer release()
		return peer.Empty{}, r.store.Ping(ctx)
	})
	return h
}
