// Package embedded is the default storage.Store: a single-directory,
// crash-safe store built on pure-Go SQLite (modernc.org/sqlite), needing no
// server and no cgo.
//
// Open a store on a directory and use it through the storage.Store
// interface:
//
//	st, err := embedded.Open(ctx, filepath.Join(dataDir, "store"), embedded.Options{})
//	if err != nil { ... }
//	defer st.Close()
//	err = st.EnsureCollection(ctx, "workspace", 384)
//
// Everything lives in dir/store.db (plus SQLite's -wal and -shm files) and
// dir/store.lock, which keeps a second process from opening the same store.
//
// Documents, chunks and their dense vectors are rows in SQLite. Keyword
// search ranks chunks by BM25 over an in-memory inverted index of each
// chunk's analyzed text (see Options.Analyzer and keyword.go), which Open
// builds from the stored texts in the background (see termbuild.go);
// searches with a keyword leg wait for it. Beside each chunk it keeps a
// signature of the names the chunk defines, so that a Query.Defines
// lookup skips the chunks that cannot define the name. Semantic search is an exact
// brute-force cosine scan over an in-memory float16 copy of every vector (a first
// pass over int8 copies picks the candidates scored exactly; see
// quant.go). Both indexes are loaded at Open (the keyword index in the
// background) and kept in step with each committed write; hybrid search runs both
// legs concurrently and fuses them with reciprocal rank fusion.
//
// Durability: the database runs in WAL mode with synchronous=NORMAL. A
// committed transaction is written to the WAL file before the commit
// returns, so it survives the process being killed at any moment; only an
// operating system crash or power loss can lose the last few commits, and
// even then the store is left consistent, never corrupt. Checkpoints,
// which copy the WAL back into the database file, run apart from commits
// (see checkpoint.go); like every SQLite checkpoint they are safe to
// interrupt. Everything in it
// can be re-indexed from the workspace, so an fsync per document
// (synchronous=FULL) is not worth its cost.
//
// Atomicity: writes are serialised and each runs in one SQLite transaction.
// Its COMMIT and the matching in-memory update happen together under an
// exclusive lock that every search holds in shared mode for its whole
// duration, so both legs of a search see the same committed state and never
// a mixture of a document's old and new chunks.
package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unicode"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/private"
)

// Options configures a Store.
type Options struct {
	// Analyzer splits text into keyword terms, both when chunks are
	// indexed and when queries are run. nil means DefaultAnalyzer.
	// Changing the analyzer of an existing store requires re-indexing it.
	// The keyword index lower-cases terms and splits them again into runs
	// of letters and numbers (as SQLite FTS5's unicode61 tokenizer does),
	// the same way for stored text and queries, so a term such as "c++"
	// behaves like "c", and "a.b" matches the chunks holding both "a" and
	// "b".
	Analyzer func(text string) []string

	// beforeKeywordInstall is termBuild.beforeInstall, for tests.
	beforeKeywordInstall func(ctx context.Context)
}

// DefaultAnalyzer lower-cases text and splits it into runs of letters and
// digits.
func DefaultAnalyzer(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// busyTimeoutMillis bounds how long a connection waits for a lock held by
// another connection before failing with SQLITE_BUSY.
const busyTimeoutMillis = 10_000

// Store is the embedded storage.Store. Its methods are safe for concurrent
// use.
type Store struct {
	path     string // the database file
	analyzer func(string) []string
	// analyze gives a text's tokens for the keyword index.
	analyze func(string) docTerms
	// dict numbers the keyword index's terms.
	dict     *termDict
	fileLock *flock.Flock

	// writer has a single connection and runs every write; reader has a
	// pool of read-only connections.
	writer *sql.DB
	reader *sql.DB
	// ckpt checkpoints the WAL; see checkpoint.go.
	ckpt *checkpointer
	// stmts are the writer's statements that every document write runs,
	// prepared once: a transaction uses them through Tx.StmtContext,
	// which finds them already prepared on the single writer connection.
	stmts writerStatements
	// textByRID reads a chunk's text on the reader pool (ChunkTexts),
	// prepared once: preparing a statement in the pure-Go SQLite costs
	// more than the few reads of a search's results.
	textByRID *sql.Stmt

	// life guards closed: every method holds it shared while it runs and
	// Close holds it exclusively, so nothing runs on closed databases.
	life   sync.RWMutex
	closed bool

	// writeMu serialises writes so in-memory updates are applied in
	// commit order.
	writeMu sync.Mutex
	// mu guards index. A write holds it exclusively across its COMMIT
	// and the in-memory update; a search holds it shared throughout, so
	// the database and the index it sees always agree.
	mu    sync.RWMutex
	index *vectorIndex
	// build builds the keyword index of s.index after Open; see
	// termbuild.go.
	build termBuild
}

var (
	_ storage.Store         = (*Store)(nil)
	_ storage.BatchReplacer = (*Store)(nil)
)

// Open opens (creating when missing) the store in dir and loads its vectors
// into memory. The keyword index is built in the background (see
// WaitKeywordIndex); keyword searches wait for it.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s := &Store{
		path:     filepath.Join(dir, "store.db"),
		analyzer: opts.Analyzer,
		fileLock: flock.New(filepath.Join(dir, "store.lock"), flock.SetPermissions(0o600)),
		build:    termBuild{beforeInstall: opts.beforeKeywordInstall},
		dict:     newTermDict(),
	}
	s.analyze = termAnalyzer(s.analyzer)
	if s.analyzer == nil {
		s.analyzer = DefaultAnalyzer
	}
	if err := s.open(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open store %s: %w", dir, err), s.release())
	}
	return s, nil
}

// open takes the directory lock, opens both connection pools, migrates
// the schema, loads the vector index and starts building the keyword
// index.
func (s *Store) open(ctx context.Context) error {
	locked, err := s.fileLock.TryLock()
	if err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	if !locked {
		return fmt.Errorf("%s is held by another open store", s.fileLock.Path())
	}
	if err := private.Create(s.path); err != nil { // SQLite would make it, and its -wal and -shm, 0644
		return err
	}
	if err := setPageSize(ctx, s.path); err != nil {
		return err
	}
	if s.writer, err = openDB(s.path, false); err != nil {
		return err
	}
	s.writer.SetMaxOpenConns(1)
	if err := migrate(ctx, s.writer); err != nil {
		return err
	}
	ckptDB, err := openDB(s.path, false)
	if err != nil {
		return err
	}
	ckptDB.SetMaxOpenConns(1)
	s.ckpt = newCheckpointer(ckptDB, defaultCheckpointBytes)
	if err := s.stmts.prepare(ctx, s.writer); err != nil {
		return err
	}
	if s.reader, err = openDB(s.path, true); err != nil {
		return err
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	s.reader.SetMaxOpenConns(readers)
	s.reader.SetMaxIdleConns(readers)
	if s.textByRID, err = s.reader.PrepareContext(ctx, `SELECT text FROM chunks WHERE rid = ?`); err != nil {
		return fmt.Errorf("prepare the text read: %w", err)
	}
	if s.index, err = loadIndex(ctx, s.reader); err != nil {
		return err
	}
	return s.startTermBuild(ctx)
}

// pageSize is the page size of new stores. A chunk's row (its text, a
// float16 and an int8 vector, metadata) is about 2.3 kB, so a 4 KiB page
// (SQLite's default) holds one row and leaves most of the rest unused:
// 16 KiB pages hold six or seven, which made a full index of GOROOT write
// 151 MB instead of 213 MB, with fewer pages and WAL frames to write
// (BENCHMARKS.md, "Full index: 16 KiB pages"). Larger pages saved little
// more and pushed the peak RSS up.
const pageSize = 16 << 10

// setPageSize gives a new, still empty database file pageSize pages. The
// page size is fixed when SQLite first writes the file, which the
// connection pools' journal_mode pragma does (the driver runs pragmas in
// alphabetical order, so page_size cannot simply join them). A file that
// is not empty keeps the page size it has: every page size reads the
// same.
func setPageSize(ctx context.Context, path string) error {
	if info, err := os.Stat(path); err != nil || info.Size() > 0 {
		return err
	}
	db, err := sql.Open("sqlite", dsn(path, []string{fmt.Sprintf("_pragma=page_size(%d)", pageSize)}))
	if err != nil {
		return fmt.Errorf("set the page size: %w", err)
	}
	// The first write fixes the page size; WAL mode is what every
	// connection sets anyway.
	_, err = db.ExecContext(ctx, `PRAGMA journal_mode = WAL`)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("set the page size: %w", err)
	}
	return nil
}

// openDB opens a connection pool on the database file. Every connection
// gets the same pragmas; readOnly pools cannot write.
func openDB(path string, readOnly bool) (*sql.DB, error) {
	params := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeoutMillis),
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=foreign_keys(ON)",
		"_pragma=temp_store(MEMORY)",
	}
	if readOnly {
		params = append(params, "_pragma=query_only(ON)")
	} else {
		// BEGIN IMMEDIATE takes the write lock up front, so a write
		// transaction never fails to upgrade a read lock.
		params = append(params, "_txlock=immediate")
		// Checkpoints run apart from commits; see checkpoint.go.
		params = append(params, "_pragma=wal_autocheckpoint(0)")
		// A WAL that grew past this while checkpoints lagged is cut back
		// to it once it starts over.
		params = append(params, fmt.Sprintf("_pragma=journal_size_limit(%d)", walSizeLimit))
	}
	db, err := sql.Open("sqlite", dsn(path, params))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// dsn returns the data source name of the database file at path with the
// query parameters params. The driver runs the DSN's pragmas on every
// connection a pool opens. It hands SQLite the whole "file:" URI, so the
// path is escaped to keep '?', '#' and '%' in it literal.
func dsn(path string, params []string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + strings.Join(params, "&")
}

// release stops the keyword index build and closes whatever open managed
// to acquire.
func (s *Store) release() error {
	s.build.stop()
	errs := []error{s.stmts.close()}
	if s.textByRID != nil {
		errs = append(errs, s.textByRID.Close())
	}
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.close())
	}
	// The writer closes last: the last connection to close checkpoints
	// the WAL and removes it.
	for _, db := range []*sql.DB{s.reader, s.writer} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	errs = append(errs, s.fileLock.Close())
	return errors.Join(errs...)
}

// Close closes the store, waiting for running calls to finish. Closing a
// closed store does nothing; every other method then fails with
// storage.ErrClosed.
func (s *Store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.release() // stops the keyword index build first
	s.index = nil
	if err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// enter marks the start of a call, failing when the store is closed; the
// caller must call s.life.RUnlock when done.
func (s *Store) enter() error {
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return storage.ErrClosed
	}
	return nil
}

// Ping runs a trivial query on the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	defer s.life.RUnlock()
	var n int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM collections`).Scan(&n); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	// Keyword and hybrid searches fail while the store has no keyword
	// index: the storage check says so rather than pass.
	if err := s.build.failed(); err != nil {
		return fmt.Errorf("ping: keyword index: %w", err)
	}
	return nil
}

// write runs fn in a write transaction. When fn succeeds the transaction
// is committed and the index change fn returned is applied, both under mu,
// so no search sees one without the other.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) (indexChange, error)) error {
	return s.writeSized(ctx, func(tx *sql.Tx) (indexChange, int64, error) {
		change, err := fn(tx)
		return change, rowBytes, err
	})
}

// writeSized is write for an fn that also returns an estimate of the
// bytes it wrote, which paces checkpoints.
func (s *Store) writeSized(ctx context.Context, fn func(tx *sql.Tx) (indexChange, int64, error)) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	change, written, err := fn(tx)
	if err != nil {
		return errors.Join(err, rollback(tx))
	}
	s.mu.Lock()
	err = tx.Commit()
	if err == nil {
		change(s.index)
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	// Committed: a checkpoint that fails because ctx ends would only be
	// retried later, so it does not depend on ctx.
	s.ckpt.committed(context.WithoutCancel(ctx), s.writer, written)
	return nil
}

// rollback rolls tx back, ignoring a transaction database/sql already
// rolled back because its context ended.
func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}
