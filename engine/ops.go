package engine

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
	"workspace-qdrant-mcp/engine/peer"
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

// acquire admits one workspace operation and returns the current run.
// The caller must call release.
func (m *Manager) acquire(write bool) (r *run, release func(), err error) {
	if !m.gate.enter(write) {
		return nil, nil, m.refusal(write)
	}
	m.mu.Lock()
	r = m.run
	m.mu.Unlock()
	if r == nil { // a stop finished between enter and here
		m.gate.leave()
		return nil, nil, m.refusal(write)
	}
	return r, m.gate.leave, nil
}

// acquireTool admits a workspace tool call: acquire, then on an indexer
// the notes lock shared, so that the call waits for a note being
// rewritten (see notesLock). The caller must call release.
func (m *Manager) acquireTool(ctx context.Context, write bool) (r *run, release func(), err error) {
	r, leave, err := m.acquire(write)
	if err != nil || r.reader() {
		return r, leave, err
	}
	unlock, err := r.notesMu.share(ctx)
	if err != nil {
		leave()
		return nil, nil, err
	}
	return r, func() { unlock(); leave() }, nil
}

// refusal explains why the engine cannot serve an operation now.
func (m *Manager) refusal(write bool) error {
	m.mu.Lock()
	state, lastErr := m.state, m.last.lastError
	m.mu.Unlock()
	switch state {
	case StateStarting:
		return fmt.Errorf("%w: the engine is starting; retry in a moment", ErrNotRunning)
	case StateStopping:
		if write {
			return fmt.Errorf("%w: writes are refused while the engine shuts down; call engine_start once it has stopped", ErrStopping)
		}
		return fmt.Errorf("%w: the engine is stopping; call engine_start once it has stopped", ErrNotRunning)
	case StateError:
		return fmt.Errorf("%w: the engine is in state error (%s); call engine_start to retry", ErrNotRunning, lastErr)
	default:
		return fmt.Errorf("%w: the engine is %s; call engine_start", ErrNotRunning, state)
	}
}

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
func (m *Manager) AddDocument(ctx context.Context, req AddDocumentRequest) (AddDocumentResult, error) {
	return opAddDocument.call(ctx, m, req)
}

// addDocument is AddDocument on the indexer.
func (m *Manager) addDocument(ctx context.Context, r *run, req AddDocumentRequest) (AddDocumentResult, error) {
	coll := req.Collection
	if coll == "" {
		coll = NotesCollection
	}
	if limit := r.cfg.Workspace.MaxFileBytes; int64(len(req.Content)) > limit {
		return AddDocumentResult{}, fmt.Errorf("%w: content is %d bytes; a note holds at most workspace.max_file_bytes (%d bytes), as a file does: split it into several notes",
			ErrTooLarge, len(req.Content), limit)
	}
	if coll == r.cfg.Workspace.Collection {
		return AddDocumentResult{}, fmt.Errorf("%w: collection %q is rebuilt from the files by a reindex; add the note to another collection (%q by default)",
			ErrWorkspaceCollection, coll, NotesCollection)
	}
	if err := r.refuseEmbedder("add_document"); err != nil {
		return AddDocumentResult{}, fmt.Errorf("%w; the note was not stored: add it again then", err)
	}
	if err := r.store.EnsureCollection(ctx, coll, r.embedder.Info().Dimensions); err != nil {
		return AddDocumentResult{}, fmt.Errorf("collection %s: %w", coll, err)
	}
	doc := storage.Document{
		ID: "note:" + uuid.NewString(), Collection: coll, Kind: storage.KindNote,
		Title: req.Title, Metadata: maps.Clone(req.Metadata),
	}
	redacted := redactFields(&doc) // the content is redacted by WriteDocument
	res, err := ingest.WriteDocument(ctx, r.store, r.embedder, doc, req.Content, "", chunkOptions(r))
	if err != nil && ctx.Err() == nil && unreachable(err) {
		return AddDocumentResult{}, fmt.Errorf("%w; the note was not stored: add it again then", embedderDown("add_document", err))
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
func chunkOptions(r *run) chunk.Options {
	return chunk.Options{MaxChars: r.cfg.Workspace.ChunkChars, OverlapChars: r.cfg.Workspace.ChunkOverlap}
}

// DocumentRef names a document by id or by workspace path.
type DocumentRef struct {
	ID   string
	Path string
}

// docID resolves a reference to a document id, checking a path against
// the workspace roots.
func (r *run) docID(ref DocumentRef) (string, error) {
	if ref.ID != "" {
		return ref.ID, nil
	}
	abs, err := ResolveInWorkspace(r.cfg.Workspace.Roots, ref.Path)
	if err != nil {
		return "", err
	}
	return ingest.FileDocID(abs), nil
}

// GetDocument returns a stored document with its chunks.
func (m *Manager) GetDocument(ctx context.Context, ref DocumentRef) (storage.Document, error) {
	return opGetDocument.call(ctx, m, ref)
}

// getDocument is GetDocument on the indexer.
func (m *Manager) getDocument(ctx context.Context, r *run, ref DocumentRef) (storage.Document, error) {
	id, err := r.docID(ref)
	if err != nil {
		return storage.Document{}, err
	}
	return r.store.GetDocument(ctx, id)
}

// DeleteDocument removes a document from the index and returns its id and
// how many chunks went with it. A workspace file's document is also
// forgotten by the indexer and its ledger: the file is indexed again when
// it next changes or at the next start, and only that file.
func (m *Manager) DeleteDocument(ctx context.Context, ref DocumentRef) (string, int, error) {
	d, err := opDeleteDocument.call(ctx, m, ref)
	return d.ID, d.Chunks, err
}

// deleteDocument is DeleteDocument on the indexer.
func (m *Manager) deleteDocument(ctx context.Context, r *run, ref DocumentRef) (peer.Deleted, error) {
	id, n, err := m.deleteFromIndex(ctx, r, ref)
	return peer.Deleted{ID: id, Chunks: n}, err
}

func (m *Manager) deleteFromIndex(ctx context.Context, r *run, ref DocumentRef) (string, int, error) {
	id, err := r.docID(ref)
	if err != nil {
		return "", 0, err
	}
	n, err := r.store.DeleteDocument(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return id, n, err
	}
	// Even with no document in the store, a ledger entry for the file
	// would have the next start find the index short and write every
	// file again.
	if path, ok := ingest.FileDocPath(id); ok && r.indexer != nil {
		if ferr := r.indexer.Forget(ctx, path); ferr != nil {
			return id, n, fmt.Errorf("delete %s: the document is gone, but the indexer still records the file (the next start writes every file again): %w", id, ferr)
		}
	}
	return id, n, err
}

// ListCollections lists the collections with their counts.
func (m *Manager) ListCollections(ctx context.Context) ([]storage.CollectionInfo, error) {
	return opListCollections.call(ctx, m, struct{}{})
}

// listCollections is ListCollections on the indexer.
func (m *Manager) listCollections(ctx context.Context, r *run, _ struct{}) ([]storage.CollectionInfo, error) {
	return r.store.Collections(ctx)
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
