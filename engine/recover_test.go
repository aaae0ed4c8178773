package engine

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// Recover stops and starts the engine with its configuration, recording
// the given reason and the recovery origin in every transition.
func TestRecover(t *testing.T) {
	h := newHarness(t)
	m := h.started()
	var reasons []string
	unsub := m.Subscribe(func(tr Transition) { reasons = append(reasons, string(tr.To)+" "+string(tr.Origin)+" "+tr.Reason) })
	defer unsub()
	if err := m.Recover(context.Background(), "recovery attempt 1/5"); err != nil {
		t.Fatalf("Recover: %v", err)
	}
	want := "stopping recovery recovery attempt 1/5,stopped recovery recovery attempt 1/5,starting recovery recovery attempt 1/5,running recovery "
	if got := strings.Join(reasons, ","); !strings.HasPrefix(got, want) {
		t.Errorf("transitions %q, want %q...", got, want)
	}
	if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
}

// A start whose context has already ended changes nothing, so a
// cancelled recovery cannot start the engine after a deliberate stop.
func TestStartWithEndedContextChangesNothing(t *testing.T) {
	h := newHarness(t)
	m := h.manager()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Start(ctx); err == nil {
		t.Fatal("Start with a cancelled context succeeded")
	}
	if err := m.Recover(ctx, "recovery attempt 1/5"); err == nil {
		t.Fatal("Recover with a cancelled context succeeded")
	}
	if st := m.State(); st != StateStopped {
		t.Errorf("state %s, want stopped", st)
	}
	if tr := m.Status(context.Background()).Transitions; len(tr) != 0 {
		t.Errorf("transitions %v, want none", tr)
	}
}

// Checks run concurrently: a storage ping that hangs until the deadline
// does not starve the embedder's check. Tasks reports the pipeline.
func TestChecksConcurrentAndTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		m := h.manager()
		if got := m.Tasks(); got.Workers != 0 {
			t.Errorf("Tasks of a stopped engine = %+v, want zero", got)
		}
		if err := m.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
				t.Error(err)
			}
		}()
		if got := m.Tasks(); got.Workers != 2 || !got.Accepting {
			t.Errorf("Tasks = %+v, want 2 workers accepting", got)
		}
		h.store.pingHang = true
		defer func() { h.store.pingHang = false }()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		checks := m.Checks(ctx)
		byName := map[string]Check{}
		for _, c := range checks {
			byName[c.Name] = c
		}
		if c := byName["storage"]; c.Status != CheckFail || c.LatencyMS != 3000 {
			t.Errorf("storage check %+v, want a failure after 3s", c)
		}
		for _, name := range []string{"engine", "embedder", "pipeline", "watcher"} {
			if c := byName[name]; c.Status != CheckPass || c.LatencyMS != 0 {
				t.Errorf("%s check %+v, want an immediate pass", name, c)
			}
		}
	})
}
