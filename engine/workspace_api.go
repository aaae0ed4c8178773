package engine

import (
	"workspace-qdrant-mcp/engine/peer"
	"workspace-qdrant-mcp/engine/workspace"
)

// The workspace operations' types and errors live in package workspace,
// beside their implementation; the engine's API names them as before.

// Requests and answers of the workspace operations.
type (
	SearchRequest      = workspace.SearchRequest
	SearchResult       = workspace.SearchResult
	SearchResponse     = workspace.SearchResponse
	Tuning             = workspace.Tuning
	RelatedRequest     = workspace.RelatedRequest
	RelatedSource      = workspace.RelatedSource
	RelatedResponse    = workspace.RelatedResponse
	LineError          = workspace.LineError
	AddDocumentRequest = workspace.AddDocumentRequest
	AddDocumentResult  = workspace.AddDocumentResult
	DocumentRef        = workspace.DocumentRef
	Note               = workspace.Note
	NotesQuery         = workspace.NotesQuery
	NotesPage          = workspace.NotesPage
)

// Bounds and defaults of the workspace operations.
const (
	DefaultMaxPerFile = workspace.DefaultMaxPerFile
	MaxHitChars       = workspace.MaxHitChars
	MaxContextLines   = workspace.MaxContextLines
	NotesCollection   = workspace.NotesCollection
	NotesPageSize     = workspace.NotesPageSize
)

// DefaultTuning is the ranking Search uses; see BENCHMARKS.md for how it
// was chosen.
var DefaultTuning = workspace.DefaultTuning

// Errors of the workspace operations; they cross the socket (wireErrors),
// so errors.Is works on a reader as on the indexer.
var (
	ErrEmptyQuery          = workspace.ErrEmptyQuery
	ErrReembedding         = workspace.ErrReembedding
	ErrLineOutside         = workspace.ErrLineOutside
	ErrOutsideWorkspace    = workspace.ErrOutsideWorkspace
	ErrTooLarge            = workspace.ErrTooLarge
	ErrWorkspaceCollection = workspace.ErrWorkspaceCollection
	ErrBadCursor           = workspace.ErrBadCursor
	// ErrReader refuses what only the indexer may do, such as a reindex.
	ErrReader = peer.ErrReader
)

// ResolveInWorkspace makes p absolute, resolves symlinks and checks that
// it lies inside one of roots (see workspace.ResolveInWorkspace).
func ResolveInWorkspace(roots []string, p string) (string, error) {
	return workspace.ResolveInWorkspace(roots, p)
}

// ParseNotesCursor checks that cursor is one ListNotesPage gives (or "");
// the error wraps ErrBadCursor.
func ParseNotesCursor(cursor string) error { return workspace.ParseNotesCursor(cursor) }
