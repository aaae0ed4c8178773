package recovery_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/health"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/recovery"
)

// scripted is a recovery.Engine whose transitions the test fires, for
// what a real engine cannot be made to do on demand: fall into error on
// its own, or count failed tasks.
type scripted struct {
	mu       sync.Mutex
	state    engine.State
	storage  string // check status of storage
	tasks    pipeline.Stats
	recovers []string
	resumes  []string
	subs     []func(engine.Transition)
}

func newScripted() *scripted { return &scripted{state: engine.StateRunning, storage: engine.CheckPass} }

func (s *scripted) State() engine.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *scripted) Checks(context.Context) []engine.Check {
	s.mu.Lock()
	defer s.mu.Unlock()
	return []engine.Check{
		{Name: "engine", Status: engine.CheckPass},
		{Name: "storage", Status: s.storage, Message: "storage says " + s.storage},
		{Name: "embedder", Status: engine.CheckPass},
	}
}

func (s *scripted) Tasks() pipeline.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tasks
}

func (s *scripted) Recover(_ context.Context, reason string) error {
	s.mu.Lock()
	s.recovers = append(s.recovers, reason)
	s.tasks = pipeline.Stats{} // a fresh pipeline
	s.mu.Unlock()
	s.fireAs(engine.OriginRecovery, reason, engine.StateStopped, engine.StateRunning)
	return nil
}

func (s *scripted) Resume(_ context.Context, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resumes = append(s.resumes, reason)
	return nil
}

func (s *scripted) resumed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.resumes...)
}

func (s *scripted) Subscribe(fn func(engine.Transition)) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, fn)
	return func() {}
}

// fire makes the transitions to each state of to in turn, as the user
// did, for reason.
func (s *scripted) fire(reason string, to ...engine.State) {
	s.fireAs(engine.OriginUser, reason, to...)
}

// fireAs makes the transitions to each state of to in turn, of origin,
// for reason.
func (s *scripted) fireAs(origin engine.Origin, reason string, to ...engine.State) {
	for _, state := range to {
		s.mu.Lock()
		from := s.state
		s.state = state
		subs := append([]func(engine.Transition){}, s.subs...)
		s.mu.Unlock()
		for _, fn := range subs {
			fn(engine.Transition{From: from, To: state, Origin: origin, Reason: reason, At: time.Now()})
		}
	}
}

func (s *scripted) recovered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.recovers...)
}

func runScripted(t *testing.T) (*scripted, *recovery.Manager) {
	eng := newScripted()
	rec := recovery.New(config.Default(), eng, zerolog.Nop(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { rec.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	synctest.Wait()
	return eng, rec
}

// Recovery tells its own transitions by their origin, not by what their
// reason says: its own stop leaves the engine meant to be running, a
// user's stop does not, whatever the reasons read.
func TestOwnTransitionsByOrigin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng, rec := runScripted(t)

		eng.fireAs(engine.OriginRecovery, "restart the store", engine.StateStopping, engine.StateStopped)
		if !rec.Trigger(engine.CheckStorage, "lost") {
			t.Fatal("after recovery's own stop, a lost connection started no loop")
		}
		rec.Cancel("test")
		eng.fire("engine_start", engine.StateRunning)
		eng.fire("recovery attempt 1/6: a user's words", engine.StateStopping, engine.StateStopped)
		if rec.Trigger(engine.CheckStorage, "lost") {
			t.Fatal("after a user's stop whose reason reads like recovery's, a lost connection started a loop")
		}
	})
}

// The engine falling into error while it should be running starts
// recovery; errors after a deliberate stop, or of a failed engine_restart,
// do not.
func TestErrorWhileRunningStartsRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng, rec := runScripted(t)

		eng.fire("engine_restart", engine.StateStopping, engine.StateStopped, engine.StateStarting)
		eng.fire("startup phase initialize: bad config", engine.StateError)
		synctest.Wait()
		if rec.Recovering() {
			t.Fatal("a failed engine_restart started recovery; the user sees its error")
		}

		eng.fire("engine_start", engine.StateRunning)
		eng.fire("something broke", engine.StateStopping)
		eng.fire("drain failed", engine.StateError)
		synctest.Wait()
		st := rec.Snapshot()
		if st.State != recovery.StateWaiting || len(st.Down) != 1 || st.Down[0] != "engine" || !strings.Contains(st.LastError, "drain failed") {
			t.Fatalf("snapshot %+v, want waiting with the engine down", st)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := eng.recovered(); len(got) != 1 || !strings.HasPrefix(got[0], "recovery attempt 1/5: engine is error") {
			t.Errorf("restarts %q, want one for attempt 1", got)
		}
		if rec.Recovering() {
			t.Error("still recovering after a successful restart")
		}

		rec.Cancel("engine_stop")
		eng.fire("engine_stop", engine.StateStopping, engine.StateStopped)
		eng.fire("engine_start", engine.StateStarting)
		eng.fire("start failed", engine.StateError)
		synctest.Wait()
		if rec.Recovering() {
			t.Error("an error after a deliberate stop started recovery")
		}
	})
}

// The connection came back by itself, but tasks failed while it was down:
// their work is pending in the ledger, so the engine is restarted to redo
// it rather than left idle.
func TestFailedTasksResumedWithoutRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng, rec := runScripted(t)
		sample := func() {
			s := health.Sample{State: eng.State(), Checks: eng.Checks(context.Background())}
			s.FailedTasks = eng.Tasks().Failed
			rec.Observe(s)
		}
		eng.mu.Lock()
		eng.tasks.Failed = 2 // before the outage: not the outage's doing
		eng.mu.Unlock()
		sample()
		eng.mu.Lock()
		eng.storage, eng.tasks.Failed = engine.CheckFail, 5
		eng.mu.Unlock()
		sample()
		sample()
		if !rec.Recovering() {
			t.Fatal("two failed samples did not start recovery")
		}
		eng.mu.Lock()
		eng.storage = engine.CheckPass
		eng.mu.Unlock()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := eng.recovered(); len(got) != 0 {
			t.Errorf("restarts %q, want none: the connection came back", got)
		}
		got := eng.resumed()
		if len(got) != 1 || !strings.Contains(got[0], "3 tasks failed while the connection was down") {
			t.Errorf("resumes %q, want one to redo the 3 failed tasks", got)
		}

		// Without failed tasks, a connection that comes back needs none.
		eng.mu.Lock()
		eng.storage = engine.CheckFail
		eng.mu.Unlock()
		sample()
		sample()
		eng.mu.Lock()
		eng.storage = engine.CheckPass
		eng.mu.Unlock()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got, res := eng.recovered(), eng.resumed(); len(got) != 0 || len(res) != 1 {
			t.Errorf("restarts %q, resumes %q, want none and still one", got, res)
		}
	})
}

// A stopped engine's samples never count towards a lost connection, nor
// does one failed sample between good ones, nor a reader's silent indexer.
func TestObserveNeedsConsecutiveFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, rec := runScripted(t)
		fail := health.Sample{State: engine.StateRunning, Checks: []engine.Check{{Name: "storage", Status: engine.CheckFail}, {Name: "embedder", Status: engine.CheckPass}}}
		pass := health.Sample{State: engine.StateRunning, Checks: []engine.Check{{Name: "storage", Status: engine.CheckPass}, {Name: "embedder", Status: engine.CheckPass}}}
		stopped := health.Sample{State: engine.StateStopped, Checks: []engine.Check{{Name: "engine", Status: engine.CheckFail}}}
		// A reader whose indexer is silent: restarting the reader would not mend it.
		silent := health.Sample{State: engine.StateRunning, Checks: []engine.Check{{Name: "engine", Status: engine.CheckPass}, {Name: engine.CheckIndexer, Status: engine.CheckFail}}}
		for _, s := range []health.Sample{fail, pass, fail, stopped, fail, pass, silent, silent, silent} {
			rec.Observe(s)
		}
		if rec.Recovering() {
			t.Fatal("non-consecutive failures started recovery")
		}
		rec.Observe(fail)
		rec.Observe(fail)
		if !rec.Recovering() {
			t.Fatal("two consecutive failures did not start recovery")
		}
	})
}
