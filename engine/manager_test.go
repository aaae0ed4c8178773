package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness builds a Manager over fakes. Fields may be changed before start.
type harness struct {
	t       *testing.T
	cfg     config.Config
	events  eventLog
	store   *memStore
	emb     fakeEmbedder
	idx     *fakeIndexer
	openErr error
	logs    *syncBuffer
	m       *Manager
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer = enginetest.Buffer

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, cfg: enginetest.Config(t, []string{t.TempDir()}), logs: &syncBuffer{}}
	h.store = newMemStore(&h.events)
	h.idx = &fakeIndexer{events: &h.events}
	return h
}

// started is h's Manager, started.
func (h *harness) started() *Manager {
	h.t.Helper()
	m := h.manager()
	if err := m.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	return m
}

func (h *harness) manager() *Manager {
	h.m = New(h.cfg, Options{
		Logger: zerolog.New(h.logs),
		Solo:   true, // synctest bubbles: no socket
		OpenStore: func(context.Context, config.Config) (storage.Store, error) {
			if h.openErr != nil {
				return nil, h.openErr
			}
			h.events.add("open storage")
			h.store.mu.Lock()
			h.store.closed = false // reopening the same data
			h.store.mu.Unlock()
			return h.store, nil
		},
		NewEmbedder: func(context.Context, config.Config) (embed.Embedder, error) { return h.emb, nil },
		NewIndexer:  func(ingest.Deps) (Indexer, error) { return h.idx, nil },
	})
	return h.m
}

func TestStartStop(t *testing.T) {
	h := newHarness(t)
	m := h.manager()
	var seen []Transition
	unsub := m.Subscribe(func(tr Transition) { seen = append(seen, tr) })
	defer unsub()
	if st := m.Status(context.Background()); st.Phases == nil || len(st.Phases) != 0 {
		t.Errorf("phases before any start = %#v, want empty, not null", st.Phases)
	}

	if err := m.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if m.State() != StateRunning {
		t.Fatalf("state %s, want running", m.State())
	}
	if err := m.Start(context.Background()); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Start = %v, want ErrAlreadyRunning", err)
	}
	st := m.Status(context.Background())
	if len(st.Phases) != 3 || !st.Phases[0].OK || !st.Phases[2].OK {
		t.Fatalf("phases %+v, want three successful phases", st.Phases)
	}
	if _, err := m.AddDocument(context.Background(), AddDocumentRequest{Content: "remember the milk"}); err != nil {
		t.Fatalf("AddDocument: %v", err)
	}
	res, err := m.Stop(context.Background(), StopOptions{})
	if err != nil || res.State != StateStopped {
		t.Fatalf("Stop = %+v, %v", res, err)
	}
	if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
		t.Fatalf("Stop of a stopped engine: %v", err)
	}
	want := []string{"open storage", "start watcher", "stop watcher", "close storage"}
	if h.events.String() != strings.Join(want, ",") {
		t.Errorf("component events %v, want %v", h.events.String(), want)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatalf("Start again: %v", err)
	}
	if _, err := m.Stop(context.Background(), StopOptions{Origin: OriginShutdown, Reason: "SIGTERM"}); err != nil {
		t.Fatalf("Stop at shutdown: %v", err)
	}
	var path []string
	for _, tr := range seen {
		path = append(path, string(tr.From)+">"+string(tr.To)+":"+string(tr.Origin))
	}
	if got := strings.Join(path, " "); got != "stopped>starting:user starting>running:user running>stopping:user stopping>stopped:user "+
		"stopped>starting:user starting>running:user running>stopping:shutdown stopping>stopped:shutdown" {
		t.Errorf("transitions %s", got)
	}
	if _, err := m.Search(context.Background(), SearchRequest{Query: "milk", Limit: 5}); !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "engine_start") {
		t.Errorf("Search while stopped = %v, want ErrNotRunning naming engine_start", err)
	}
}

// Each startup phase can fail; the state becomes error with the reason,
// and what was started is stopped in reverse order.
func TestStartupFailures(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(h *harness)
		phase     string
		wantEvent []string
	}{
		{"storage open", func(h *harness) { h.openErr = errInjected }, "initialize", nil},
		{"storage ping", func(h *harness) { h.store.pingErr = errInjected }, "initialize", []string{"open storage", "close storage"}},
		{"embedding test", func(h *harness) { h.emb.err = errInjected }, "initialize", []string{"open storage", "close storage"}},
		{"watcher", func(h *harness) { h.idx.startErr = errInjected }, "services", []string{"open storage", "start watcher", "stop watcher", "close storage"}},
		{"probe", func(h *harness) { h.store.blind = true }, "verify", []string{"open storage", "start watcher", "stop watcher", "close storage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.setup(h)
			m := h.manager()
			err := m.Start(context.Background())
			if err == nil {
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), "phase "+tt.phase) {
				t.Errorf("error %q does not name phase %s", err, tt.phase)
			}
			st := m.Status(context.Background())
			if st.State != StateError || st.LastError == "" {
				t.Errorf("state %s last_error %q, want error with reason", st.State, st.LastError)
			}
			// Nothing measured is shown as if it were: no startup time for a
			// start that failed, and the configured embedder until one ran.
			if st.StartupSeconds != 0 {
				t.Errorf("startup_seconds %v after a failed start, want 0", st.StartupSeconds)
			}
			if e := st.Embedding.Info; e.Provider != h.cfg.Embedding.Provider || e.Dimensions != h.cfg.Embedding.Dimensions || st.Embedding.Choice != nil {
				t.Errorf("embedding %+v after a failed start, want the configured %s/%d", st.Embedding, h.cfg.Embedding.Provider, h.cfg.Embedding.Dimensions)
			}
			last := st.Phases[len(st.Phases)-1]
			if last.Name != tt.phase || last.OK || last.Error == "" {
				t.Errorf("last phase %+v, want failed %s", last, tt.phase)
			}
			if h.events.String() != strings.Join(tt.wantEvent, ",") {
				t.Errorf("events %v, want %v", h.events.String(), tt.wantEvent)
			}
			// From error, engine_start resets and tries again.
			h.openErr, h.store.pingErr, h.emb.err, h.idx.startErr, h.store.blind = nil, nil, nil, nil, false
			if err := m.Start(context.Background()); err != nil {
				t.Fatalf("Start after fixing: %v", err)
			}
			if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A dependency that hangs, even one that ignores its context, cannot hold
// the start past engine.startup_timeout.
func TestStartupTimeout(t *testing.T) {
	for _, ignoreCtx := range []bool{false, true} {
		name := map[bool]string{false: "honours context", true: "ignores context"}[ignoreCtx]
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.cfg.Engine.StartupTimeout = config.Duration(2 * time.Second)
				h.store.pingHang, h.store.ignore = true, ignoreCtx
				m := h.manager()
				begin := time.Now()
				err := m.Start(context.Background())
				if !errors.Is(err, ErrStartupTimeout) {
					t.Fatalf("Start = %v, want ErrStartupTimeout", err)
				}
				limit := h.cfg.Engine.StartupTimeout.D() + h.cfg.Engine.ForceShutdownTimeout.D()
				if waited := time.Since(begin); waited > limit {
					t.Errorf("Start took %s, want at most %s", waited, limit)
				}
				if m.State() != StateError {
					t.Errorf("state %s, want error", m.State())
				}
				close(h.store.release) // the hung dependency returns at last
				m.Wait()               // and its abandoned start is cleaned up
			})
		})
	}
}

// A graceful stop waits for tasks up to the timeout, logging progress
// every five seconds, then stops anyway and reports what remains.
func TestDrainTimeoutAndProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		m := h.started()
		m.mu.Lock()
		p, notes := m.run.pipeline, m.run.notes
		m.mu.Unlock()
		<-notes       // the start's own task (notes migration) is done
		for range 2 { // with two workers, both run and block
			_ = p.Submit(context.Background(), taskUntilCancelled())
		}
		_ = p.Submit(context.Background(), taskUntilCancelled()) // queued
		synctest.Wait()
		begin := time.Now()
		res, err := m.Stop(context.Background(), StopOptions{Timeout: 12 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(begin); took < 12*time.Second || took > 12*time.Second+h.cfg.Engine.ForceShutdownTimeout.D() {
			t.Errorf("stop took %s, want the 12s drain plus at most the force bound", took)
		}
		if res.RemainingTasks != 3 || res.DrainedTasks != 0 {
			t.Errorf("result %+v, want 3 remaining, 0 drained", res)
		}
		if n := strings.Count(h.logs.String(), "waiting for tasks to complete"); n != 2 {
			t.Errorf("progress logged %d times in 12s, want 2 (every 5s)", n)
		}
		if !strings.Contains(h.logs.String(), "shutdown timeout reached") {
			t.Error("timeout not logged")
		}
	})
}

func taskUntilCancelled() pipeline.Task {
	return pipeline.Task{Name: "slow", Run: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
}

// Tasks that finish within the timeout are drained, and writes are refused
// while the drain runs.
func TestDrainCompletesAndRefusesWrites(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		m := h.started()
		synctest.Wait() // the startup probe's task is counted before the drain's first reading
		m.mu.Lock()
		p := m.run.pipeline
		m.mu.Unlock()
		release := make(chan struct{})
		for range 3 {
			_ = p.Submit(context.Background(), pipeline.Task{Name: "wait", Run: func(context.Context) error { <-release; return nil }})
		}
		done := make(chan StopResult)
		go func() {
			res, _ := m.Stop(context.Background(), StopOptions{})
			done <- res
		}()
		synctest.Wait()
		if m.State() != StateStopping {
			t.Fatalf("state %s during drain, want stopping", m.State())
		}
		if _, err := m.AddDocument(context.Background(), AddDocumentRequest{Content: "x"}); !errors.Is(err, ErrStopping) {
			t.Errorf("AddDocument while stopping = %v, want ErrStopping", err)
		}
		if !h.idx.paused {
			t.Error("watcher not paused during drain")
		}
		close(release)
		res := <-done
		if res.DrainedTasks != 3 || res.RemainingTasks != 0 || res.State != StateStopped {
			t.Errorf("result %+v, want 3 drained, 0 remaining, stopped", res)
		}
	})
}

// drainingStop submits a task that runs until cancelled and starts a
// graceful stop of m with timeout, which drains it; it returns once the
// stop waits, with the channel on which the stop's result comes.
func drainingStop(m *Manager, timeout time.Duration) <-chan StopResult {
	_ = m.currentRun().pipeline.Submit(context.Background(), taskUntilCancelled())
	res := make(chan StopResult, 1)
	go func() {
		r, _ := m.Stop(context.Background(), StopOptions{Timeout: timeout})
		res <- r
	}()
	synctest.Wait()
	return res
}

// A second, forced stop escalates a graceful one that is waiting, and
// subscribers see the escalation in its place among the transitions.
func TestForceEscalatesGracefulStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		m := h.started()
		var seen []Transition
		var seenMu sync.Mutex
		unsub := m.Subscribe(func(tr Transition) {
			seenMu.Lock()
			seen = append(seen, tr)
			seenMu.Unlock()
		})
		defer unsub()
		graceful := drainingStop(m, time.Hour)
		begin := time.Now()
		second, err := m.Stop(context.Background(), StopOptions{Force: true})
		if err != nil {
			t.Fatal(err)
		}
		if !second.Forced || second.State != StateStopped || !strings.Contains(second.Message, "the stop under way finished") {
			t.Errorf("the escalating stop's result %+v, want forced and stopped, by the stop under way", second)
		}
		res := <-graceful
		if !res.Forced || time.Since(begin) > h.cfg.Engine.ForceShutdownTimeout.D() {
			t.Errorf("graceful stop result %+v after %s, want forced within the force bound", res, time.Since(begin))
		}
		if m.State() != StateStopped {
			t.Errorf("state %s, want stopped", m.State())
		}
		seenMu.Lock()
		defer seenMu.Unlock()
		var events []Event
		for i, tr := range seen {
			events = append(events, tr.Event)
			if i > 0 && tr.From != seen[i-1].To {
				t.Errorf("transition %d (%s → %s) delivered after one that ended in %s", i, tr.From, tr.To, seen[i-1].To)
			}
		}
		if !slices.Equal(events, []Event{EventStop, EventForceStop, EventStopped}) {
			t.Errorf("subscribers saw %v, want stop, force_stop, stopped", events)
		}
	})
}

// A second graceful stop while one drains waits for it only up to its
// own timeout, and says so; it neither stops again nor hides the first.
func TestSecondStopWaitsWithinItsTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		m := h.started()
		first := drainingStop(m, time.Minute)
		begin := time.Now()
		res, err := m.Stop(context.Background(), StopOptions{Timeout: 3 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "the stop under way has not finished within 3s") || res.State != StateStopping {
			t.Errorf("second stop = %+v, %v; want an error after its 3s, still stopping", res, err)
		}
		if waited := time.Since(begin); waited != 3*time.Second {
			t.Errorf("second stop waited %s, want its timeout, 3s", waited)
		}
		if r := <-first; r.State != StateStopped || r.RemainingTasks != 1 {
			t.Errorf("first stop = %+v, want stopped after its drain timeout with the task remaining", r)
		}
	})
}

// A stop that finds a stop under way, which then starts the engine again
// under the same hold of the lifecycle lock (a takeover), stops the engine
// it finds running: it never reports success over a running engine.
func TestStopAfterATakeoverRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		m := h.manager()
		ctx := context.Background()
		if err := m.Start(ctx); err != nil {
			t.Fatal(err)
		}
		_ = m.currentRun().pipeline.Submit(ctx, taskUntilCancelled())
		done := make(chan struct{})
		go func() { // what takeover does
			defer close(done)
			_ = m.ops.lock(ctx)
			defer m.ops.unlock()
			_, _ = m.stopLocked(ctx, StopOptions{Timeout: time.Second, Reason: "takeover"}, time.Now(), nil)
			_ = m.startLocked(ctx, startPlan{reason: "takeover", origin: OriginTakeover})
		}()
		synctest.Wait()
		if m.State() != StateStopping {
			t.Fatalf("state %s, want stopping (draining)", m.State())
		}
		res, err := m.Stop(ctx, StopOptions{})
		<-done
		if err != nil || res.State != StateStopped || m.State() != StateStopped {
			t.Errorf("Stop = %+v, %v; state %s; want the restarted engine stopped", res, err, m.State())
		}
	})
}

// A second start while one is under way does not start again: it waits
// and reports the first one's outcome, a failure included.
func TestSecondStartWaitsForTheFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.cfg.Engine.StartupTimeout = config.Duration(2 * time.Second)
		h.store.pingHang = true
		m := h.manager()
		first := make(chan error)
		go func() { first <- m.Start(context.Background()) }()
		synctest.Wait()
		err := m.Start(context.Background())
		if !strings.Contains(err.Error(), "the start under way failed") || !strings.Contains(err.Error(), "engine.startup_timeout") {
			t.Errorf("second Start = %v, want the first one's failure", err)
		}
		if err := <-first; !errors.Is(err, ErrStartupTimeout) {
			t.Errorf("first Start = %v, want ErrStartupTimeout", err)
		}
		if n := strings.Count(h.events.String(), "open storage"); n != 1 {
			t.Errorf("storage opened %d times, want once: %s", n, h.events.String())
		}
		close(h.store.release)
		m.Wait()
	})
}

func TestForceStop(t *testing.T) {
	h := newHarness(t)
	m := h.started()
	res, err := m.Stop(context.Background(), StopOptions{Force: true})
	if err != nil || !res.Forced || res.State != StateStopped {
		t.Fatalf("force stop = %+v, %v", res, err)
	}
	if !strings.Contains(h.events.String(), "close storage") || !strings.Contains(h.events.String(), "stop watcher") {
		t.Errorf("components not stopped: %v", h.events.String())
	}
}

// A component that fails to stop, or does not stop in time, leaves the
// engine in error, not stopped: the status says what is still running.
// Stop returns within engine.force_shutdown_timeout (plus a grace) of its
// services' phase, the other components are stopped all the same, and
// engine_start starts again.
func TestStopIncomplete(t *testing.T) {
	for _, tt := range []struct {
		name  string
		force bool
		hang  bool
		want  string
	}{
		{"fails", false, false, "watcher: " + errInjected.Error()},
		{"hangs", false, true, "watcher: did not stop within engine.force_shutdown_timeout"},
		{"hangs in a forced stop", true, true, "watcher: did not stop within engine.force_shutdown_timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.cfg.Engine.ForceShutdownTimeout = config.Duration(2 * time.Second)
				if tt.hang {
					h.idx.stopHang = make(chan struct{})
				} else {
					h.idx.stopErr = errInjected
				}
				m := h.started()
				begin := time.Now()
				res, err := m.Stop(context.Background(), StopOptions{Force: tt.force})
				took := time.Since(begin) // virtual time: exact
				if !errors.Is(err, ErrStopIncomplete) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Stop = %v, want ErrStopIncomplete naming %q", err, tt.want)
				}
				if bound := 2*time.Second + stopGrace; took > bound {
					t.Errorf("Stop took %s, want at most %s", took, bound)
				}
				st := m.Status(context.Background())
				if res.State != StateError || st.State != StateError || !strings.Contains(st.LastError, tt.want) {
					t.Errorf("after the stop: result %s, status %s (%q), want error naming %q", res.State, st.State, st.LastError, tt.want)
				}
				if !strings.Contains(h.events.String(), "close storage") {
					t.Errorf("storage not closed: %s", h.events.String())
				}
				if tt.hang {
					close(h.idx.stopHang) // closed: the next stops return at once
				} else {
					h.idx.stopErr = nil
				}
				m.Wait() // the abandoned stop has returned
				if err := m.Start(context.Background()); err != nil || m.State() != StateRunning {
					t.Fatalf("Start after an incomplete stop = %v, state %s", err, m.State())
				}
				if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

// engine_stop during startup cancels it; the engine ends stopped.
func TestStopDuringStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.store.pingHang = true
		m := h.manager()
		started := make(chan error)
		go func() { started <- m.Start(context.Background()) }()
		synctest.Wait()
		if m.State() != StateStarting {
			t.Fatalf("state %s, want starting", m.State())
		}
		res, err := m.Stop(context.Background(), StopOptions{Origin: OriginShutdown})
		if err != nil || res.State != StateStopped || !strings.Contains(res.Message, "start under way was cancelled") {
			t.Fatalf("Stop during a start = %+v, %v", res, err)
		}
		if err := <-started; !errors.Is(err, ErrStartCancelled) {
			t.Errorf("Start = %v, want ErrStartCancelled", err)
		}
		// A deliberate stop, not a failure: no error state on the way.
		st := m.Status(context.Background())
		last := st.Transitions[len(st.Transitions)-1]
		if st.State != StateStopped || st.LastError != "" || last.From != StateStarting || last.Event != EventCancel || last.Origin != OriginShutdown {
			t.Errorf("after the stop: state %s, last_error %q, last transition %+v; want starting → stopped by the shutdown's cancel", st.State, st.LastError, last)
		}
	})
}

// configLoad is what a harness Manager's LoadConfig gives: cfg, or err when
// it is set.
type configLoad struct {
	cfg config.Config
	err error
}

// reloading is h's Manager whose configuration loads as h's with workers
// workers, until the test changes what the configLoad gives.
func (h *harness) reloading(workers int) (*Manager, *configLoad) {
	rl := &configLoad{cfg: h.cfg}
	rl.cfg.Engine.Workers = workers
	m := h.manager()
	m.opts.LoadConfig = func() (config.Config, error) { return rl.cfg, rl.err }
	return m, rl
}

// Restart re-reads the configuration; a broken one leaves the engine
// stopped with the error reported.
func TestRestartReloadsConfig(t *testing.T) {
	m, reload := newHarness(t).reloading(5)
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := m.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m.Config().Engine.Workers != 5 {
		t.Errorf("workers after restart %d, want 5", m.Config().Engine.Workers)
	}
	reload.err = config.ErrInvalid
	if err := m.Restart(context.Background()); !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "left as it was") {
		t.Errorf("Restart with broken config = %v", err)
	}
	if m.State() != StateRunning || m.Config().Engine.Workers != 5 {
		t.Errorf("after a restart refused for its configuration: state %s, workers %d; want still running as before", m.State(), m.Config().Engine.Workers)
	}
	if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Start of a stopped engine re-reads the configuration too, so that "fix
// the configuration, then call engine_start" holds; a broken one is
// reported with the state it leaves.
func TestStartReloadsConfig(t *testing.T) {
	m, reload := newHarness(t).reloading(3)
	reload.err = config.ErrInvalid
	if err := m.Start(context.Background()); !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "left stopped") {
		t.Errorf("Start with broken config = %v", err)
	}
	reload.err = nil
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m.Config().Engine.Workers != 3 {
		t.Errorf("workers after start %d, want 3", m.Config().Engine.Workers)
	}
	reload.cfg.Engine.Workers = 4
	if err := m.Start(context.Background()); !errors.Is(err, ErrAlreadyRunning) || m.Config().Engine.Workers != 3 {
		t.Errorf("Start of a running engine = %v, workers %d: want ErrAlreadyRunning and no reload", err, m.Config().Engine.Workers)
	}
	if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Two restarts at once are two whole restarts, one after the other:
// neither cancels the other's start or fails because of it, and a reindex
// among them is done.
func TestConcurrentRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		m := h.started()
		var starts, reindexes int
		unsub := m.Subscribe(func(tr Transition) {
			if tr.Event == EventStart {
				starts++
				if tr.Reason == "reindex" {
					reindexes++
				}
			}
		})
		defer unsub()
		errs := make(chan error, 2)
		go func() { errs <- m.Restart(context.Background()) }()
		go func() { errs <- m.Reindex(context.Background()) }()
		for range 2 {
			if err := <-errs; err != nil {
				t.Errorf("a concurrent restart failed: %v", err)
			}
		}
		synctest.Wait()
		if starts != 2 || reindexes != 1 || m.State() != StateRunning {
			t.Errorf("%d starts (%d reindexes), state %s; want 2 (1), running", starts, reindexes, m.State())
		}
		if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}

// Reindex drops the workspace collection before the engine starts again,
// and keeps other collections.
func TestReindexDropsWorkspaceCollection(t *testing.T) {
	h := newHarness(t)
	m := h.started()
	note, err := m.AddDocument(context.Background(), AddDocumentRequest{Content: "keep this note"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Reindex(context.Background()); err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	if !strings.Contains(h.events.String(), "drop "+h.cfg.Workspace.Collection) {
		t.Errorf("events %s: workspace collection not dropped", h.events.String())
	}
	if _, err := m.GetDocument(context.Background(), DocumentRef{ID: note.ID}); err != nil {
		t.Errorf("note lost by reindex: %v", err)
	}
	last := m.Status(context.Background()).Transitions
	if got := last[len(last)-1]; got.To != StateRunning || last[len(last)-2].Reason != "reindex" {
		t.Errorf("transitions end %+v, want a start for reindex", last[len(last)-2:])
	}
	if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Workspace operations run concurrently with a stop without races, and
// each either succeeds or is refused with a sentinel error.
func TestOperationsRaceStop(t *testing.T) {
	h := newHarness(t)
	m := h.started()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				_, err := m.Search(context.Background(), SearchRequest{Query: "x", Limit: 3, Mode: storage.ModeKeyword})
				if err != nil && !errors.Is(err, ErrNotRunning) {
					t.Errorf("Search: %v", err)
				}
			}
		})
	}
	if _, err := m.Stop(context.Background(), StopOptions{}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}
