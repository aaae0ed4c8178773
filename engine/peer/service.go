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

// forward sends in, as its DTO w, and converts the answer.
func forward[W, WOut, Out any](ctx context.Context, c Caller, m Method, w W, answerOf func(WOut) Out) (Out, error) {
	var out WOut
	err := c.Call(ctx, m, w, &out)
	return answerOf(out), err
}

func same[T any](v T) T { return v }

// Search forwards a search. Ranking experiments (Tuning, Rules) are
// refused with ErrReader: the indexer ranks with its own configuration.
func (s *ServiceClient) Search(ctx context.Context, req workspace.SearchRequest) (workspace.SearchResponse, error) {
	w, err := searchRequestDTO(req)
	if err != nil {
		return workspace.SearchResponse{}, err
	}
	return forward(ctx, s.c, MethodSearch, w, same[workspace.SearchResponse])
}

// FindRelated forwards a find_related.
func (s *ServiceClient) FindRelated(ctx context.Context, req workspace.RelatedRequest) (workspace.RelatedResponse, error) {
	resp, err := forward(ctx, s.c, MethodFindRelated, relatedRequestDTO(req), same[workspace.RelatedResponse])
	return resp, lineErrorOf(err)
}

// AddDocument forwards a note.
func (s *ServiceClient) AddDocument(ctx context.Context, req workspace.AddDocumentRequest) (workspace.AddDocumentResult, error) {
	return forward(ctx, s.c, MethodAddDocument, addDocumentRequestDTO(req), same[workspace.AddDocumentResult])
}

// GetDocument forwards a get_document.
func (s *ServiceClient) GetDocument(ctx context.Context, ref workspace.DocumentRef) (storage.Document, error) {
	return forward(ctx, s.c, MethodGetDocument, documentRefDTO(ref), documentOf)
}

// DeleteDocument forwards a delete_document.
func (s *ServiceClient) DeleteDocument(ctx context.Context, ref workspace.DocumentRef) (workspace.Deleted, error) {
	return forward(ctx, s.c, MethodDeleteDocument, documentRefDTO(ref), func(d Deleted) workspace.Deleted {
		return workspace.Deleted{ID: d.ID, Chunks: d.Chunks}
	})
}

// ListCollections forwards a list_collections.
func (s *ServiceClient) ListCollections(ctx context.Context) ([]storage.CollectionInfo, error) {
	return forward(ctx, s.c, MethodListCollections, Empty{}, collectionsOf)
}

// ListNotesPage forwards a list_notes_page.
func (s *ServiceClient) ListNotesPage(ctx context.Context, q workspace.NotesQuery) (workspace.NotesPage, error) {
	return forward(ctx, s.c, MethodListNotesPage, NotesQuery(q), same[workspace.NotesPage])
}

// Progress asks the indexer how far it is.
func (s *ServiceClient) Progress(ctx context.Context) (workspace.Progress, error) {
	return forward(ctx, s.c, MethodProgress, Empty{}, func(p Progress) workspace.Progress { return workspace.Progress(p) })
}

// ServiceHandlers are the indexer's handlers of the workspace calls: each
// decodes its DTO, calls svc, and sends the answer as its DTO. The engine
// serves its own operations (gate, admission hook, then its Local) with
// them.
func ServiceHandlers(svc workspace.Service) map[string]Handler {
	return map[string]Handler{
		MethodSearch.Name: Handle(func(ctx context.Context, w SearchRequest) (workspace.SearchResponse, error) {
			return svc.Search(ctx, searchRequestOf(w))
		}),
		MethodFindRelated.Name: Handle(func(ctx context.Context, w RelatedRequest) (workspace.RelatedResponse, error) {
			resp, err := svc.FindRelated(ctx, relatedRequestOf(w))
			return resp, withLineDetail(err)
		}),
		MethodAddDocument.Name: Handle(func(ctx context.Context, w AddDocumentRequest) (workspace.AddDocumentResult, error) {
			return svc.AddDocument(ctx, addDocumentRequestOf(w))
		}),
		MethodGetDocument.Name: Handle(func(ctx context.Context, w DocumentRef) (Document, error) {
			d, err := svc.GetDocument(ctx, documentRefOf(w))
			return documentDTO(d), err
		}),
		MethodDeleteDocument.Name: Handle(func(ctx context.Context, w DocumentRef) (Deleted, error) {
			d, err := svc.DeleteDocument(ctx, documentRefOf(w))
			return Deleted{ID: d.ID, Chunks: d.Chunks}, err
		}),
		MethodListCollections.Name: Handle(func(ctx context.Context, _ Empty) ([]CollectionInfo, error) {
			cs, err := svc.ListCollections(ctx)
			return collectionsDTO(cs), err
		}),
		MethodListNotesPage.Name: Handle(func(ctx context.Context, w NotesQuery) (workspace.NotesPage, error) {
			return svc.ListNotesPage(ctx, workspace.NotesQuery(w))
		}),
		MethodProgress.Name: Handle(func(ctx context.Context, _ Empty) (Progress, error) {
			p, err := svc.Progress(ctx)
			return Progress(p), err
		}),
	}
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

// searchRequestDTO is the request as it crosses to the indexer. Ranking
// experiments do not cross: the indexer ranks with its own configuration.
func searchRequestDTO(req workspace.SearchRequest) (SearchRequest, error) {
	if req.Tuning != nil || req.Rules != nil {
		return SearchRequest{}, fmt.Errorf("%w: a search with ranking overrides (Tuning, Rules) cannot be forwarded to the indexer, which ranks with its own configuration: "+
			"run the experiment on the indexer, or with a storage.data_dir of its own", ErrReader)
	}
	return SearchRequest{
		Query: req.Query, Limit: req.Limit, Mode: req.Mode, Collection: req.Collection,
		PathGlob: req.PathGlob, Language: req.Language, MaxPerFile: req.MaxPerFile,
		ScoreThreshold: req.ScoreThreshold, MinKeywordScore: req.MinKeywordScore,
		ContextLines: req.ContextLines, Symbol: req.Symbol,
	}, nil
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
