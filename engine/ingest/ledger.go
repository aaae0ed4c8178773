package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"workspace-qdrant-mcp/internal/private"
)

// FileState is what the ledger remembers of an indexed file.
type FileState struct {
	Size    int64
	MtimeNS int64
	Hash    string // hex SHA-256 of the content
}

// Ledger is the indexer's durable bookkeeping in its own SQLite file, kept
// apart from the vector store so that it works the same with every
// backend: the state of each indexed file, and the paths with work
// pending. A path is marked pending before its work starts and cleared in
// the same transaction that records its new state. The enrich table lists
// the indexed versions (path and content hash) still waiting for their
// symbols, so that enrichment dropped at a stop is redone at the next start.
// The redacted table counts the secrets replaced in each indexed file that
// had any, so that engine_status counts them without reading the files.
//
// One Ledger is opened per engine run (OpenLedger) and shared: the engine
// checks and resets it before the indexer starts (Counts, Model,
// RequeueAll, Reset), then the indexer adopts it (Deps.Ledger). Its
// methods may be called from many goroutines; it allows one connection,
// so they run one at a time.
type Ledger struct {
	db *sql.DB
}

// ledgerSchema creates the ledger's tables; ensureSchema runs it in one
// transaction with the stamp of ledgerVersion.
var ledgerSchema = []string{
	`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS files (
	path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, hash TEXT NOT NULL, indexed_at INTEGER NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS pending (path TEXT PRIMARY KEY, since INTEGER NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS enrich (path TEXT PRIMARY KEY, hash TEXT NOT NULL)`,
	// Version 2: secrets replaced in each indexed file (see secrets).
	`CREATE TABLE IF NOT EXISTS redacted (path TEXT PRIMARY KEY, secrets INTEGER NOT NULL)`,
}

// ledgerVersion is the schema version stamped in the database's
// user_version once ledgerSchema is complete. Every statement of the
// schema is idempotent, so a ledger of an older version is completed by
// running them all again.
const ledgerVersion = 2

// schemaStepHook, when set (by tests), is called after each statement
// of ledgerSchema, inside the schema transaction.
var schemaStepHook func(step int)

// ensureSchema creates whatever part of the schema is missing. The tables
// and the version stamp are written in one transaction: a schema creation
// that fails or is cancelled leaves nothing behind, and every later open
// (the next run's) completes it. A ledger
// already stamped is not written to.
func ensureSchema(ctx context.Context, db *sql.DB) error {
	var v int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("create schema: read version: %w", err)
	}
	if v >= ledgerVersion {
		return nil
	}
	err := (&Ledger{db: db}).tx(ctx, func(tx *sql.Tx) error {
		for i, q := range ledgerSchema {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
			if schemaStepHook != nil {
				schemaStepHook(i)
			}
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, ledgerVersion))
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

// OpenLedger opens dataDir/ledger.db, creating it or completing its
// schema as needed. The caller closes it.
func OpenLedger(ctx context.Context, dataDir string) (*Ledger, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create ledger directory: %w", err)
	}
	path := filepath.Join(dataDir, "ledger.db")
	if err := private.Create(path); err != nil { // SQLite would make it, and its -wal and -shm, 0644
		return nil, fmt.Errorf("create ledger: %w", err)
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := ensureSchema(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	return &Ledger{db: db}, nil
}

// openLedger opens dir/ledger.db and adopts identity (see adopt).
func openLedger(ctx context.Context, dir, identity string) (*Ledger, bool, error) {
	l, err := OpenLedger(ctx, dir)
	if err != nil {
		return nil, false, err
	}
	reset, err := l.adopt(ctx, identity)
	if err != nil {
		_ = l.Close()
		return nil, false, fmt.Errorf("open ledger: %w", err)
	}
	return l, reset, nil
}

// adopt records identity (what the index is built with: collection,
// embedder, chunking). When it differs from the one recorded, every known
// file is marked pending so that it is indexed again (or removed, when it
// is gone), and reset is true unless the ledger had none.
func (l *Ledger) adopt(ctx context.Context, identity string) (reset bool, err error) {
	old, err := l.meta(ctx, "identity")
	if err != nil {
		return false, fmt.Errorf("read identity: %w", err)
	}
	if old == identity {
		return false, nil
	}
	model := identityPart(identity, "embedder")
	modelChanged := old != "" && identityPart(old, "embedder") != model
	err = l.tx(ctx, func(tx *sql.Tx) error {
		if modelChanged {
			// Until every pending file is written again, the index holds
			// vectors of two models: see Indexer.Reembedding.
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('reembed', ?)
				ON CONFLICT(key) DO UPDATE SET value = excluded.value`, model); err != nil {
				return err
			}
		}
		// Every known file is made pending rather than forgotten, so that
		// files deleted meanwhile still leave the index; pending paths are
		// written again whatever their recorded hash (see Indexer.Start).
		if _, err := tx.ExecContext(ctx, `INSERT INTO pending(path, since) SELECT path, ? FROM files WHERE true
			ON CONFLICT(path) DO NOTHING`, time.Now().UnixNano()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('identity', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, identity)
		return err
	})
	return old != "", err
}

// identityPart returns the value of key in an index identity
// ("collection=… embedder=… …"), or "".
func identityPart(identity, key string) string {
	for _, f := range strings.Fields(identity) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return ""
}

// reembedding returns the embedding model the index is being brought to
// after a change of model, or "" when every chunk has its vectors.
func (l *Ledger) reembedding(ctx context.Context) (string, error) {
	model, err := l.meta(ctx, "reembed")
	if err != nil {
		return "", fmt.Errorf("read the re-embedding state: %w", err)
	}
	return model, nil
}

// meta returns the value the ledger records under key, "" when it
// records none.
func (l *Ledger) meta(ctx context.Context, key string) (string, error) {
	var value string
	err := l.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return value, err
}

// endReembed forgets the re-embedding once no file is pending, and
// reports whether it did.
func (l *Ledger) endReembed(ctx context.Context) (bool, error) {
	res, err := l.db.ExecContext(ctx, `DELETE FROM meta WHERE key = 'reembed' AND NOT EXISTS (SELECT 1 FROM pending)`)
	if err != nil {
		return false, fmt.Errorf("end the re-embedding: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// tx runs fn in a transaction, committed when fn succeeds. The
// transaction is not bound to ctx, only fn's statements are: when ctx is
// cancelled, database/sql would roll a bound transaction back on a
// goroutine of its own, after tx has returned, and the write lock it
// holds until then could make the next open of the ledger (a restart's)
// find it locked. Here the rollback is done before tx returns.
func (l *Ledger) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := l.db.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// loadEnrich returns the indexed versions awaiting enrichment: path → hash.
func (l *Ledger) loadEnrich(ctx context.Context) (map[string]string, error) {
	return loadPaths[string](ctx, l.db, `SELECT path, hash FROM enrich`, "enrichment work")
}

// loadRedacted returns the secrets replaced in each indexed file that
// had any: path → count.
func (l *Ledger) loadRedacted(ctx context.Context) (map[string]int, error) {
	return loadPaths[int](ctx, l.db, `SELECT path, secrets FROM redacted`, "redaction counts")
}

// loadPaths reads the (path, value) rows of query into a map; what names
// them in its errors.
func loadPaths[V any](ctx context.Context, db *sql.DB, query, what string) (map[string]V, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", what, err)
	}
	defer rows.Close()
	out := map[string]V{}
	for rows.Next() {
		var p string
		var v V
		if err := rows.Scan(&p, &v); err != nil {
			return nil, fmt.Errorf("load %s: %w", what, err)
		}
		out[p] = v
	}
	return out, rows.Err()
}

// enrichDone clears a version's enrichment mark, unless a newer version
// of the path replaced it.
func (l *Ledger) enrichDone(ctx context.Context, path, hash string) error {
	if _, err := l.db.ExecContext(ctx, `DELETE FROM enrich WHERE path = ? AND hash = ?`, path, hash); err != nil {
		return fmt.Errorf("record enrichment of %s: %w", path, err)
	}
	return nil
}

// load returns every file state and every pending path.
func (l *Ledger) load(ctx context.Context) (map[string]FileState, []string, error) {
	files := map[string]FileState{}
	rows, err := l.db.QueryContext(ctx, `SELECT path, size, mtime_ns, hash FROM files`)
	if err != nil {
		return nil, nil, fmt.Errorf("load file states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var s FileState
		if err := rows.Scan(&p, &s.Size, &s.MtimeNS, &s.Hash); err != nil {
			return nil, nil, fmt.Errorf("load file states: %w", err)
		}
		files[p] = s
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("load file states: %w", err)
	}
	var pending []string
	prow, err := l.db.QueryContext(ctx, `SELECT path FROM pending ORDER BY since, path`)
	if err != nil {
		return nil, nil, fmt.Errorf("load pending work: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var p string
		if err := prow.Scan(&p); err != nil {
			return nil, nil, fmt.Errorf("load pending work: %w", err)
		}
		pending = append(pending, p)
	}
	return files, pending, prow.Err()
}

// lastIndexed returns when a file was last recorded as indexed, by this
// run or an earlier one; zero when none was.
func (l *Ledger) lastIndexed(ctx context.Context) (time.Time, error) {
	var ns sql.NullInt64
	if err := l.db.QueryRowContext(ctx, `SELECT MAX(indexed_at) FROM files`).Scan(&ns); err != nil {
		return time.Time{}, fmt.Errorf("read the last indexing time: %w", err)
	}
	if !ns.Valid {
		return time.Time{}, nil
	}
	return time.Unix(0, ns.Int64), nil
}

// markPending records paths as having work to do, in one transaction.
func (l *Ledger) markPending(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	now := time.Now().UnixNano()
	err := l.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO pending(path, since) VALUES(?, ?) ON CONFLICT(path) DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, p := range paths {
			if _, err := stmt.ExecContext(ctx, p, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record pending work: %w", err)
	}
	return nil
}

// fileDone is a file's new state for the ledger; with enrich, the
// version is also marked as awaiting enrichment. redacted counts the
// secrets replaced in its indexed text, wasRedacted those in the version
// it replaces, as the ledger has it (its redacted table is written only
// when they differ).
type fileDone struct {
	path        string
	state       FileState
	enrich      bool
	redacted    int
	wasRedacted int
}

// done records files' new states and clears their pending marks, in one
// transaction.
func (l *Ledger) done(ctx context.Context, files []fileDone) error {
	if len(files) == 0 {
		return nil
	}
	now := time.Now().UnixNano()
	err := l.tx(ctx, func(tx *sql.Tx) (err error) {
		for _, f := range files {
			s := f.state
			if _, err := tx.ExecContext(ctx, `INSERT INTO files(path, size, mtime_ns, hash, indexed_at) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
			hash = excluded.hash, indexed_at = excluded.indexed_at`, f.path, s.Size, s.MtimeNS, s.Hash, now); err != nil {
				return fmt.Errorf("%s: %w", f.path, err)
			}
			if f.enrich {
				if _, err := tx.ExecContext(ctx, `INSERT INTO enrich(path, hash) VALUES(?, ?)
				ON CONFLICT(path) DO UPDATE SET hash = excluded.hash`, f.path, s.Hash); err != nil {
					return fmt.Errorf("%s: %w", f.path, err)
				}
			}
			switch {
			case f.redacted == f.wasRedacted:
			case f.redacted > 0:
				_, err = tx.ExecContext(ctx, `INSERT INTO redacted(path, secrets) VALUES(?, ?)
				ON CONFLICT(path) DO UPDATE SET secrets = excluded.secrets`, f.path, f.redacted)
			default:
				_, err = tx.ExecContext(ctx, `DELETE FROM redacted WHERE path = ?`, f.path)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", f.path, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM pending WHERE path = ?`, f.path); err != nil {
				return fmt.Errorf("%s: %w", f.path, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record state of %d files: %w", len(files), err)
	}
	return nil
}

// forget drops a file's state and its pending and enrichment marks: the
// file is gone from the index, is skipped, or its document was deleted
// (Indexer.Forget).
func (l *Ledger) forget(ctx context.Context, path string) error {
	err := l.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE path = ?`, path); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM enrich WHERE path = ?`, path); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM redacted WHERE path = ?`, path); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM pending WHERE path = ?`, path)
		return err
	})
	if err != nil {
		return fmt.Errorf("forget %s: %w", path, err)
	}
	return nil
}

// Close closes the database.
func (l *Ledger) Close() error { return l.db.Close() }

// Reset forgets every file state and all pending work, so that the next
// indexer indexes every file anew. It is used with the workspace
// collection dropped.
func (l *Ledger) Reset(ctx context.Context) error {
	err := l.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM files`, `DELETE FROM pending`, `DELETE FROM enrich`, `DELETE FROM redacted`, `DELETE FROM meta`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reset ledger: %w", err)
	}
	return nil
}

// Model returns the model key (see ModelKey) the workspace index was
// built with, as the ledger records it; "" when it records none.
func (l *Ledger) Model(ctx context.Context) (string, error) {
	identity, err := l.meta(ctx, "identity")
	if err != nil {
		return "", fmt.Errorf("read the ledger's identity: %w", err)
	}
	return identityPart(identity, "embedder"), nil
}

// Counts returns how many files the ledger records as indexed and how
// many paths have work pending. It is how the engine checks, before the
// indexer starts, that the store still holds what the ledger says it does.
func (l *Ledger) Counts(ctx context.Context) (files, pending int, err error) {
	err = l.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM pending)`).Scan(&files, &pending)
	if err != nil {
		return 0, 0, fmt.Errorf("count ledger entries: %w", err)
	}
	return files, pending, nil
}

// RequeueAll marks every file the ledger knows as pending, so that the
// next indexer writes each again whatever its recorded hash, and removes
// from the index those that are gone (as a change of index identity
// does). It returns how many files it marked. Unchanged text is not
// embedded again: its vectors are found by hash in the store when it
// still has them.
func (l *Ledger) RequeueAll(ctx context.Context) (int, error) {
	res, err := l.db.ExecContext(ctx, `INSERT INTO pending(path, since) SELECT path, ? FROM files WHERE true
		ON CONFLICT(path) DO NOTHING`, time.Now().UnixNano())
	if err != nil {
		return 0, fmt.Errorf("requeue ledger files: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("requeue ledger files: %w", err)
	}
	return int(n), nil
}
