package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// rawLedger opens dir/ledger.db directly, without creating any schema.
func rawLedger(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// schemaState returns how many tables dir/ledger.db holds and its
// user_version.
func schemaState(t *testing.T, dir string) (tables, version int) {
	t.Helper()
	db := rawLedger(t, dir)
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return tables, version
}

// useLedger checks that the ledger in dir works after an interrupted
// creation: LedgerCounts and RequeueAll before the indexer opens it (as
// the engine's start does), then an open, writes, a load and the counts.
func useLedger(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	if files, pending, err := LedgerCounts(ctx, dir); err != nil || files != 0 || pending != 0 {
		t.Fatalf("LedgerCounts = %d, %d, %v; want 0, 0, nil", files, pending, err)
	}
	if n, err := RequeueAll(ctx, dir); err != nil || n != 0 {
		t.Fatalf("RequeueAll = %d, %v; want 0, nil", n, err)
	}
	l, reset, err := openLedger(ctx, dir, "id1")
	if err != nil {
		t.Fatalf("open after an interrupted creation: %v", err)
	}
	if reset {
		t.Error("a ledger without identity was reported as reset")
	}
	st := FileState{Size: 3, MtimeNS: 7, Hash: "h"}
	if err := l.done(ctx, []fileDone{{path: "/a", state: st}}); err != nil {
		t.Fatal(err)
	}
	if err := l.markPending(ctx, []string{"/b"}); err != nil {
		t.Fatal(err)
	}
	files, pending, err := l.load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files["/a"] != st || len(pending) != 1 || pending[0] != "/b" {
		t.Errorf("load = %v, %v; want /a and pending /b", files, pending)
	}
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	if files, pending, err := LedgerCounts(ctx, dir); err != nil || files != 1 || pending != 1 {
		t.Errorf("LedgerCounts after use = %d, %d, %v; want 1, 1, nil", files, pending, err)
	}
	if tables, version := schemaState(t, dir); tables != len(ledgerSchema) || version != ledgerVersion {
		t.Errorf("schema: %d tables, version %d; want %d, %d", tables, version, len(ledgerSchema), ledgerVersion)
	}
}

// A start cancelled while it creates the ledger's schema leaves either
// no schema or all of it, never a part, and the next open (LedgerCounts
// before the indexer's, as at an engine start) completes it.
func TestLedgerSchemaCreationCancelled(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, _, err := openLedger(ctx, dir, "id1"); !errors.Is(err, context.Canceled) {
			t.Fatalf("open with a cancelled context = %v, want context.Canceled", err)
		}
		useLedger(t, dir)
	})
	// What a start interrupted while its connection opened leaves: the
	// database file, without tables.
	t.Run("empty file", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "ledger.db"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		useLedger(t, dir)
	})
	for step := range ledgerSchema {
		t.Run(fmt.Sprintf("after statement %d", step), func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			called := false
			schemaStepHook = func(i int) {
				if i == step {
					called = true
					cancel()
				}
			}
			_, _, err := openLedger(ctx, dir, "id1")
			schemaStepHook = nil
			if !called {
				t.Fatal("the schema creation never reached the step")
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("open cancelled during schema creation = %v, want context.Canceled", err)
			}
			if tables, version := schemaState(t, dir); tables != 0 || version != 0 {
				t.Fatalf("a cancelled schema creation left %d tables, version %d; want none", tables, version)
			}
			useLedger(t, dir)
		})
	}
}

// A ledger written before the schema was versioned (its tables exist,
// user_version is 0) keeps its content when opened.
func TestLedgerUnversionedKeepsContent(t *testing.T) {
	dir := t.TempDir()
	db := rawLedger(t, dir)
	for _, q := range append(ledgerSchema,
		`INSERT INTO meta(key, value) VALUES('identity', 'id1')`,
		`INSERT INTO files(path, size, mtime_ns, hash, indexed_at) VALUES('/a', 1, 2, 'h', 3)`) {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if files, pending, err := LedgerCounts(ctx, dir); err != nil || files != 1 || pending != 0 {
		t.Fatalf("LedgerCounts = %d, %d, %v; want 1, 0, nil", files, pending, err)
	}
	l, reset, err := openLedger(ctx, dir, "id1")
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	if reset {
		t.Error("same identity reported as reset")
	}
	files, _, err := l.load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (FileState{Size: 1, MtimeNS: 2, Hash: "h"}); files["/a"] != want {
		t.Errorf("load = %v, want /a %v", files, want)
	}
}
