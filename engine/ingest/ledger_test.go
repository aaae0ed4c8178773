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

// ledgerCounts opens the ledger in dir as an engine start does and
// returns its counts.
func ledgerCounts(t *testing.T, dir string) (files, pending int, err error) {
	t.Helper()
	l, err := OpenLedger(context.Background(), dir)
	if err != nil {
		return 0, 0, err
	}
	defer l.Close()
	return l.Counts(context.Background())
}

// useLedger checks that the ledger in dir works after an interrupted
// creation: an open, Counts and RequeueAll (as the engine's start does),
// the indexer's adoption of its identity, writes, a load and the counts.
func useLedger(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	l, err := OpenLedger(ctx, dir)
	if err != nil {
		t.Fatalf("open after an interrupted creation: %v", err)
	}
	if files, pending, err := l.Counts(ctx); err != nil || files != 0 || pending != 0 {
		t.Fatalf("Counts = %d, %d, %v; want 0, 0, nil", files, pending, err)
	}
	if n, err := l.RequeueAll(ctx); err != nil || n != 0 {
		t.Fatalf("RequeueAll = %d, %v; want 0, nil", n, err)
	}
	reset, err := l.adopt(ctx, "id1")
	if err != nil {
		t.Fatal(err)
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
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if files, pending, err := ledgerCounts(t, dir); err != nil || files != 1 || pending != 1 {
		t.Errorf("Counts after use = %d, %d, %v; want 1, 1, nil", files, pending, err)
	}
	if tables, version := schemaState(t, dir); tables != len(ledgerSchema) || version != ledgerVersion {
		t.Errorf("schema: %d tables, version %d; want %d, %d", tables, version, len(ledgerSchema), ledgerVersion)
	}
}

// A start cancelled while it creates the ledger's schema leaves either
// no schema or all of it, never a part, and the next open completes it.
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
	if files, pending, err := ledgerCounts(t, dir); err != nil || files != 1 || pending != 0 {
		t.Fatalf("Counts = %d, %d, %v; want 1, 0, nil", files, pending, err)
	}
	l, reset, err := openLedger(ctx, dir, "id1")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
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

// The engine's uses of the run's Ledger: Model reads what adopt recorded,
// RequeueAll makes every known file pending, Reset forgets everything.
func TestLedgerModelRequeueReset(t *testing.T) {
	ctx := context.Background()
	l, err := OpenLedger(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if m, err := l.Model(ctx); err != nil || m != "" {
		t.Fatalf("Model of a new ledger = %q, %v; want none", m, err)
	}
	if _, err := l.adopt(ctx, "collection=c embedder=static/m/8"); err != nil {
		t.Fatal(err)
	}
	if m, err := l.Model(ctx); err != nil || m != "static/m/8" {
		t.Errorf("Model = %q, %v; want static/m/8", m, err)
	}
	if err := l.done(ctx, []fileDone{{path: "/a", state: FileState{Hash: "h"}}, {path: "/b", state: FileState{Hash: "i"}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := l.RequeueAll(ctx); err != nil || n != 2 {
		t.Errorf("RequeueAll = %d, %v; want 2", n, err)
	}
	if files, pending, err := l.Counts(ctx); err != nil || files != 2 || pending != 2 {
		t.Errorf("Counts = %d, %d, %v; want 2, 2", files, pending, err)
	}
	if err := l.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if files, pending, err := l.Counts(ctx); err != nil || files != 0 || pending != 0 {
		t.Errorf("Counts after Reset = %d, %d, %v; want 0, 0", files, pending, err)
	}
	if m, err := l.Model(ctx); err != nil || m != "" {
		t.Errorf("Model after Reset = %q, %v; want none", m, err)
	}
}
