package engine

import (
	"context"
	"sync"
)

// gate admits workspace operations while the engine serves them and lets
// shutdown wait for those in flight. Reads are admitted while running and
// during the drain of a graceful stop; writes only while running.
type gate struct {
	mu       sync.Mutex
	reads    bool
	writes   bool
	inflight int
	zero     chan struct{} // closed while inflight == 0
}

func newGate() *gate {
	g := &gate{zero: make(chan struct{})}
	close(g.zero)
	return g
}

// set opens or closes the gate for reads and writes.
func (g *gate) set(reads, writes bool) {
	g.mu.Lock()
	g.reads, g.writes = reads, writes
	g.mu.Unlock()
}

// enter admits one operation; the caller must call leave when enter
// returned true.
func (g *gate) enter(write bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if (write && !g.writes) || (!write && !g.reads) {
		return false
	}
	if g.inflight == 0 {
		g.zero = make(chan struct{})
	}
	g.inflight++
	return true
}

func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inflight--
	if g.inflight == 0 {
		close(g.zero)
	}
}

// wait blocks until no operation is in flight or ctx ends.
func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	zero := g.zero
	g.mu.Unlock()
	select {
	case <-zero:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
