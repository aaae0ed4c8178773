package embedded

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// Checkpointing. In WAL mode every commit appends pages to the -wal file,
// and a checkpoint copies them back into the database file so that the
// WAL can start over. SQLite's automatic checkpoint runs inside the COMMIT
// of whichever write crosses the threshold: on the writer's critical path,
// and here also while Store.mu is held exclusively, stalling searches.
//
// The store turns it off on the writer and checkpoints in two steps
// instead:
//
//  1. Once about checkpointBytes have been written since the last
//     checkpoint, a background goroutine runs a PASSIVE checkpoint on a
//     connection of its own. It copies the WAL while writes go on; that
//     is nearly all of the work, on another core.
//  2. The next write, after its commit and outside Store.mu, runs a
//     PASSIVE checkpoint on the writer connection. Since writes are
//     serialised it copies only the few pages committed meanwhile and
//     leaves the WAL fully checkpointed, so that the write after it
//     starts the WAL over (SQLite restarts the WAL only at the start of a
//     write when every frame has been copied back). That bounds the WAL.
//
// Both are ordinary SQLite checkpoints, safe to be interrupted by a crash
// at any point; durability is unchanged.

// defaultCheckpointBytes is the amount of row data written, estimated by
// rowBytes, after which a checkpoint starts. The WAL holds about five
// times as much, since each write also rewrites index, FTS and B-tree
// interior pages: some 20 MB here, against SQLite's default of 4 MB
// (1000 pages). A larger WAL means fewer checkpoints, each copying a page
// rewritten by many commits only once.
const defaultCheckpointBytes = 4 << 20

// walSizeLimit is the size the WAL file is truncated to when it starts
// over, should it have grown larger.
const walSizeLimit = 64 << 20

// checkpointer runs the background checkpoints of a store.
type checkpointer struct {
	db        *sql.DB // one connection, for checkpoints only
	threshold int64   // bytes written that start a checkpoint

	written atomic.Int64 // bytes written since the last checkpoint started
	catchUp atomic.Bool  // a background checkpoint ran: the writer finishes it
	wake    chan struct{}
	stop    chan struct{}
	wg      sync.WaitGroup
}

func newCheckpointer(db *sql.DB, threshold int64) *checkpointer {
	c := &checkpointer{db: db, threshold: threshold, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	c.wg.Go(c.run)
	return c
}

// run checkpoints whenever woken, until close.
func (c *checkpointer) run() {
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		// An error (the database is busy or closing) only delays the
		// checkpoint: the next threshold crossing tries again.
		if checkpoint(context.Background(), c.db) == nil {
			c.catchUp.Store(true)
		}
	}
}

// committed is called by the writer after each commit, outside Store.mu
// but still serialised with other writes, with the bytes it wrote. It
// finishes a background checkpoint on the writer connection, or starts one
// once enough has been written.
func (c *checkpointer) committed(ctx context.Context, writer *sql.DB, bytes int64) {
	if c.catchUp.Swap(false) {
		_ = checkpoint(ctx, writer) // on failure the next cycle catches up
	}
	if c.written.Add(bytes) >= c.threshold {
		c.written.Store(0)
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// close stops the background goroutine and waits for it.
func (c *checkpointer) close() error {
	close(c.stop)
	c.wg.Wait()
	return c.db.Close()
}

// checkpoint runs a PASSIVE checkpoint: it copies what it can without
// waiting for readers or writers.
func checkpoint(ctx context.Context, db *sql.DB) error {
	var busy, log, copied int
	return db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &copied)
}
