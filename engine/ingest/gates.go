package ingest

import "sync"

// pathLocks are the per-path write locks: every write of a path's
// document to the store, and the known state that goes with it, is made
// under its lock, so that a file task, an enrichment and a removal of the
// same path never interleave. It has a lock of its own, apart from the
// indexer's.
type pathLocks struct {
	mu      sync.Mutex
	cond    *sync.Cond // signalled when a lock is released
	writing map[string]bool
}

func newPathLocks() *pathLocks {
	l := &pathLocks{writing: map[string]bool{}}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// lock takes path's lock, waiting while another holds it.
func (l *pathLocks) lock(path string) {
	l.mu.Lock()
	for l.writing[path] {
		l.cond.Wait()
	}
	l.writing[path] = true
	l.mu.Unlock()
}

// unlock releases path's lock.
func (l *pathLocks) unlock(path string) {
	l.mu.Lock()
	delete(l.writing, path)
	l.mu.Unlock()
	l.cond.Broadcast()
}
