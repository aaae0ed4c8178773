package engine

import (
	"context"
	"time"
)

// indexPollEvery is how often WaitIndexed looks at the indexer.
const indexPollEvery = 100 * time.Millisecond

// WaitIndexed blocks until the workspace index is current (no scan running
// and nothing pending) or ctx ends. progress, when not nil, is called with
// the files done and the files known so far in the current full index
// whenever that changes, and a last time when indexing is complete.
func (m *Manager) WaitIndexed(ctx context.Context, progress func(done, total int)) error {
	tick := time.NewTicker(indexPollEvery)
	defer tick.Stop()
	lastDone, lastTotal := -1, -1
	for {
		r, release, err := m.acquire(false)
		if err != nil {
			return err
		}
		if r.indexer == nil {
			release()
			return nil
		}
		st := r.indexer.Stats()
		release()
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
