package engine

import (
	"context"

	"workspace-qdrant-mcp/engine/pipeline"
)

// Notes follow the embedder: at every start of the indexer, one
// background pipeline task brings the notes to the current model (see
// workspace.Local.MigrateNotes, which holds the notes lock against the
// tools while it rewrites them).

// startNotes submits the notes migration to the run's pipeline from a
// goroutine of its own (Submit waits while the indexer fills the queue)
// and registers it as a component, so that a stop ends the wait. The
// returned channel is closed once the task has run, or when it will not.
func (m *Manager) startNotes(r *run) <-chan struct{} {
	done := make(chan struct{})
	r.spawn("notes", func(ctx context.Context) {
		err := r.pipeline.Submit(ctx, pipeline.Task{Name: "re-embed notes", Run: func(tctx context.Context) error {
			defer close(done)
			return r.local.MigrateNotes(tctx)
		}})
		if err != nil {
			close(done)
			m.log.Debug().Err(err).Msg("notes not checked for another embedding model: the run stopped first")
		}
	})
	return done
}

// notesPending reports whether the run's notes migration is yet to run or
// running.
func (r *run) notesPending() bool {
	if r.notes == nil {
		return false
	}
	select {
	case <-r.notes:
		return false
	default:
		return true
	}
}
