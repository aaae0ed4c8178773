package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/rs/zerolog"
	"golang.org/x/sync/semaphore"

	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/ingest/secrets"
	"workspace-qdrant-mcp/engine/storage"
)

// Notes follow the embedder. The workspace is re-embedded after a change
// of embedding model through the ledger, and rebuilt by a reindex; notes
// have no source to read again, so at every start of the indexer one
// background pipeline task (MigrateNotes) brings them to the current
// model:
//
//   - a notes collection (any collection but the workspace's) of the
//     current vector size: every note with a chunk embedded by another
//     model (its Hash is not storage.VectorHash of the current model key
//     and its text) is written again under the same id, title, metadata
//     and collection, its content rebuilt from its chunks (NoteContent).
//     Each rewrite is one atomic ReplaceDocument: a crash leaves the old
//     version or the new one.
//   - a notes collection of another vector size must be dropped and
//     re-created. Its notes are first written to notesFile in
//     storage.data_dir (temporary file, fsync, rename, fsync of the
//     directory); then the collections are dropped, re-created and the
//     notes written again; then the file is removed. A start that finds
//     the file finishes that move before anything else, so a crash at any
//     point loses no note.
//
// The task runs after the startup probe, so it never delays a start, and
// the graceful stop's drain waits for it like any task; cancelled by a
// forced stop, it resumes at the next start.

// While notes are rewritten, the workspace tools wait: a note being moved
// is briefly in no collection, a note deleted while it is rewritten would
// come back, and a note added to a collection being re-created would be
// dropped with it. notesLock orders them: every tool holds it shared for
// its call, and the migration holds it alone for each note it rewrites and
// for a whole move, from the drop of the collections to the last note
// written. Moves happen only after a change of embedding size, so the wait
// is rare.

// notesLock is a read-write lock whose waits end with their context.
type notesLock struct{ sem *semaphore.Weighted }

// notesLockShares bounds the calls that hold a notesLock shared at once.
const notesLockShares = 1 << 30

func newNotesLock() notesLock { return notesLock{sem: semaphore.NewWeighted(notesLockShares)} }

// share holds l shared until release is called.
func (l notesLock) share(ctx context.Context) (release func(), err error) {
	if err := l.sem.Acquire(ctx, 1); err != nil {
		return nil, fmt.Errorf("wait for the notes being re-embedded: %w", err)
	}
	return func() { l.sem.Release(1) }, nil
}

// hold holds l alone until release is called.
func (l notesLock) hold(ctx context.Context) (release func(), err error) {
	if err := l.sem.Acquire(ctx, notesLockShares); err != nil {
		return nil, err
	}
	return func() { l.sem.Release(notesLockShares) }, nil
}

// notesFile is the name, in storage.data_dir, of the notes being moved
// to re-created collections.
const notesFile = "notes-migration.json"

// notesFileVersion is the format of notesFile.
const notesFileVersion = 1

// errNoteGaps reports chunks whose lines do not agree, so that a note's
// content cannot be rebuilt from them.
var errNoteGaps = errors.New("chunks do not rebuild the note")

// savedNote is one note in notesFile: what add_document was given.
type savedNote struct {
	ID         string            `json:"id"`
	Collection string            `json:"collection"`
	Title      string            `json:"title"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	Content    string            `json:"content"`
}

// noteMove is notesFile's content: the collections to drop and re-create
// at the current vector size, and the notes to write into them again.
type noteMove struct {
	Version     int         `json:"version"`
	Collections []string    `json:"collections"`
	Notes       []savedNote `json:"notes"`
}

// notesReport counts what one migration did, for the log.
type notesReport struct {
	Reembedded int // notes written again in their collection
	Moved      int // notes written into a re-created collection
	Recreated  int // collections dropped and re-created
	Failed     int // notes or collections left as they were
}

// MigrateNotes finishes an interrupted move, then brings every notes
// collection to the current model. See the comment at notesFile. The
// engine runs it once per start of the indexer, as a pipeline task.
func (l *Local) MigrateNotes(ctx context.Context) error {
	log := l.notesLog()
	var rep notesReport
	path := filepath.Join(l.Config.Storage.DataDir, notesFile)
	pending, err := readNoteMove(path)
	if err != nil {
		return fmt.Errorf("notes migration: %w", err)
	}
	if pending != nil {
		log.Warn().Int("notes", len(pending.Notes)).Strs("collections", pending.Collections).
			Msg("finishing an interrupted move of notes to re-created collections")
		if err := l.moveNotesAlone(ctx, path, func() (noteMove, error) { return *pending, nil }, &rep); err != nil {
			return fmt.Errorf("notes migration: finish the interrupted move: %w", err)
		}
	}
	resized, err := l.reembedNotes(ctx, &rep)
	if err != nil {
		return fmt.Errorf("notes migration: %w", err)
	}
	if len(resized) > 0 {
		collect := func() (noteMove, error) { return l.collectMove(ctx, resized, &rep) }
		if err := l.moveNotesAlone(ctx, path, collect, &rep); err != nil {
			return fmt.Errorf("notes migration: %w", err)
		}
	}
	ev := log.Debug()
	if rep != (notesReport{}) {
		ev = log.Info()
	}
	ev.Int("reembedded", rep.Reembedded).Int("moved", rep.Moved).Int("recreated_collections", rep.Recreated).
		Int("failed", rep.Failed).Str("model", ingest.ModelKey(l.Embedder.Info())).Msg("notes checked against the embedding model")
	return nil
}

// moveNotesAlone holds the notes lock alone while it collects a move,
// saves it to path and carries it out, so that no tool call adds, deletes
// or reads a note in between.
func (l *Local) moveNotesAlone(ctx context.Context, path string, collect func() (noteMove, error), rep *notesReport) error {
	release, err := l.notes.hold(ctx)
	if err != nil {
		return err
	}
	defer release()
	move, err := collect()
	if err != nil || len(move.Collections) == 0 {
		return err
	}
	if err := writeNoteMove(path, move); err != nil {
		return fmt.Errorf("save the notes to move: %w", err)
	}
	return l.moveNotes(ctx, path, move, rep)
}

// reembedNotes rewrites the stale notes of every notes collection of the
// current vector size and returns the collections of another size, whose
// notes must move.
func (l *Local) reembedNotes(ctx context.Context, rep *notesReport) (resized []string, err error) {
	colls, err := l.Store.Collections(ctx)
	if err != nil {
		return nil, err
	}
	key, dims := ingest.ModelKey(l.Embedder.Info()), l.Embedder.Info().Dimensions
	for _, c := range colls {
		if c.Name == l.Config.Workspace.Collection {
			continue
		}
		log := l.notesLog().With().Str("collection", c.Name).Logger()
		sizeErr := l.Store.EnsureCollection(ctx, c.Name, dims)
		if errors.Is(sizeErr, storage.ErrDimensionMismatch) {
			resized = append(resized, c.Name)
			continue
		}
		if sizeErr != nil {
			log.Warn().Err(sizeErr).Msg("notes collection left as it is")
			rep.Failed++
			continue
		}
		docs, err := l.Store.Documents(ctx, c.Name)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if d.Kind != storage.KindNote || !stale(d, key) {
				continue
			}
			if err := l.reembedNote(ctx, d); err != nil {
				if ctx.Err() != nil {
					return nil, err
				}
				log.Warn().Err(err).Str("id", d.ID).Msg("note not re-embedded; retried at the next start")
				rep.Failed++
				continue
			}
			rep.Reembedded++
			log.Info().Str("id", d.ID).Str("title", d.Title).Msg("note re-embedded with the current model")
		}
	}
	return resized, nil
}

// collectMove reads the notes of the named collections that still have
// another vector size. A collection holding anything that cannot be moved
// is left as it is.
func (l *Local) collectMove(ctx context.Context, names []string, rep *notesReport) (noteMove, error) {
	move := noteMove{Version: notesFileVersion}
	dims := l.Embedder.Info().Dimensions
	for _, name := range names {
		if err := l.Store.EnsureCollection(ctx, name, dims); !errors.Is(err, storage.ErrDimensionMismatch) {
			continue // dropped or re-created meanwhile
		}
		docs, err := l.Store.Documents(ctx, name)
		if err != nil {
			return move, err
		}
		saved, err := saveNotes(docs)
		if err != nil {
			l.notesLog().Error().Str("collection", name).Err(err).
				Msg("collection of another vector size left as it is: dropping it would lose documents")
			rep.Failed++
			continue
		}
		move.Collections = append(move.Collections, name)
		move.Notes = append(move.Notes, saved...)
	}
	return move, nil
}

// stale reports whether a chunk of doc was embedded by another model than
// the one named key, or before its note's title was among its terms
// (ingest.NoteVectorHash), or doc holds a secret: a note stored before
// secrets were redacted is written again, redacted (see writeNote).
func stale(doc storage.Document, key string) bool {
	for _, c := range doc.Chunks {
		if c.Hash != ingest.NoteVectorHash(key, doc.Title, c.Text) || secrets.Default().Find(c.Text, "") != nil {
			return true
		}
	}
	return secrets.Default().Find(doc.Title, "") != nil
}

// reembedNote writes a note again with the current embedder, unless it
// was deleted since it was read.
func (l *Local) reembedNote(ctx context.Context, doc storage.Document) error {
	content, err := NoteContent(doc.Chunks)
	if err != nil {
		return err
	}
	release, err := l.notes.hold(ctx)
	if err != nil {
		return err
	}
	defer release()
	if _, err := l.Store.GetDocument(ctx, doc.ID); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil // deleted meanwhile: nothing to bring back
		}
		return err
	}
	return l.writeNote(ctx, savedNote{ID: doc.ID, Collection: doc.Collection, Title: doc.Title, Metadata: doc.Metadata, Content: content})
}

// writeNote stores a note as add_document does, under its own id.
func (l *Local) writeNote(ctx context.Context, n savedNote) error {
	doc := storage.Document{ID: n.ID, Collection: n.Collection, Kind: storage.KindNote, Title: n.Title, Metadata: maps.Clone(n.Metadata)}
	redactFields(&doc)
	if _, err := ingest.WriteDocument(ctx, l.Store, l.Embedder, doc, n.Content, "", l.chunkOptions()); err != nil {
		return fmt.Errorf("write note %s: %w", n.ID, err)
	}
	return nil
}

// saveNotes returns the notes of a collection to move, with their
// content; a document that is not a note, or whose content cannot be
// rebuilt, refuses the whole collection.
func saveNotes(docs []storage.Document) ([]savedNote, error) {
	saved := make([]savedNote, 0, len(docs))
	for _, d := range docs {
		if d.Kind != storage.KindNote {
			return nil, fmt.Errorf("document %s is a %s, not a note", d.ID, d.Kind)
		}
		content, err := NoteContent(d.Chunks)
		if err != nil {
			return nil, fmt.Errorf("note %s: %w", d.ID, err)
		}
		saved = append(saved, savedNote{ID: d.ID, Collection: d.Collection, Title: d.Title, Metadata: d.Metadata, Content: content})
	}
	return saved, nil
}

// moveNotes drops the move's collections that still have another vector
// size, re-creates them at the current size, writes the notes again and
// removes the file that saved them. On error the file stays, for the next
// start. The caller holds the notes lock alone.
func (l *Local) moveNotes(ctx context.Context, path string, move noteMove, rep *notesReport) error {
	dims := l.Embedder.Info().Dimensions
	for _, name := range move.Collections {
		err := l.Store.EnsureCollection(ctx, name, dims)
		if errors.Is(err, storage.ErrDimensionMismatch) {
			n, derr := l.Store.DropCollection(ctx, name)
			if derr != nil {
				return derr
			}
			l.notesLog().Warn().Str("collection", name).Int("documents", n).Int("dimensions", dims).
				Msg("notes collection dropped to be re-created at the embedder's size; its notes are saved in " + notesFile)
			rep.Recreated++
			err = l.Store.EnsureCollection(ctx, name, dims)
		}
		if err != nil {
			return err
		}
	}
	var failed []error
	for _, n := range move.Notes {
		if err := l.writeNote(ctx, n); err != nil {
			failed = append(failed, err)
			continue
		}
		rep.Moved++
		l.notesLog().Info().Str("collection", n.Collection).Str("id", n.ID).Str("title", n.Title).
			Msg("note re-embedded into its re-created collection")
	}
	if len(failed) > 0 {
		rep.Failed += len(failed)
		return fmt.Errorf("%d of %d notes not written; they stay in %s for the next start: %w",
			len(failed), len(move.Notes), path, errors.Join(failed...))
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove %s: %w", notesFile, err)
	}
	return syncDir(filepath.Dir(path))
}

// NoteContent rebuilds a note's text from its chunks. Chunks hold whole
// lines, numbered from 1, with their line endings, and overlapping chunks
// share lines, so every line is taken once, by number. A line no chunk
// holds was blank (the chunker stores no window of only blank lines) and
// comes back as "\n"; every other byte is the note's own.
func NoteContent(chunks []storage.Chunk) (string, error) {
	lines := map[int]string{}
	last := 0
	for _, c := range chunks {
		parts := strings.SplitAfter(c.Text, "\n")
		if parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		if c.StartLine < 1 || len(parts) != c.EndLine-c.StartLine+1 {
			return "", fmt.Errorf("%w: chunk %s has %d lines for lines %d-%d", errNoteGaps, c.ID, len(parts), c.StartLine, c.EndLine)
		}
		for i, l := range parts {
			n := c.StartLine + i
			if prev, ok := lines[n]; ok && prev != l {
				return "", fmt.Errorf("%w: chunks disagree on line %d", errNoteGaps, n)
			}
			lines[n] = l
		}
		last = max(last, c.EndLine)
	}
	var b strings.Builder
	for n := 1; n <= last; n++ {
		l, ok := lines[n]
		if !ok {
			l = "\n"
		}
		b.WriteString(l)
	}
	return b.String(), nil
}

// readNoteMove reads notesFile; a missing file is nil, no error.
func readNoteMove(path string) (*noteMove, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", notesFile, err)
	}
	var move noteMove
	if err := json.Unmarshal(data, &move); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if move.Version != notesFileVersion {
		return nil, fmt.Errorf("read %s: format version %d, this program reads %d", path, move.Version, notesFileVersion)
	}
	return &move, nil
}

// writeNoteMove writes notesFile atomically and durably: a temporary file
// in the same directory, synced, renamed over path, then the directory
// synced, so that after a crash the file is either absent or complete.
func writeNoteMove(path string, move noteMove) (err error) {
	data, err := json.Marshal(move)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, notesFile+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// notesLog is the notes migration's logger.
func (l *Local) notesLog() *zerolog.Logger { return &l.Log }

// SaveNotesMove writes, in dataDir, the notes of the named collections of
// st as a move to re-created collections saves them before it drops
// them: what a migration leaves when it crashes there. The next
// MigrateNotes finishes the move. It returns how many notes it saved.
func SaveNotesMove(ctx context.Context, st storage.Store, dataDir string, collections []string) (int, error) {
	move := noteMove{Version: notesFileVersion, Collections: collections}
	for _, coll := range collections {
		docs, err := st.Documents(ctx, coll)
		if err != nil {
			return 0, fmt.Errorf("save notes of %s: %w", coll, err)
		}
		saved, err := saveNotes(docs)
		if err != nil {
			return 0, fmt.Errorf("save notes of %s: %w", coll, err)
		}
		move.Notes = append(move.Notes, saved...)
	}
	if err := writeNoteMove(filepath.Join(dataDir, notesFile), move); err != nil {
		return 0, fmt.Errorf("save notes: %w", err)
	}
	return len(move.Notes), nil
}

// NotesFile is the name, in storage.data_dir, of the notes being moved to
// re-created collections.
const NotesFile = notesFile
