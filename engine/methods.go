package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"workspace-qdrant-mcp/engine/peer"
	"workspace-qdrant-mcp/engine/storage"
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

// operation is one workspace operation, described once: the method that
// carries it to the indexer, what it needs, how its request (In, as W)
// and its answer (Out, as WOut) cross the wire, and its body on the
// indexer. call runs it on either role, and
// serve answers it for readers, so the method name, the forwarding, the
// idempotency (peer.Method) and the handler all come from this one entry.
type operation[In, W, Out, WOut any] struct {
	method   peer.Method
	write    bool
	needs    func(In) []string
	toWire   func(In) (W, error) // refuses what cannot cross the wire
	fromW    func(W) In
	answer   func(Out) WOut // same when Out crosses as it is
	answerOf func(WOut) Out
	// remote, when set, rebuilds the typed errors of a forwarded call's
	// refusal (see peer.Detailed).
	remote func(error) error
	local  func(m *Manager, ctx context.Context, r *run, in In) (Out, error)
}

// call admits the operation, then runs it on this server's store (an
// indexer) or forwards it (a reader), and runs it again after a takeover
// (redo).
func (o *operation[In, W, Out, WOut]) call(ctx context.Context, m *Manager, in In) (Out, error) {
	var zero Out
	if err := m.admit(Op{Name: o.method.Name, Write: o.write, Needs: o.needs(in)}); err != nil {
		return zero, err
	}
	return redo(ctx, m, func() (Out, error) {
		r, release, err := m.acquireTool(ctx, o.write)
		if err != nil {
			return zero, err
		}
		defer release()
		if !r.reader() {
			return o.local(m, ctx, r, in)
		}
		w, err := o.toWire(in)
		if err != nil {
			return zero, err
		}
		var out WOut
		err = r.link.call(ctx, o.method, w, &out)
		if err != nil && o.remote != nil {
			err = o.remote(err)
		}
		return o.answerOf(out), err
	})
}

// serve is the indexer's handler of the operation's method.
func (o *operation[In, W, Out, WOut]) serve(m *Manager) (string, peer.Handler) {
	return o.method.Name, handle(func(ctx context.Context, w W) (WOut, error) {
		out, err := o.call(ctx, m, o.fromW(w))
		return o.answer(out), err
	})
}

func needStorage[In any](In) []string { return []string{ComponentStorage} }

func needBoth[In any](In) []string { return []string{ComponentStorage, ComponentEmbedder} }

func same[T any](v T) T { return v }

func noRequest(struct{}) (peer.Empty, error) { return peer.Empty{}, nil }

func fromEmpty(peer.Empty) struct{} { return struct{}{} }

// The workspace operations.
var (
	opSearch = &operation[SearchRequest, peer.SearchRequest, SearchResponse, SearchResponse]{
		method: peer.MethodSearch,
		needs: func(req SearchRequest) []string {
			// A hybrid search answers from its keyword leg while the
			// embedder is down: only a semantic one needs it.
			if req.Mode == storage.ModeSemantic {
				return needBoth(req)
			}
			return needStorage(req)
		},
		toWire: SearchRequest.wire, fromW: searchRequestOf, answer: same[SearchResponse], answerOf: same[SearchResponse],
		local: (*Manager).search,
	}
	opFindRelated = &operation[RelatedRequest, peer.RelatedRequest, RelatedResponse, RelatedResponse]{
		method: peer.MethodFindRelated, needs: needStorage[RelatedRequest],
		toWire: RelatedRequest.wire, fromW: relatedRequestOf, answer: same[RelatedResponse], answerOf: same[RelatedResponse],
		remote: lineErrorOf, local: (*Manager).findRelated,
	}
	opAddDocument = &operation[AddDocumentRequest, peer.AddDocumentRequest, AddDocumentResult, AddDocumentResult]{
		method: peer.MethodAddDocument, write: true, needs: needBoth[AddDocumentRequest],
		toWire: AddDocumentRequest.wire, fromW: addDocumentRequestOf, answer: same[AddDocumentResult], answerOf: same[AddDocumentResult],
		local: (*Manager).addDocument,
	}
	opGetDocument = &operation[DocumentRef, peer.DocumentRef, storage.Document, peer.Document]{
		method: peer.MethodGetDocument, needs: needStorage[DocumentRef],
		toWire: DocumentRef.wire, fromW: documentRefOf, answer: wireDocument, answerOf: documentOf,
		local: (*Manager).getDocument,
	}
	opDeleteDocument = &operation[DocumentRef, peer.DocumentRef, peer.Deleted, peer.Deleted]{
		method: peer.MethodDeleteDocument, write: true, needs: needStorage[DocumentRef],
		toWire: DocumentRef.wire, fromW: documentRefOf, answer: same[peer.Deleted], answerOf: same[peer.Deleted],
		local: (*Manager).deleteDocument,
	}
	opListCollections = &operation[struct{}, peer.Empty, []storage.CollectionInfo, []peer.CollectionInfo]{
		method: peer.MethodListCollections, needs: needStorage[struct{}],
		toWire: noRequest, fromW: fromEmpty, answer: wireCollections, answerOf: collectionsOf,
		local: (*Manager).listCollections,
	}
	// list_notes_page serves resources/list, which recovery's degraded
	// mode never refused: it needs nothing of the hook.
	opListNotesPage = &operation[NotesQuery, peer.NotesQuery, NotesPage, NotesPage]{
		method: peer.MethodListNotesPage, needs: func(NotesQuery) []string { return nil },
		toWire: func(q NotesQuery) (peer.NotesQuery, error) { return peer.NotesQuery(q), nil },
		fromW:  func(q peer.NotesQuery) NotesQuery { return NotesQuery(q) },
		answer: same[NotesPage], answerOf: same[NotesPage],
		local: (*Manager).listNotesPage,
	}
)

// served is an operation as the indexer's socket serves it.
type served interface {
	serve(m *Manager) (string, peer.Handler)
}

// workspaceOps are the operations that readers forward.
var workspaceOps = []served{opSearch, opFindRelated, opAddDocument, opGetDocument, opDeleteDocument, opListCollections, opListNotesPage}

// peerHandlers are the calls an indexer answers for its readers: the
// workspace operations, each the one a tool call on the indexer runs, and
// the calls of the readers' own upkeep.
func (m *Manager) peerHandlers() map[string]peer.Handler {
	h := map[string]peer.Handler{
		peer.MethodHello.Name: func(context.Context, json.RawMessage) (any, error) {
			cfg := m.Config()
			return peer.Hello{PID: os.Getpid(), Version: version.String(), Protocol: peer.Protocol,
				Roots: cfg.Workspace.Roots, Collection: cfg.Workspace.Collection}, nil
		},
		peer.MethodStatus.Name: handle(func(ctx context.Context, _ peer.Empty) (Status, error) { return m.Status(ctx), nil }),
		peer.MethodPing.Name: handle(func(ctx context.Context, _ peer.Empty) (peer.Empty, error) {
			r, release, err := m.acquire(false)
			if err != nil {
				return peer.Empty{}, err
			}
			defer release()
			return peer.Empty{}, r.store.Ping(ctx)
		}),
		peer.MethodProgress.Name: handle(func(ctx context.Context, _ peer.Empty) (peer.Progress, error) { return m.progress(ctx) }),
	}
	for _, op := range workspaceOps {
		name, fn := op.serve(m)
		h[name] = fn
	}
	return h
}

// handle adapts a typed operation to a peer.Handler.
func handle[In, Out any](fn func(context.Context, In) (Out, error)) peer.Handler {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var in In
		if len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &in); err != nil {
				return nil, fmt.Errorf("decode request: %w", err)
			}
		}
		return fn(ctx, in)
	}
}

// wire is the request as it crosses to the indexer. Ranking experiments
// do not cross: the indexer ranks with its own configuration.
func (req SearchRequest) wire() (peer.SearchRequest, error) {
	if req.Tuning != nil || req.Rules != nil {
		return peer.SearchRequest{}, fmt.Errorf("%w: a search with ranking overrides (Tuning, Rules) cannot be forwarded to the indexer, which ranks with its own configuration: "+
			"run the experiment on the indexer, or with a storage.data_dir of its own", ErrReader)
	}
	return peer.SearchRequest{
		Query: req.Query, Limit: req.Limit, Mode: req.Mode, Collection: req.Collection,
		PathGlob: req.PathGlob, Language: req.Language, MaxPerFile: req.MaxPerFile,
		ScoreThreshold: req.ScoreThreshold, MinKeywordScore: req.MinKeywordScore,
		ContextLines: req.ContextLines, Symbol: req.Symbol,
	}, nil
}

func searchRequestOf(w peer.SearchRequest) SearchRequest {
	return SearchRequest{
		Query: w.Query, Limit: w.Limit, Mode: w.Mode, Collection: w.Collection,
		PathGlob: w.PathGlob, Language: w.Language, MaxPerFile: w.MaxPerFile,
		ScoreThreshold: w.ScoreThreshold, MinKeywordScore: w.MinKeywordScore,
		ContextLines: w.ContextLines, Symbol: w.Symbol,
	}
}

func (ref DocumentRef) wire() (peer.DocumentRef, error) {
	return peer.DocumentRef{ID: ref.ID, Path: ref.Path}, nil
}

func documentRefOf(w peer.DocumentRef) DocumentRef { return DocumentRef{ID: w.ID, Path: w.Path} }

func (req RelatedRequest) wire() (peer.RelatedRequest, error) {
	ref, _ := req.Ref.wire()
	return peer.RelatedRequest{
		Ref: ref, Line: req.Line, Limit: req.Limit, MaxPerFile: req.MaxPerFile,
		PathGlob: req.PathGlob, Language: req.Language, SameFile: req.SameFile,
	}, nil
}

func relatedRequestOf(w peer.RelatedRequest) RelatedRequest {
	return RelatedRequest{
		Ref: documentRefOf(w.Ref), Line: w.Line, Limit: w.Limit, MaxPerFile: w.MaxPerFile,
		PathGlob: w.PathGlob, Language: w.Language, SameFile: w.SameFile,
	}
}

func (req AddDocumentRequest) wire() (peer.AddDocumentRequest, error) {
	return peer.AddDocumentRequest{Content: req.Content, Title: req.Title, Metadata: req.Metadata, Collection: req.Collection}, nil
}

func addDocumentRequestOf(w peer.AddDocumentRequest) AddDocumentRequest {
	return AddDocumentRequest{Content: w.Content, Title: w.Title, Metadata: w.Metadata, Collection: w.Collection}
}

func wireDocument(d storage.Document) peer.Document {
	w := peer.Document{ID: d.ID, Collection: d.Collection, Kind: d.Kind, Path: d.Path, Title: d.Title, Metadata: d.Metadata}
	if d.Chunks != nil {
		w.Chunks = make([]peer.Chunk, len(d.Chunks))
	}
	for i, c := range d.Chunks {
		w.Chunks[i] = peer.Chunk{
			ID: c.ID, DocID: c.DocID, Collection: c.Collection, Kind: c.Kind, Path: c.Path, Title: c.Title,
			Language: c.Language, Ordinal: c.Ordinal, StartLine: c.StartLine, EndLine: c.EndLine,
			Text: c.Text, Hash: c.Hash, Metadata: c.Metadata,
		}
	}
	return w
}

// documentOf is a document as it came across; its chunks carry no
// vectors, as GetDocument's never do.
func documentOf(w peer.Document) storage.Document {
	d := storage.Document{ID: w.ID, Collection: w.Collection, Kind: w.Kind, Path: w.Path, Title: w.Title, Metadata: w.Metadata}
	if w.Chunks != nil {
		d.Chunks = make([]storage.Chunk, len(w.Chunks))
	}
	for i, c := range w.Chunks {
		d.Chunks[i] = storage.Chunk{
			ID: c.ID, DocID: c.DocID, Collection: c.Collection, Kind: c.Kind, Path: c.Path, Title: c.Title,
			Language: c.Language, Ordinal: c.Ordinal, StartLine: c.StartLine, EndLine: c.EndLine,
			Text: c.Text, Hash: c.Hash, Metadata: c.Metadata,
		}
	}
	return d
}

func wireCollections(cs []storage.CollectionInfo) []peer.CollectionInfo {
	if cs == nil {
		return nil
	}
	w := make([]peer.CollectionInfo, len(cs))
	for i, c := range cs {
		w[i] = peer.CollectionInfo(c) // the same fields; a field added to one fails the conversion
	}
	return w
}

func collectionsOf(w []peer.CollectionInfo) []storage.CollectionInfo {
	if w == nil {
		return nil
	}
	cs := make([]storage.CollectionInfo, len(w))
	for i, c := range w {
		cs[i] = storage.CollectionInfo(c)
	}
	return cs
}
