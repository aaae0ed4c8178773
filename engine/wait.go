package engine

import (
	"context"
	"time"

	"workspace-qdrant-mcp/engine/workspace"
)

// indexPollEvery is how often WaitIndexed looks at the indexer.
const indexPollEvery = 100 * time.Millisecond

// WaitIndexed blocks until the workspace index is current (no scan running,
// nothing pending, notes brought to the current model) or ctx ends. progress, when not nil, is called with
// the files done and the files known so far in the current full index
// whenever that changes, and a last time when indexing is complete. On a
// reader it follows the indexer's progress. The admission hook is asked
// first, as for an operation that needs the store and the embedder.
func (m *Manager) WaitIndexed(ctx context.Context, progress func(done, total int)) error {
	if err := m.admit(Op{Name: "wait_indexed", Needs: []string{ComponentStorage, ComponentEmbedder}}); err != nil {
		return err
	}
	tick := time.NewTicker(indexPollEvery)
	defer tick.Stop()
	lastDone, lastTotal := -1, -1
	for {
		st, err := m.progress(ctx)
		if err != nil {
			return err
		}
		done, total := st.Done, st.Done+st.Pending
		if !st.Indexing {
			if progress != nil {
				progress(done, done)
			}
			return nil
		}
		if progress != nil && (done != lastDone || total != lastTotal) {
			progress(done, total)
			lastDone, lastTotal = done, total
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// progress reads the indexer's progress: this process's, or on a reader
// the indexer's through the socket (the run's workspace.Service).
func (m *Manager) progress(ctx context.Context) (workspace.Progress, error) {
	r, release, err := m.acquire(false)
	if err != nil {
		return workspace.Progress{}, err
	}
	defer release()
	return r.ws.Progress(ctx)
}
