package peer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/workspace"
)

// ErrReader refuses what only the indexer may do, such as a reindex or a
// search with ranking overrides, on a server that forwards to it.
var ErrReader = errors.New("this server is a reader")

// Caller sends one call of Protocol to the indexer and decodes its answer
// into out. The engine's reader link is one: it adds the timeouts, the
// retries to the next indexer and the takeover's ending of waits.
type Caller interface {
	Call(ctx context.Context, method Method, in, out any) error
}

// ServiceClient is the workspace.Service of a reader: each call crosses
// to the indexer as its Method with the request's DTO, and its answer and
// errors come back as the indexer's Service gave them (sentinels by
// Errors, a *workspace.LineError rebuilt from its detail).
type ServiceClient struct{ c Caller }

// NewServiceClient returns the Service that forwards through c.
func NewServiceClient(c Caller) *ServiceClient { return &ServiceClient{c: c} }

var _ workspace.Service = (*ServiceClient)(nil)

// Search forwards a search. Ranking experiments (Tuning, Rules) are
// refused with ErrReader: the indexer ranks with its own configuration.
func (s *ServiceClient) Search(ctx context.Context, req workspace.SearchRequest) (workspace.SearchResponse, error) {
	return searchCall.send(ctx, s.c, req)
}

// FindRelated forwards a find_related.
func (s *ServiceClient) FindRelated(ctx context.Context, req workspace.RelatedRequest) (workspace.RelatedResponse, error) {
	return findRelatedCall.send(ctx, s.c, req)
}

// AddDocument forwards a note.
func (s *ServiceClient) AddDocument(ctx context.Context, req workspace.AddDocumentRequest) (workspace.AddDocumentResult, error) {
	return addDocumentCall.send(ctx, s.c, req)
}

// GetDocument forwards a get_document.
func (s *ServiceClient) GetDocument(ctx context.Context, ref workspace.DocumentRef) (storage.Document, error) {
	return getDocumentCall.send(ctx, s.c, ref)
}

// DeleteDocument forwards a delete_document.
func (s *ServiceClient) DeleteDocument(ctx context.Context, ref workspace.DocumentRef) (workspace.Deleted, error) {
	return deleteDocumentCall.send(ctx, s.c, ref)
}

// ListCollections forwards a list_collections.
func (s *ServiceClient) ListCollections(ctx context.Context) ([]storage.CollectionInfo, error) {
	return listCollectionsCall.send(ctx, s.c, Empty{})
}

// ListNotesPage forwards a list_notes_page.
func (s *ServiceClient) ListNotesPage(ctx context.Context, q workspace.NotesQuery) (workspace.NotesPage, error) {
	return listNotesPageCall.send(ctx, s.c, q)
}

// Progress asks the indexer how far it is.
func (s *ServiceClient) Progress(ctx context.Context) (workspace.Progress, error) {
	return progressCall.send(ctx, s.c, Empty{})
}

// ServiceHandlers are the indexer's handlers of the workspace calls: each
// decodes its DTO, calls svc, and sends the answer as its DTO. The engine
// serves its own operations (gate, admission hook, then its Local) with
// them.
func ServiceHandlers(svc workspace.Service) map[string]Handler {
	h := make(map[string]Handler, len(serviceCalls))
	for _, c := range serviceCalls {
		h[c.methodName()] = c.handler(svc)
	}
	return h
}

// serviceCall is one workspace call of Protocol, of any types, as
// ServiceHandlers serves it.
type serviceCall interface {
	methodName() string
	handler(svc workspace.Service) Handler
}

// call is one workspace call of Protocol: its Method, the Service method
// it runs on the indexer, and how its request (Req, on the wire WReq) and
// answer (Resp, on the wire WResp) cross the socket each way. The reader
// sends it (send); the indexer serves it (handler).
type call[Req, Resp, WReq, WResp any] struct {
	method Method
	serve  func(workspace.Service, context.Context, Req) (Resp, error)
	// check, when set, refuses a request that cannot be forwarded.
	check   func(Req) error
	reqDTO  func(Req) WReq
	reqOf   func(WReq) Req
	respDTO func(Resp) WResp
	respOf  func(WResp) Resp
	// lineErrors: a *workspace.LineError crosses with its lines.
	lineErrors bool
}

func (c call[Req, Resp, WReq, WResp]) methodName() string { return c.method.Name }

// send forwards req through caller and converts the answer.
func (c call[Req, Resp, WReq, WResp]) send(ctx context.Context, caller Caller, req Req) (Resp, error) {
	if c.check != nil {
		if err := c.check(req); err != nil {
			var zero Resp
			return zero, err
		}
	}
	var out WResp
	err := caller.Call(ctx, c.method, c.reqDTO(req), &out)
	if c.lineErrors {
		err = lineErrorOf(err)
	}
	return c.respOf(out), err
}

// handler decodes the request's DTO, runs it on svc and answers with the
// answer's DTO.
func (c call[Req, Resp, WReq, WResp]) handler(svc workspace.Service) Handler {
	return Handle(func(ctx context.Context, w WReq) (WResp, error) {
		resp, err := c.serve(svc, ctx, c.reqOf(w))
		if c.lineErrors {
			err = withLineDetail(err)
		}
		return c.respDTO(resp), err
	})
}

func same[T any](v T) T { return v }

// The workspace calls, one entry each: Method, the Service method, and
// the conversions of request and answer.
var (
	searchCall = call[workspace.SearchRequest, workspace.SearchResponse, SearchRequest, workspace.SearchResponse]{
		method: MethodSearch, serve: workspace.Service.Search, check: refuseRankingOverrides,
		reqDTO: searchRequestDTO, reqOf: searchRequestOf,
		respDTO: same[workspace.SearchResponse], respOf: same[workspace.SearchResponse],
	}
	findRelatedCall = call[workspace.RelatedRequest, workspace.RelatedResponse, RelatedRequest, workspace.RelatedResponse]{
		method: MethodFindRelated, serve: workspace.Service.FindRelated, lineErrors: true,
		reqDTO: relatedRequestDTO, reqOf: relatedRequestOf,
		respDTO: same[workspace.RelatedResponse], respOf: same[workspace.RelatedResponse],
	}
	addDocumentCall = call[workspace.AddDocumentRequest, workspace.AddDocumentResult, AddDocumentRequest, workspace.AddDocumentResult]{
		method: MethodAddDocument, serve: workspace.Service.AddDocument,
		reqDTO: addDocumentRequestDTO, reqOf: addDocumentRequestOf,
		respDTO: same[workspace.AddDocumentResult], respOf: same[workspace.AddDocumentResult],
	}
	getDocumentCall = call[workspace.DocumentRef, storage.Document, DocumentRef, Document]{
		method: MethodGetDocument, serve: workspace.Service.GetDocument,
		reqDTO: documentRefDTO, reqOf: documentRefOf,
		respDTO: documentDTO, respOf: documentOf,
	}
	deleteDocumentCall = call[workspace.DocumentRef, workspace.Deleted, DocumentRef, Deleted]{
		method: MethodDeleteDocument, serve: workspace.Service.DeleteDocument,
		reqDTO: documentRefDTO, reqOf: documentRefOf,
		respDTO: func(d workspace.Deleted) Deleted { return Deleted{ID: d.ID, Chunks: d.Chunks} },
		respOf:  func(d Deleted) workspace.Deleted { return workspace.Deleted{ID: d.ID, Chunks: d.Chunks} },
	}
	listCollectionsCall = call[Empty, []storage.CollectionInfo, Empty, []CollectionInfo]{
		method: MethodListCollections,
		serve: func(svc workspace.Service, ctx context.Context, _ Empty) ([]storage.CollectionInfo, error) {
			return svc.ListCollections(ctx)
		},
		reqDTO: same[Empty], reqOf: same[Empty],
		respDTO: collectionsDTO, respOf: collectionsOf,
	}
	listNotesPageCall = call[workspace.NotesQuery, workspace.NotesPage, NotesQuery, workspace.NotesPage]{
		method: MethodListNotesPage, serve: workspace.Service.ListNotesPage,
		reqDTO:  func(q workspace.NotesQuery) NotesQuery { return NotesQuery(q) },
		reqOf:   func(w NotesQuery) workspace.NotesQuery { return workspace.NotesQuery(w) },
		respDTO: same[workspace.NotesPage], respOf: same[workspace.NotesPage],
	}
	progressCall = call[Empty, workspace.Progress, Empty, Progress]{
		method: MethodProgress,
		serve: func(svc workspace.Service, ctx context.Context, _ Empty) (workspace.Progress, error) {
			return svc.Progress(ctx)
		},
		reqDTO: same[Empty], reqOf: same[Empty],
		respDTO: func(p workspace.Progress) Progress { return Progress(p) },
		respOf:  func(p Progress) workspace.Progress { return workspace.Progress(p) },
	}
)

// serviceCalls are the workspace calls that ServiceHandlers serve.
var serviceCalls = []serviceCall{
	searchCall, findRelatedCall, addDocumentCall, getDocumentCall, deleteDocumentCall,
	listCollectionsCall, listNotesPageCall, progressCall,
}

// Handle adapts a typed call to a Handler.
func Handle[In, Out any](fn func(context.Context, In) (Out, error)) Handler {
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

// lineDetail is a *workspace.LineError as it crosses the socket.
type lineDetail struct{ error }

func (e lineDetail) Unwrap() error { return e.error }

func (e lineDetail) WireDetail() any {
	le, _ := errors.AsType[*workspace.LineError](e.error)
	return LineOutside{Line: le.Line, First: le.First, Last: le.Last}
}

// withLineDetail makes a find_related refusal of a line cross the socket
// with its lines (see Detailed).
func withLineDetail(err error) error {
	if _, ok := errors.AsType[*workspace.LineError](err); ok {
		return lineDetail{err}
	}
	return err
}

// lineErrorOf rebuilds the *workspace.LineError of the indexer's refusal,
// and returns any other error as it is.
func lineErrorOf(err error) error {
	re, ok := errors.AsType[*RemoteError](err)
	var d LineOutside
	if !ok || !errors.Is(err, workspace.ErrLineOutside) || json.Unmarshal(re.Detail, &d) != nil {
		return err
	}
	return re.Rebuilt(&workspace.LineError{Line: d.Line, First: d.First, Last: d.Last})
}

// refuseRankingOverrides refuses a search with ranking experiments: they
// do not cross, the indexer ranks with its own configuration.
func refuseRankingOverrides(req workspace.SearchRequest) error {
	if req.Tuning != nil || req.Rules != nil {
		return fmt.Errorf("%w: a search with ranking overrides (Tuning, Rules) cannot be forwarded to the indexer, which ranks with its own configuration: "+
			"run the experiment on the indexer, or with a storage.data_dir of its own", ErrReader)
	}
	return nil
}

// searchRequestDTO is the request as it crosses to the indexer.
func searchRequestDTO(req workspace.SearchRequest) SearchRequest {
	return SearchRequest{
		Query: req.Query, Limit: req.Limit, Mode: req.Mode, Collection: req.Collection,
		PathGlob: req.PathGlob, Language: req.Language, MaxPerFile: req.MaxPerFile,
		ScoreThreshold: req.ScoreThreshold, MinKeywordScore: req.MinKeywordScore,
		ContextLines: req.ContextLines, Symbol: req.Symbol,
	}
}

func searchRequestOf(w SearchRequest) workspace.SearchRequest {
	return workspace.SearchRequest{
		Query: w.Query, Limit: w.Limit, Mode: w.Mode, Collection: w.Collection,
		PathGlob: w.PathGlob, Language: w.Language, MaxPerFile: w.MaxPerFile,
		ScoreThreshold: w.ScoreThreshold, MinKeywordScore: w.MinKeywordScore,
		ContextLines: w.ContextLines, Symbol: w.Symbol,
	}
}

func documentRefDTO(ref workspace.DocumentRef) DocumentRef {
	return DocumentRef{ID: ref.ID, Path: ref.Path}
}

func documentRefOf(w DocumentRef) workspace.DocumentRef {
	return workspace.DocumentRef{ID: w.ID, Path: w.Path}
}

func relatedRequestDTO(req workspace.RelatedRequest) RelatedRequest {
	return RelatedRequest{
		Ref: documentRefDTO(req.Ref), Line: req.Line, Limit: req.Limit, MaxPerFile: req.MaxPerFile,
		PathGlob: req.PathGlob, Language: req.Language, SameFile: req.SameFile,
	}
}

func relatedRequestOf(w RelatedRequest) workspace.RelatedRequest {
	return workspace.RelatedRequest{
		Ref: documentRefOf(w.Ref), Line: w.Line, Limit: w.Limit, MaxPerFile: w.MaxPerFile,
		PathGlob: w.PathGlob, Language: w.Language, SameFile: w.SameFile,
	}
}

func addDocumentRequestDTO(req workspace.AddDocumentRequest) AddDocumentRequest {
	return AddDocumentRequest{Content: req.Content, Title: req.Title, Metadata: req.Metadata, Collection: req.Collection}
}

func addDocumentRequestOf(w AddDocumentRequest) workspace.AddDocumentRequest {
	return workspace.AddDocumentRequest{Content: w.Content, Title: w.Title, Metadata: w.Metadata, Collection: w.Collection}
}

func documentDTO(d storage.Document) Document {
	w := Document{ID: d.ID, Collection: d.Collection, Kind: d.Kind, Path: d.Path, Title: d.Title, Metadata: d.Metadata}
	if d.Chunks != nil {
		w.Chunks = make([]Chunk, len(d.Chunks))
	}
	for i, c := range d.Chunks {
		w.Chunks[i] = Chunk{
			ID: c.ID, DocID: c.DocID, Collection: c.Collection, Kind: c.Kind, Path: c.Path, Title: c.Title,
			Language: c.Language, Ordinal: c.Ordinal, StartLine: c.StartLine, EndLine: c.EndLine,
			Text: c.Text, Hash: c.Hash, Metadata: c.Metadata,
		}
	}
	return w
}

// documentOf is a document as it came across; its chunks carry no
// vectors, as GetDocument's never do.
func documentOf(w Document) storage.Document {
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

func collectionsDTO(cs []storage.CollectionInfo) []CollectionInfo {
	if cs == nil {
		return nil
	}
	w := make([]CollectionInfo, len(cs))
	for i, c := range cs {
		w[i] = CollectionInfo(c) // the same fields; a field added to one fails the conversion
	}
	return w
}

func collectionsOf(w []CollectionInfo) []storage.CollectionInfo {
	if w == nil {
		return nil
	}
	cs := make([]storage.CollectionInfo, len(w))
	for i, c := range w {
		cs[i] = storage.CollectionInfo(c)
	}
	return cs
}
