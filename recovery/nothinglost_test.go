package recovery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
	"workspace-qdrant-mcp/recovery"
)

// These tests run the real indexer, whose file watcher blocks in system
// calls, so they cannot run in a synctest bubble: they use real time with
// short intervals, and poll with a deadline.

const deadline = 60 * time.Second

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	enginetest.Eventually(t, what, deadline, cond)
}

// workspaceRig is a rig over a real workspace with the real indexer.
func workspaceRig(t *testing.T, initialDelay time.Duration) (*rig, string) {
	ws := enginetest.Workspace(t, map[string]string{"plan.md": "# Plan\n\nShip it on Friday.\n"})
	r := newRig(t, func(c *config.Config) {
		c.Workspace.Roots = []string{ws}
		c.Workspace.Debounce = config.Duration(10 * time.Millisecond)
		c.Health.Interval = config.Duration(100 * time.Millisecond)
		c.Recovery.InitialDelay = config.Duration(initialDelay)
		c.Recovery.MaxDelay = config.Duration(max(initialDelay, 200*time.Millisecond))
		c.Recovery.MaxAttempts = 100
	})
	r.run()
	if err := r.eng.WaitIndexed(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return r, ws
}

// editWhileDown changes one file and adds another while storage is down,
// and waits until indexing them has failed.
func editWhileDown(t *testing.T, r *rig, ws string) {
	t.Helper()
	r.store.Fail()
	enginetest.WriteFiles(t, ws, map[string]string{
		"plan.md":  "# Plan\n\nShip the zanzibarquux on Friday.\n",
		"later.md": "# Later\n\nThe quokkaplinth arrives.\n",
	})
	eventually(t, "indexing fails while storage is down", func() bool { return r.eng.Tasks().Failed > 0 })
}

// indexed checks that both edits made while storage was down are found.
func indexed(t *testing.T, r *rig) {
	t.Helper()
	eventually(t, "engine running and recovery idle", func() bool {
		return r.eng.State() == engine.StateRunning && r.rec.Snapshot().State == recovery.StateIdle
	})
	if err := r.eng.WaitIndexed(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{"zanzibarquux", "quokkaplinth"} {
		res, err := r.eng.Search(context.Background(), engine.SearchRequest{Query: word, Mode: "keyword", Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Results) == 0 || !strings.Contains(res.Results[0].Text, word) {
			t.Errorf("%q not found after recovery: %+v\n%s", word, res.Results, r.notesString())
		}
	}
}

// Work that failed while storage was down, through failed attempts, is
// done once storage is back, and the engine runs throughout: recovery
// probes, it does not restart.
func TestNothingLostAcrossFailedAttempts(t *testing.T) {
	r, ws := workspaceRig(t, 20*time.Millisecond)
	defer r.close()
	editWhileDown(t, r, ws)
	eventually(t, "two failed recovery attempts", func() bool { return r.rec.Snapshot().Attempts >= 2 })
	if s := r.eng.State(); s != engine.StateRunning {
		t.Errorf("state %s while storage is down, want running", s)
	}
	r.store.Up()
	indexed(t, r)
	if starts := r.recoveryStarts(); len(starts) != 0 {
		t.Errorf("recovery restarts %v, want none", starts)
	}
}

// Storage comes back before the first attempt, but indexing failed
// meanwhile: recovery has the engine redo the pending work, without a
// restart.
func TestNothingLostWhenStorageComesBackByItself(t *testing.T) {
	r, ws := workspaceRig(t, time.Second)
	defer r.close()
	editWhileDown(t, r, ws)
	eventually(t, "recovery starts", r.rec.Recovering)
	r.store.Up()
	indexed(t, r)
	if starts := r.recoveryStarts(); len(starts) != 0 {
		t.Errorf("recovery restarts %v, want none", starts)
	}
	if r.notesMatching("the work that failed meanwhile is redone") != 1 {
		t.Errorf("no notification of the redone work:\n%s", r.notesString())
	}
}
