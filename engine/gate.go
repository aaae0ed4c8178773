package engine

import (
	"context"
	"sync"

	"workspace-qdrant-mcp/internal/inflight"
)

// gate admits workspace operations while the engine serves them and lets
// shutdown wait for those in flight. Reads are admitted while running and
// during the drain of a graceful stop; writes only while running.
type gate struct {
	mu       sync.Mutex
	reads    bool
	writes   bool
	inflight *inflight.Counter
}

func newGate() *gate { return &gate{inflight: inflight.New()} }

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
	g.inflight.Enter()
	return true
}

func (g *gate) leave() { g.inflight.Leave() }

// wait blocks until no operation is in flight or ctx ends.
func (g *gate) wait(ctx context.Context) error {
	if g.inflight.Wait(ctx) > 0 {
		return ctx.Err()
	}
	return nil
}
