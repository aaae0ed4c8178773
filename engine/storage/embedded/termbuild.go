package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"workspace-qdrant-mcp/engine/storage"
)

// Building the keyword index in the background.
//
// The keyword index (keyword.go) is built from every chunk's text when a
// store opens, which takes seconds on a large store (about 1.6 s for 57k
// chunks on two CPUs). Open does not wait for it: it fixes a read
// snapshot of the chunks table, hands it to a goroutine that analyzes and
// indexes it, and returns. Searches with a keyword leg wait for it,
// bounded by their context (see awaitKeywordIndex); semantic searches and
// writes do not, and Stats says it is loading.
//
// Writes committed while the build runs cannot go into the index being
// built, nor be missed by it: each records its keyword changes in
// vectorIndex.termLog, under Store.mu like every index change. The build
// reads the snapshot taken before Open returned, so before any of those
// writes, and replays the log onto what it read under Store.mu when it
// installs the index, which therefore holds exactly the committed chunks.
//
// Close cancels a build still running and waits for it. A build that
// fails leaves the store without a keyword index: keyword searches fail
// with its error, and Ping (so the storage check) and IntegrityCheck
// report it.

// termOpKind says what a termOp does.
type termOpKind uint8

const (
	opAdd        termOpKind = iota // index rid's tokens and hash
	opRemove                       // drop rid's tokens
	opRemoveHash                   // drop a chunk's hash
)

// termOp is a keyword index change committed while the index was being
// built.
type termOp struct {
	kind   termOpKind
	rid    int64
	tokens docTerms
	hash   string
}

// apply makes the change on ti.
func (op *termOp) apply(ti *termIndex) {
	switch op.kind {
	case opAdd:
		ti.add(op.rid, op.tokens)
		ti.hashes.add(op.hash)
	case opRemove:
		ti.remove(op.rid)
	case opRemoveHash:
		ti.hashes.remove(op.hash)
	}
}

// change applies op to the keyword index, or logs it for the build
// running. The caller holds Store.mu exclusively.
func (ix *vectorIndex) change(op termOp) {
	switch {
	case ix.terms != nil:
		op.apply(ix.terms)
	case ix.building:
		ix.termLog = append(ix.termLog, op)
	}
}

// addTerms indexes chunk rid's tokens and hash (replacing any tokens it
// had). The caller holds Store.mu exclusively.
func (ix *vectorIndex) addTerms(rid int64, d docTerms, hash string) {
	ix.change(termOp{kind: opAdd, rid: rid, tokens: d, hash: hash})
}

// removeTerms drops chunk rid's tokens from the keyword index. The caller
// holds Store.mu exclusively.
func (ix *vectorIndex) removeTerms(rid int64) {
	ix.change(termOp{kind: opRemove, rid: rid})
}

// removeHash forgets a deleted chunk's hash. The caller holds Store.mu
// exclusively.
func (ix *vectorIndex) removeHash(hash string) {
	ix.change(termOp{kind: opRemoveHash, hash: hash})
}

// termBuild is the background build of a store's keyword index.
type termBuild struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   chan struct{} // closed once the build has ended, however
	err    error         // why it failed; set before done is closed
	// beforeInstall, when set (by tests), runs after the build has read
	// its snapshot and before it takes Store.mu to install the index,
	// with the build's context, which Close cancels.
	beforeInstall func(ctx context.Context)
}

// errBuildStopped is the error of a build that Close stopped: a search
// waiting for it sees the store closed.
var errBuildStopped = fmt.Errorf("keyword index build stopped by Close: %w", storage.ErrClosed)

// startTermBuild starts building the keyword index from the chunks as
// they are now; it must be called before any write can run (from Open).
// A store without chunks gets its empty index at once.
func (s *Store) startTermBuild(ctx context.Context) error {
	s.build.done = make(chan struct{})
	// The build outlives ctx, which may be a request's.
	bctx, cancel := context.WithCancel(context.Background())
	s.build.cancel = cancel
	// The snapshot the build reads is fixed by the transaction's first
	// read, here: no write has run yet.
	tx, err := s.reader.BeginTx(bctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("keyword index: %w", err)
	}
	var chunks int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM chunks`).Scan(&chunks); err != nil {
		return errors.Join(fmt.Errorf("keyword index: %w", err), tx.Rollback())
	}
	if chunks == 0 {
		s.index.terms = newTermIndex(s.dict)
		close(s.build.done)
		return tx.Rollback()
	}
	s.index.building = true
	s.build.wg.Go(func() {
		defer close(s.build.done)
		ti := newTermIndex(s.dict)
		err := loadTerms(bctx, tx, ti, s.analyze)
		err = errors.Join(err, tx.Rollback())
		if err == nil && s.build.beforeInstall != nil {
			s.build.beforeInstall(bctx)
		}
		if err == nil && bctx.Err() != nil {
			err = errBuildStopped
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		ix := s.index
		if err != nil {
			s.build.err = fmt.Errorf("build keyword index: %w", err)
			ix.building, ix.termLog = false, nil
			return
		}
		for i := range ix.termLog {
			ix.termLog[i].apply(ti)
		}
		ix.terms, ix.building, ix.termLog = ti, false, nil
	})
	return nil
}

// stop cancels a build still running and waits for it to end.
func (b *termBuild) stop() {
	if b.cancel != nil {
		b.cancel()
	}
	b.wg.Wait()
}

// wait waits for the build to end and returns its error.
func (b *termBuild) wait(ctx context.Context) error {
	if b.done == nil {
		return nil // Open failed before starting it
	}
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WaitKeywordIndex waits until the keyword index, which Open builds in
// the background, is in use, and returns why building it failed, if it
// did (keyword searches then fail). Searches need not call it: those
// with a keyword leg wait for the index themselves. A build that Close
// stopped is an error too.
func (s *Store) WaitKeywordIndex(ctx context.Context) error {
	if err := s.build.wait(ctx); err != nil {
		return fmt.Errorf("wait for keyword index: %w", err)
	}
	return nil
}

// ended reports whether no build runs: it has ended, or none started
// (an empty store, or Open failed before it).
func (b *termBuild) ended() bool {
	if b.done == nil {
		return true
	}
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// failed returns why the build failed once it has ended, and nil while
// it runs or when it succeeded.
func (b *termBuild) failed() error {
	if !b.ended() {
		return nil
	}
	return b.err // set before done was closed
}

// loading reports whether the keyword index is still being built.
func (b *termBuild) loading() bool { return !b.ended() }
