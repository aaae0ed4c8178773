package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// openExistingLedger opens dataDir/ledger.db without touching its
// identity, completing its schema when a start stopped before it was
// created; nil when there is no ledger yet.
func openExistingLedger(ctx context.Context, dataDir string) (*sql.DB, error) {
	path := filepath.Join(dataDir, "ledger.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if err := ensureSchema(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	return db, nil
}

// LedgerModel returns the model key (see ModelKey) the workspace index in
// dataDir was built with, as its ledger records it; "" with no ledger.
func LedgerModel(ctx context.Context, dataDir string) (string, error) {
	db, err := openExistingLedger(ctx, dataDir)
	if err != nil || db == nil {
		return "", err
	}
	defer db.Close()
	var identity string
	err = db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'identity'`).Scan(&identity)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the ledger's identity: %w", err)
	}
	return identityPart(identity, "embedder"), nil
}

// LedgerCounts returns how many files the ledger in dataDir records as
// indexed and how many paths have work pending; with no ledger yet, none.
// It is how the engine checks, before the indexer starts, that the store
// still holds what the ledger says it does.
func LedgerCounts(ctx context.Context, dataDir string) (files, pending int, err error) {
	db, err := openExistingLedger(ctx, dataDir)
	if err != nil || db == nil {
		return 0, 0, err
	}
	defer db.Close()
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM pending)`).Scan(&files, &pending)
	if err != nil {
		return 0, 0, fmt.Errorf("count ledger entries: %w", err)
	}
	return files, pending, nil
}

// RequeueAll marks every file the ledger in dataDir knows as pending, so
// that the next indexer writes each again whatever its recorded hash, and
// removes from the index those that are gone (as a change of index
// identity does). It returns how many files it marked. Unchanged text is
// not embedded again: its vectors are found by hash in the store when it
// still has them.
func RequeueAll(ctx context.Context, dataDir string) (int, error) {
	db, err := openExistingLedger(ctx, dataDir)
	if err != nil || db == nil {
		return 0, err
	}
	defer db.Close()
	res, err := db.ExecContext(ctx, `INSERT INTO pending(path, since) SELECT path, ? FROM files WHERE true
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
