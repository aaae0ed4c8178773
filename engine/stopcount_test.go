package engine

import (
	"context"
	"testing"

	"workspace-qdrant-mcp/engine/ingest"
)

// A stop counts among its remaining tasks the files pending in the
// ledger, those not yet handed to the pipeline and those whose indexing
// failed on a dependency, so it never says 0 while work is pending; and
// startup_seconds, which describes the run, is cleared by the stop. The
// test waits for the run's own tasks (the notes migration) to leave the
// pipeline first: a forced stop counts a task still queued or running
// too, and under load the notes task sometimes still was (its done
// channel closes inside the task, before the pipeline counts it
// completed), so the count came out one higher.
func TestStopCountsPendingFiles(t *testing.T) {
	for _, force := range []bool{false, true} {
		h := newHarness(t)
		h.idx.stats = ingest.Stats{Pending: 7, Waiting: 3, Failed: 4}
		m := h.started()
		waitNotes(t, m)
		if err := m.currentRun().pipeline.WaitIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		if st := m.Status(context.Background()); st.StartupSeconds <= 0 {
			t.Errorf("startup_seconds %v while running, want the start's duration", st.StartupSeconds)
		}
		res, err := m.Stop(context.Background(), StopOptions{Force: force})
		if err != nil {
			t.Fatal(err)
		}
		if res.RemainingTasks != 7 {
			t.Errorf("force %v: remaining_tasks %d with 3 files waiting and 4 failed in the ledger, want 7", force, res.RemainingTasks)
		}
		if st := m.Status(context.Background()); st.StartupSeconds != 0 {
			t.Errorf("force %v: startup_seconds %v after the stop, want 0", force, st.StartupSeconds)
		}
	}
}
