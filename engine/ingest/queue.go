package ingest

import (
	"maps"
	"slices"
	"sync"
)

// workQueue holds the paths with indexing work to do and the file tasks
// doing it, under a lock of its own: a path is dirty (waiting for a file
// task), in flight (handed to one) or failed (waiting for Retry or its
// next change). While paused nothing is handed out; once stopping, no
// file task is admitted. The indexer's lock, when held with it, is taken
// first.
type workQueue struct {
	mu    sync.Mutex
	dirty map[string]struct{}
	// order is the dirty paths sorted, as they were when last sorted;
	// take hands them out from order[next] on, skipping those no longer
	// dirty, and sorts again once it has run out. Batches of neighbouring
	// paths write neighbouring keys of the store's document indexes, so a
	// commit rewrites few of their pages: with the paths in map order
	// every commit of a full index rewrote most of them.
	order    []string
	next     int
	inflight map[string]bool // true when dirtied again while in flight
	failed   map[string]struct{}
	paused   bool
	stopping bool
	running  int        // file tasks running now
	idle     *sync.Cond // signalled when running falls to 0
}

func newWorkQueue() *workQueue {
	q := &workQueue{dirty: map[string]struct{}{}, inflight: map[string]bool{}, failed: map[string]struct{}{}}
	q.idle = sync.NewCond(&q.mu)
	return q
}

// add makes paths dirty; one in flight is marked to go round again when
// its task ends.
func (q *workQueue) add(paths []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, p := range paths {
		if _, busy := q.inflight[p]; busy {
			q.inflight[p] = true
			continue
		}
		q.dirty[p] = struct{}{}
	}
}

// take hands out dirty paths, marking them in flight: one when few are
// pending, so that a change is written at once, and more (up to
// maxBatchFiles) the more are pending, leaving enough for every one of
// workers; in path order (see order). It returns nil while paused or when
// nothing is dirty.
func (q *workQueue) take(workers int) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.paused || len(q.dirty) == 0 {
		return nil
	}
	n := min(maxBatchFiles, max(1, len(q.dirty)/(2*max(1, workers))))
	paths := make([]string, 0, n)
	for len(paths) < n {
		if q.next == len(q.order) {
			q.order, q.next = slices.Sorted(maps.Keys(q.dirty)), 0
		}
		p := q.order[q.next]
		q.next++
		if _, ok := q.dirty[p]; !ok {
			continue
		}
		delete(q.dirty, p)
		q.inflight[p] = false
		paths = append(paths, p)
	}
	if q.next == len(q.order) {
		q.order, q.next = nil, 0 // let the strings go
	}
	return paths
}

// requeue puts paths handed out but never started back as dirty.
func (q *workQueue) requeue(paths []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, p := range paths {
		delete(q.inflight, p)
		q.dirty[p] = struct{}{}
	}
}

// finish ends a path's flight. A path dirtied meanwhile (again, the
// result) or whose task was cancelled goes back to dirty; one whose work
// failed otherwise is failed.
func (q *workQueue) finish(p string, cancelled, failed bool) (again bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	again = q.inflight[p]
	delete(q.inflight, p)
	delete(q.failed, p)
	if again || cancelled {
		q.dirty[p] = struct{}{}
	} else if failed {
		q.failed[p] = struct{}{}
	}
	return again
}

// takeFailed returns the failed paths, sorted, and forgets them.
func (q *workQueue) takeFailed() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	paths := make([]string, 0, len(q.failed))
	for p := range q.failed {
		paths = append(paths, p)
	}
	clear(q.failed)
	slices.Sort(paths)
	return paths
}

// counts returns how many paths are dirty, in flight and failed.
func (q *workQueue) counts() (dirty, inflight, failed int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.dirty), len(q.inflight), len(q.failed)
}

// busy reports whether a path is dirty or in flight.
func (q *workQueue) busy() bool {
	d, f, _ := q.counts()
	return d+f > 0
}

func (q *workQueue) pause() {
	q.mu.Lock()
	q.paused = true
	q.mu.Unlock()
}

// halted reports whether the queue is paused or stopping.
func (q *workQueue) halted() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.paused || q.stopping
}

func (q *workQueue) isStopping() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.stopping
}

// enter admits a file task unless the queue is stopping.
func (q *workQueue) enter() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopping {
		return false
	}
	q.running++
	return true
}

// leave ends a file task that enter admitted.
func (q *workQueue) leave() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.running--
	if q.running == 0 {
		q.idle.Broadcast()
	}
}

// stop refuses file tasks from now on.
func (q *workQueue) stop() {
	q.mu.Lock()
	q.stopping = true
	q.mu.Unlock()
}

// waitIdle waits until no admitted file task runs.
func (q *workQueue) waitIdle() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.running > 0 {
		q.idle.Wait()
	}
}
