// Package workspace is what the workspace tools call: the Service
// interface (search, find_related, add, get and delete a document, list
// the collections and the notes) and Local, its implementation on a
// run's own store and embedder, with the notes migration and the lock
// that orders it against the tools.
//
// The engine holds one Service per run: a Local on the indexer, and on a
// reader a peer.ServiceClient that forwards each call to the indexer,
// where the engine serves it through its own Local. The role is which
// Service a run holds; no operation asks for it. The engine wraps every
// call in its gate and admission hook (engine/methods.go), so a Service
// need not check the engine's state.
//
// This package imports no engine package above it (engine, engine/peer):
// the engine and peer import it.
package workspace

import (
	"context"
	"errors"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
)

// Service is the workspace operations, on either role.
type Service interface {
	Search(ctx context.Context, req SearchRequest) (SearchResponse, error)
	FindRelated(ctx context.Context, req RelatedRequest) (RelatedResponse, error)
	AddDocument(ctx context.Context, req AddDocumentRequest) (AddDocumentResult, error)
	GetDocument(ctx context.Context, ref DocumentRef) (storage.Document, error)
	DeleteDocument(ctx context.Context, ref DocumentRef) (Deleted, error)
	ListCollections(ctx context.Context) ([]storage.CollectionInfo, error)
	ListNotesPage(ctx context.Context, q NotesQuery) (NotesPage, error)
	// Progress is the indexer's progress, for WaitIndexed.
	Progress(ctx context.Context) (Progress, error)
}

// Progress is how far the indexer is: whether it is indexing (or the
// notes migration is yet to run), and the files done and pending.
type Progress struct {
	Indexing bool
	Done     int
	Pending  int
}

// Deleted is DeleteDocument's answer: the document's id and how many
// chunks went with it.
type Deleted struct {
	ID     string
	Chunks int
}

// Components whose outages a Local reports (see Deps.ReportFailure).
const (
	ComponentEmbedder = "embedder"
	ComponentStorage  = "storage"
)

// ErrComponentDown refuses an operation that needs a dependency that does
// not answer now (the embedder, the store) while the engine keeps serving
// everything else. The message names the component and what to do.
var ErrComponentDown = errors.New("component unavailable")

// Index is what a Local needs of the run's workspace indexer.
type Index interface {
	// Stats describes the index: whether it is indexing, and a
	// re-embedding in progress.
	Stats() ingest.Stats
	// Forget drops a file from the index and the ledger (after
	// delete_document of its document).
	Forget(ctx context.Context, path string) error
}

// Deps are what a Local works with: one run's.
type Deps struct {
	Config   config.Config
	Store    storage.Store
	Embedder embed.Embedder
	// EmbedderOutage reports why the embedder is known to be down, and
	// whether it is; nil when that is never known.
	EmbedderOutage func() (last string, down bool)
	// Index is the run's indexer; nil when no workspace root is
	// configured.
	Index Index
	// ReportFailure tells the engine that a dependency did not answer a
	// request; nil ignores it.
	ReportFailure func(ctx context.Context, component string, err error)
	// NotesPending reports whether the run's notes migration is yet to
	// run or running; nil when it never is.
	NotesPending func() bool
	// Log is the notes migration's logger.
	Log zerolog.Logger
}

// Local is the Service on the run's own store and embedder: the
// indexer's. Every call holds the notes lock shared, so that it waits for
// a note being rewritten by the notes migration (see MigrateNotes).
type Local struct {
	Deps
	notes notesLock
}

var _ Service = (*Local)(nil)

// NewLocal returns the Service of one run.
func NewLocal(d Deps) *Local {
	return &Local{Deps: d, notes: newNotesLock()}
}

// Progress is the run's indexer's progress. It does not wait for the
// notes lock: the migration counts as indexing.
func (l *Local) Progress(context.Context) (Progress, error) {
	var p Progress
	if l.Index != nil {
		st := l.Index.Stats()
		p = Progress{Indexing: st.Indexing, Done: st.Done, Pending: st.Pending}
	}
	if l.NotesPending != nil && l.NotesPending() {
		p.Indexing = true
	}
	return p, nil
}

// reportFailure tells the engine that component did not answer err.
func (l *Local) reportFailure(ctx context.Context, component string, err error) {
	if l.ReportFailure != nil {
		l.ReportFailure(ctx, component, err)
	}
}

// shared runs one call of the Service holding the notes lock shared.
func shared[T any](ctx context.Context, l *Local, call func() (T, error)) (T, error) {
	release, err := l.notes.share(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	defer release()
	return call()
}
