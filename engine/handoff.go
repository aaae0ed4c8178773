package engine

import (
	"sync"

	"workspace-qdrant-mcp/engine/peer"
)

// lockHandoff carries the indexer lock from a stop that keeps it to the
// start that follows (a restart, a recovery, a takeover), so that no
// reader takes over in between. It is a parameter of that one stop and
// start, never state of the Manager: two overlapping restarts each have
// their own, so neither can make the other's stop release the lock.
type lockHandoff struct {
	keep bool // the stop hands the lock over instead of releasing it

	mu   sync.Mutex
	lock *peer.Lock
}

// keepLock is the handoff of a stop that keeps the indexer lock.
func keepLock() *lockHandoff { return &lockHandoff{keep: true} }

// inherit is the handoff of a start that begins with lock already held:
// a takeover's.
func inherit(lock *peer.Lock) *lockHandoff { return &lockHandoff{lock: lock} }

// keeping reports whether a stop given h keeps the lock; h may be nil.
func (h *lockHandoff) keeping() bool { return h != nil && h.keep }

// put hands the lock over; the stop's lock component calls it.
func (h *lockHandoff) put(lock *peer.Lock) {
	h.mu.Lock()
	h.lock = lock
	h.mu.Unlock()
}

// take returns the lock handed over, once, or nil; h may be nil.
func (h *lockHandoff) take() *peer.Lock {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	lock := h.lock
	h.lock = nil
	return lock
}

// release gives back a lock that no start took (the start failed before
// it claimed its role); h may be nil.
func (h *lockHandoff) release() {
	if lock := h.take(); lock != nil {
		_ = lock.Release()
	}
}
