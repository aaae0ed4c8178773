package workspace

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/ingest/secrets"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/paths"
)

// ErrOutsideWorkspace refuses a path that does not lie inside a workspace
// root once symlinks are resolved.
var ErrOutsideWorkspace = errors.New("path is outside the workspace")

// ErrTooLarge refuses a note larger than workspace.max_file_bytes.
var ErrTooLarge = errors.New("note too large")

// ErrWorkspaceCollection refuses a note addressed to the workspace
// collection, which holds the workspace's files only: a reindex drops and
// rebuilds it from the files.
var ErrWorkspaceCollection = errors.New("the workspace collection holds only the workspace's files")

// NotesCollection is where add_document stores notes unless told otherwise.
const NotesCollection = "notes"

// AddDocumentRequest is a note to remember.
type AddDocumentRequest struct {
	Content    string
	Title      string
	Metadata   map[string]string
	Collection string
}

// AddDocumentResult is add_document's answer.
type AddDocumentResult struct {
	ID         string `json:"id"`
	Collection string `json:"collection"`
	Chunks     int    `json:"chunks"`
	// Redacted counts the secrets replaced by "[REDACTED:<rule>]" in the
	// note's content, title and metadata before it was embedded or stored.
	Redacted int `json:"redacted"`
}

// AddDocument chunks, embeds and stores a note.
func (l *Local) AddDocument(ctx context.Context, req AddDocumentRequest) (AddDocumentResult, error) {
	return shared(ctx, l, func() (AddDocumentResult, error) { return l.addDocument(ctx, req) })
}

// addDocument is AddDocument, the caller holding the notes lock shared.
func (l *Local) addDocument(ctx context.Context, req AddDocumentRequest) (AddDocumentResult, error) {
	coll := req.Collection
	if coll == "" {
		coll = NotesCollection
	}
	if limit := l.Config.Workspace.MaxFileBytes; int64(len(req.Content)) > limit {
		return AddDocumentResult{}, fmt.Errorf("%w: content is %d bytes; a note holds at most workspace.max_file_bytes (%d bytes), as a file does: split it into several notes",
			ErrTooLarge, len(req.Content), limit)
	}
	if coll == l.Config.Workspace.Collection {
		return AddDocumentResult{}, fmt.Errorf("%w: collection %q is rebuilt from the files by a reindex; add the note to another collection (%q by default)",
			ErrWorkspaceCollection, coll, NotesCollection)
	}
	if err := l.refuseEmbedder("add_document"); err != nil {
		return AddDocumentResult{}, fmt.Errorf("%w; the note was not stored: add it again then", err)
	}
	if err := l.Store.EnsureCollection(ctx, coll, l.Embedder.Info().Dimensions); err != nil {
		return AddDocumentResult{}, fmt.Errorf("collection %s: %w", coll, err)
	}
	doc := storage.Document{
		ID: "note:" + uuid.NewString(), Collection: coll, Kind: storage.KindNote,
		Title: req.Title, Metadata: maps.Clone(req.Metadata),
	}
	redacted := redactFields(&doc) // the content is redacted by WriteDocument
	res, err := ingest.WriteDocument(ctx, l.Store, l.Embedder, doc, req.Content, "", l.chunkOptions())
	if err != nil && ctx.Err() == nil && Unreachable(err) {
		return AddDocumentResult{}, fmt.Errorf("%w; the note was not stored: add it again then", EmbedderDown("add_document", err))
	}
	if err != nil {
		return AddDocumentResult{}, fmt.Errorf("add document: %w", err)
	}
	return AddDocumentResult{ID: doc.ID, Collection: coll, Chunks: res.Chunks, Redacted: redacted + res.Redacted}, nil
}

// redactFields replaces the secrets in a note's title and metadata values
// and returns how many it replaced.
func redactFields(doc *storage.Document) int {
	var found []secrets.Finding
	doc.Title, found = secrets.Default().Redact(doc.Title, "")
	n := len(found)
	for k, v := range doc.Metadata {
		doc.Metadata[k], found = secrets.Default().Redact(v, "")
		n += len(found)
	}
	return n
}

// chunkOptions are the options with which notes are cut: by lines, as
// text of no known language (WriteDocument is given language "").
func (l *Local) chunkOptions() chunk.Options {
	return chunk.Options{MaxChars: l.Config.Workspace.ChunkChars, OverlapChars: l.Config.Workspace.ChunkOverlap}
}

// DocumentRef names a document by id or by workspace path.
type DocumentRef struct {
	ID   string
	Path string
}

// docID resolves a reference to a document id, checking a path against
// the workspace roots.
func (l *Local) docID(ref DocumentRef) (string, error) {
	if ref.ID != "" {
		return ref.ID, nil
	}
	abs, err := ResolveInWorkspace(l.Config.Workspace.Roots, ref.Path)
	if err != nil {
		return "", err
	}
	return ingest.FileDocID(abs), nil
}

// GetDocument returns a stored document with its chunks.
func (l *Local) GetDocument(ctx context.Context, ref DocumentRef) (storage.Document, error) {
	return shared(ctx, l, func() (storage.Document, error) { return l.getDocument(ctx, ref) })
}

// getDocument is GetDocument, the caller holding the notes lock shared.
func (l *Local) getDocument(ctx context.Context, ref DocumentRef) (storage.Document, error) {
	id, err := l.docID(ref)
	if err != nil {
		return storage.Document{}, err
	}
	return l.Store.GetDocument(ctx, id)
}

// DeleteDocument removes a document from the index and returns its id and
// how many chunks went with it. A workspace file's document is also
// forgotten by the indexer and its ledger: the file is indexed again when
// it next changes or at the next start, and only that file.
func (l *Local) DeleteDocument(ctx context.Context, ref DocumentRef) (Deleted, error) {
	return shared(ctx, l, func() (Deleted, error) { return l.deleteDocument(ctx, ref) })
}

// deleteDocument is DeleteDocument, the caller holding the notes lock shared.
func (l *Local) deleteDocument(ctx context.Context, ref DocumentRef) (Deleted, error) {
	id, n, err := l.deleteFromIndex(ctx, ref)
	return Deleted{ID: id, Chunks: n}, err
}

func (l *Local) deleteFromIndex(ctx context.Context, ref DocumentRef) (string, int, error) {
	id, err := l.docID(ref)
	if err != nil {
		return "", 0, err
	}
	n, err := l.Store.DeleteDocument(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return id, n, err
	}
	// Even with no document in the store, a ledger entry for the file
	// would have the next start find the index short and write every
	// file again.
	if path, ok := ingest.FileDocPath(id); ok && l.Index != nil {
		if ferr := l.Index.Forget(ctx, path); ferr != nil {
			return id, n, fmt.Errorf("delete %s: the document is gone, but the indexer still records the file (the next start writes every file again): %w", id, ferr)
		}
	}
	return id, n, err
}

// ListCollections lists the collections with their counts.
func (l *Local) ListCollections(ctx context.Context) ([]storage.CollectionInfo, error) {
	return shared(ctx, l, func() ([]storage.CollectionInfo, error) { return l.listCollections(ctx) })
}

// listCollections is ListCollections, the caller holding the notes lock shared.
func (l *Local) listCollections(ctx context.Context) ([]storage.CollectionInfo, error) {
	return l.Store.Collections(ctx)
}

// Note names a stored note, as the MCP resources list shows it.
type Note struct {
	ID         string `json:"id"`
	Collection string `json:"collection"`
	Title      string `json:"title,omitempty"`
}

// ResolveInWorkspace makes p absolute, resolves symlinks (of its parent
// when p itself no longer exists) and checks that it lies inside one of
// roots. It returns the resolved path or an error wrapping
// ErrOutsideWorkspace.
func ResolveInWorkspace(roots []string, p string) (string, error) {
	if len(roots) == 0 {
		return "", fmt.Errorf("%w: no workspace root is configured", ErrOutsideWorkspace)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(roots[0], p)
	}
	resolved, err := resolveExisting(filepath.Clean(p))
	if err != nil {
		return "", fmt.Errorf("resolve path %s: %w", p, err)
	}
	for _, root := range roots {
		rr, err := filepath.EvalSymlinks(root)
		if err != nil {
			continue
		}
		if _, ok := paths.Within(rr, resolved); ok {
			return resolved, nil
		}
	}
	return "", fmt.Errorf("%w: %s resolves to %s, which is not under %s", ErrOutsideWorkspace, p, resolved, strings.Join(roots, ", "))
}

// resolveExisting resolves symlinks in the longest existing prefix of p.
func resolveExisting(p string) (string, error) {
	resolved, err := filepath.EvalSymlinks(p)
	if err == nil {
		return resolved, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	parent := filepath.Dir(p)
	if parent == p {
		return p, nil
	}
	rp, err := resolveExisting(parent)
	if err != nil {
		return "", err
	}
	return filepath.Join(rp, filepath.Base(p)), nil
}
