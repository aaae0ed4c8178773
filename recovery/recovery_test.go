package recovery_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/health"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/recovery"
)

const interval = 30 * time.Second // the default health.interval

// loseStorage fails storage after the monitor's first sample and lets two
// more samples see it fail, which starts recovery: the first at the next
// interval, the second health.MinKickInterval later (a failing dependency
// is sampled that often). It returns when the loop is waiting for its
// first attempt.
func loseStorage(t *testing.T, r *rig) {
	t.Helper()
	synctest.Wait() // the first sample, healthy
	r.store.Fail()
	time.Sleep(interval) // first failed sample
	synctest.Wait()
	if st := r.rec.Snapshot(); st.State != recovery.StateIdle {
		t.Fatalf("after one failed check recovery is %s, want idle (it needs %d)", st.State, r.cfg.Recovery.FailedChecks)
	}
	time.Sleep(health.MinKickInterval) // second: connection lost
	synctest.Wait()
	if st := r.rec.Snapshot(); st.State != recovery.StateWaiting || st.Attempts != 1 {
		t.Fatalf("after two failed checks recovery = %+v, want waiting for attempt 1", st)
	}
}

// failStart stops the engine and starts it again with storage down, as a
// launch with the dependency unreachable does: the start fails with
// engine.ErrUnreachable and recovery is asked to retry it, as main's
// autostart asks. It returns when RetryStart was called.
func failStart(t *testing.T, r *rig) {
	t.Helper()
	synctest.Wait()
	if _, err := r.eng.Stop(context.Background(), engine.StopOptions{Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	r.store.Fail()
	err := r.eng.Start(context.Background())
	if !errors.Is(err, engine.ErrUnreachable) {
		t.Fatalf("start with storage down = %v, want ErrUnreachable", err)
	}
	r.rec.RetryStart("autostart failed: " + err.Error())
	synctest.Wait()
	if st := r.rec.Snapshot(); st.State != recovery.StateWaiting || st.Attempts != 1 || len(st.Down) != 1 || st.Down[0] != "engine" {
		t.Fatalf("after RetryStart recovery = %+v, want waiting for attempt 1 with the engine down", st)
	}
}

// Storage fails two health checks, then comes back before the first
// attempt: the attempt finds it healthy and does not restart the engine.
func TestStorageBackBeforeFirstAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, nil)
		loseStorage(t, r)

		st := r.rec.Snapshot()
		lo, hi := jittered(time.Second, r.cfg.Recovery.MaxDelay.D())
		within(t, "next_attempt_in", time.Duration(st.NextAttemptInMS)*time.Millisecond, lo-time.Millisecond, hi)
		if len(st.Down) != 1 || st.Down[0] != "storage" || !strings.Contains(st.LastError, "injected") {
			t.Errorf("snapshot %+v, want storage down with the injected error", st)
		}
		if rep := r.mon.Report(context.Background(), 1, r.rec.Recovering()); rep.OverallStatus != "UNHEALTHY" {
			t.Errorf("overall %s while storage is down, want UNHEALTHY", rep.OverallStatus)
		}
		if _, _, obj := r.call("engine_health", ""); obj["overall_status"] != "UNHEALTHY" {
			t.Errorf("engine_health overall_status %v, want UNHEALTHY", obj["overall_status"])
		}

		r.store.Up()
		if _, _, obj := r.call("engine_health", ""); obj["overall_status"] != "DEGRADED" {
			t.Errorf("engine_health while recovery is under way = %v, want DEGRADED", obj["overall_status"])
		}
		time.Sleep(hi)
		synctest.Wait()
		if st := r.rec.Snapshot(); st.State != recovery.StateIdle || st.Attempts != 0 {
			t.Errorf("after the attempt recovery = %+v, want idle with the count reset", st)
		}
		if starts := r.recoveryStarts(); len(starts) != 0 {
			t.Errorf("recovery restarted the engine %d times, want none: %v", len(starts), starts)
		}
		if r.notesMatching("came back by itself") != 1 {
			t.Errorf("no notification of the recovery:\n%s", r.notesString())
		}
		if r.eng.State() != engine.StateRunning {
			t.Errorf("state %s, want running", r.eng.State())
		}
		if _, _, obj := r.call("engine_health", ""); obj["overall_status"] != "HEALTHY" {
			t.Errorf("engine_health after recovery = %v, want HEALTHY", obj["overall_status"])
		}
	})
}

// A start that fails because storage does not answer (as at launch) is
// retried by recovery: each attempt starts the engine, at delays of 1s,
// 2s, 4s, then capped at max_delay (4s), each with up to 10% jitter; when
// storage is back the next attempt's start succeeds and the count resets.
func TestStartOnUnreachableStorageRetriedWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, func(c *config.Config) {
			c.Recovery.MaxDelay = config.Duration(4 * time.Second)
			c.Recovery.MaxAttempts = 6
		})
		failStart(t, r)
		lost := time.Now()

		// Attempts 1 to 4 fail: wait for each restart's failure.
		for n := 1; len(r.recoveryStarts()) < 4; n++ {
			time.Sleep(100 * time.Millisecond)
			synctest.Wait()
			if n > 200 {
				t.Fatalf("only %d attempts in 20s", len(r.recoveryStarts()))
			}
		}
		if st := r.eng.State(); st != engine.StateError {
			t.Fatalf("state %s after failed restarts, want error", st)
		}
		st := r.rec.Snapshot()
		if st.State != recovery.StateWaiting || st.Attempts != 5 || st.MaxAttempts != 6 || !strings.Contains(st.LastError, "injected") {
			t.Errorf("snapshot %+v, want waiting for attempt 5/6 with the last error", st)
		}
		_, _, obj := r.call("engine_status", "")
		if rec, _ := obj["recovery"].(map[string]any); rec["state"] != "waiting" || rec["attempts"] != 5.0 || rec["degraded"] != false {
			t.Errorf("engine_status.recovery = %v", obj["recovery"])
		}

		r.store.Up()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		starts := r.recoveryStarts()
		if len(starts) != 5 {
			t.Fatalf("%d restarts, want 5", len(starts))
		}
		prev := lost
		for i, want := range []time.Duration{1, 2, 4, 4, 4} {
			lo, hi := jittered(want*time.Second, r.cfg.Recovery.MaxDelay.D())
			within(t, "delay before attempt "+string(rune('1'+i)), starts[i].At.Sub(prev), lo, hi)
			prev = starts[i].At
			if !strings.HasPrefix(starts[i].Reason, "recovery attempt "+string(rune('1'+i))+"/6") {
				t.Errorf("start %d reason %q", i+1, starts[i].Reason)
			}
		}
		if s := r.eng.State(); s != engine.StateRunning {
			t.Fatalf("state %s after storage came back, want running", s)
		}
		if st := r.rec.Snapshot(); st.State != recovery.StateIdle || st.Attempts != 0 || st.Degraded {
			t.Errorf("snapshot %+v, want idle, count reset", st)
		}
		if r.notesMatching("recovered at attempt 5/6: the engine was restarted") != 1 {
			t.Errorf("recovery not notified:\n%s", r.notesString())
		}

		// A later loss starts a fresh loop from attempt 1.
		r.store.Fail()
		for r.rec.Snapshot().State == recovery.StateIdle {
			time.Sleep(500 * time.Millisecond)
			synctest.Wait()
		}
		if st := r.rec.Snapshot(); st.State != recovery.StateWaiting || st.Attempts != 1 {
			t.Errorf("second loss: %+v, want waiting for attempt 1", st)
		}
		r.store.Up()
	})
}

// Storage stops answering while the engine runs: recovery re-probes it
// with its backoff and never restarts the engine, which stays running
// (reads fail with the store's error); when storage answers again the
// loop ends without a restart.
func TestStorageDownWhileRunningNoRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, func(c *config.Config) { c.Recovery.MaxDelay = config.Duration(4 * time.Second) })
		loseStorage(t, r)
		time.Sleep(8 * time.Second) // attempts 1, 2 and 3 probe
		synctest.Wait()
		st := r.rec.Snapshot()
		if st.Attempts < 3 || st.State != recovery.StateWaiting || !strings.Contains(st.LastError, "injected") {
			t.Errorf("snapshot %+v, want waiting after 3 probes with the storage error", st)
		}
		if s := r.eng.State(); s != engine.StateRunning {
			t.Errorf("state %s while storage is down, want running", s)
		}
		if text, isErr, _ := r.call("list_collections", ""); !isErr || !strings.Contains(text, "injected") {
			t.Errorf("list_collections with storage down = %s, want the store's error", text)
		}
		r.store.Up()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		r.wantIdleWithoutRestart(t, "after storage came back")
		if st := r.rec.Snapshot(); st.Attempts != 0 {
			t.Errorf("snapshot %+v after storage came back, want no attempt counted", st)
		}
	})
}

// Losses reported at once, from many goroutines, start one loop.
func TestOneLoopAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, nil)
		synctest.Wait()
		var started atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			what := []string{"storage", "embedder", "engine"}[i%3]
			wg.Go(func() {
				if r.rec.Trigger(what, "lost at once") {
					started.Add(1)
				}
			})
		}
		wg.Wait()
		if n := started.Load(); n != 1 {
			t.Fatalf("%d triggers started a loop, want 1", n)
		}
		st := r.rec.Snapshot()
		if len(st.Down) != 3 {
			t.Errorf("down %v, want the three components folded into the one loop", st.Down)
		}
		if r.rec.Trigger("storage", "again") {
			t.Error("a trigger while the loop waits started another")
		}
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if st := r.rec.Snapshot(); st.State != recovery.StateIdle {
			t.Errorf("state %s, want idle", st.State)
		}
		if n := r.notesMatching("starting recovery"); n != 1 {
			t.Errorf("%d loops started, want 1:\n%s", n, r.notesString())
		}
		if n := r.notesMatching("connection recovered"); n != 1 {
			t.Errorf("%d recoveries, want 1:\n%s", n, r.notesString())
		}
	})
}

// When every attempt fails, recovery gives up: engine_status says
// degraded, workspace tools refuse naming what is down, and engine_start
// clears it once the cause is fixed.
func TestExhaustionDegradedUntilEngineStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, func(c *config.Config) { c.Recovery.MaxAttempts = 3 })
		loseStorage(t, r)
		time.Sleep(10 * time.Second) // 1s + 2s + 4s, with jitter
		synctest.Wait()

		// Every attempt finds the engine running with storage failing:
		// it probes, and never restarts the engine.
		st := r.rec.Snapshot()
		if st.State != recovery.StateDegraded || !st.Degraded || st.Attempts != 3 || len(r.recoveryStarts()) != 0 {
			t.Errorf("snapshot %+v after %d restarts, want degraded after 3 attempts and no restart", st, len(r.recoveryStarts()))
		}
		if r.notesMatching("recovery gave up after 3 attempts") != 1 {
			t.Errorf("exhaustion not notified:\n%s", r.notesString())
		}
		_, _, obj := r.call("engine_status", "")
		if rec := obj["recovery"].(map[string]any); rec["state"] != "degraded" || rec["degraded"] != true {
			t.Errorf("engine_status.recovery = %v, want degraded", rec)
		}
		for _, c := range []struct{ tool, args string }{
			{"search", `{"query": "x"}`}, {"add_document", `{"content": "x"}`}, {"list_collections", ""},
			{"get_document", `{"id": "note:1"}`}, {"delete_document", `{"id": "note:1"}`},
		} {
			text, isErr, _ := r.call(c.tool, c.args)
			if !isErr {
				t.Errorf("%s in degraded mode succeeded: %s", c.tool, text)
			}
			for _, want := range []string{c.tool + ": engine degraded: storage is down", "injected", "gave up after 3 attempts", "engine_start"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s error %q does not contain %q", c.tool, text, want)
				}
			}
		}
		// Degraded mode does not restart by itself.
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if n := len(r.recoveryStarts()); n != 0 {
			t.Errorf("%d restarts after giving up, want none", n)
		}

		r.store.Up()
		text, isErr, obj := r.call("engine_start", "")
		if isErr || obj["state"] != "running" {
			t.Fatalf("engine_start = %s", text)
		}
		if rec := obj["recovery"].(map[string]any); rec["state"] != "idle" || rec["degraded"] != false {
			t.Errorf("engine_start's recovery = %v, want idle", rec)
		}
		if text, isErr, _ := r.call("add_document", `{"content": "back in business"}`); isErr {
			t.Errorf("add_document after engine_start: %s", text)
		}
	})
}

// A deliberate engine_stop while recovery waits for its next attempt
// cancels it: nothing restarts the engine afterwards.
func TestEngineStopCancelsWaitingRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, nil)
		loseStorage(t, r)
		text, isErr, _ := r.call("engine_stop", "")
		if isErr {
			t.Fatalf("engine_stop: %s", text)
		}
		stopped := r.mark()
		if st := r.rec.Snapshot(); st.State != recovery.StateIdle {
			t.Errorf("recovery %s after engine_stop, want idle", st.State)
		}
		r.wantStaysStopped(t, stopped)
		if r.notesMatching("recovery cancelled by engine_stop") != 1 {
			t.Errorf("cancellation not notified:\n%s", r.notesString())
		}
	})
}

// engine_stop while an attempt's restart is under way (storage hangs, so
// the start waits for engine.startup_timeout) cancels that start at once
// and leaves the engine stopped.
func TestEngineStopCancelsRestartUnderWay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, func(c *config.Config) { c.Engine.StartupTimeout = config.Duration(time.Minute) })
		failStart(t, r)
		r.store.Hang()
		// Attempt 1, at about 1s: its start hangs on storage.
		time.Sleep(20 * time.Second)
		synctest.Wait()
		if st := r.rec.Snapshot(); st.State != recovery.StateRestarting {
			t.Fatalf("recovery %+v, want restarting", st)
		}
		if s := r.eng.State(); s != engine.StateStarting {
			t.Fatalf("state %s, want starting (hung on storage)", s)
		}
		begin := time.Now()
		text, isErr, obj := r.call("engine_stop", "")
		if isErr || obj["state"] != "stopped" {
			t.Fatalf("engine_stop = %s", text)
		}
		if _, _, st := r.call("engine_status", ""); st["state"] != "stopped" || st["last_error"] != "" {
			t.Errorf("after engine_stop during a recovery start: state %v, last_error %q; want stopped with no error", st["state"], st["last_error"])
		}
		if took := time.Since(begin); took > r.cfg.Engine.ForceShutdownTimeout.D() {
			t.Errorf("engine_stop took %s while a restart hung", took)
		}
		stopped := r.mark()
		r.wantStaysStopped(t, stopped)
	})
}

// A dependency that hangs instead of failing: the health check times out
// (at twice response_time_ms), raising a response-time alert; recovery's
// restart times out at engine.startup_timeout; once storage answers again
// the engine is restarted and the alert clears after two good samples.
func TestHangingStorage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, func(c *config.Config) { c.Engine.StartupTimeout = config.Duration(15 * time.Second) })
		synctest.Wait()
		r.store.Hang()
		time.Sleep(interval + r.cfg.Health.Thresholds.CheckTimeout() + time.Second)
		synctest.Wait()
		h := r.mon.History(1)[0]
		for _, s := range r.mon.History(10) { // the first sample that saw it
			if c, _ := s.Check("storage"); c.Status == engine.CheckFail {
				h = s
				break
			}
		}
		c, _ := h.Check("storage")
		if c.Status != engine.CheckFail || !strings.Contains(c.Message, "timed out after 10s") {
			t.Errorf("storage check %+v, want a timeout after 10s", c)
		}
		if c, _ := h.Check("embedder"); c.Status != engine.CheckPass {
			t.Errorf("embedder check %+v: a hung storage must not fail it", c)
		}
		alerts := r.mon.Alerts()
		if len(alerts) != 1 || alerts[0].Metric != "response_time_ms" || alerts[0].Component != "storage" ||
			alerts[0].Threshold != 5000 || alerts[0].Value < 9500 || !alerts[0].Since.Equal(h.At) {
			t.Errorf("alerts %+v, want storage response time over 5000ms since the sample", alerts)
		}
		if r.notesMatching("health alert: storage response_time_ms") != 1 {
			t.Errorf("alert not notified:\n%s", r.notesString())
		}

		// The second hung check loses the connection; each attempt
		// probes (its check times out) and restarts nothing.
		time.Sleep(interval + 30*time.Second)
		synctest.Wait()
		st := r.rec.Snapshot()
		if !strings.Contains(st.LastError, "deadline exceeded") || len(r.recoveryStarts()) != 0 {
			t.Errorf("snapshot %+v after %d restarts, want the probe's timeout as last error and no restart", st, len(r.recoveryStarts()))
		}
		r.store.Up()
		time.Sleep(time.Minute)
		synctest.Wait()
		if s := r.eng.State(); s != engine.StateRunning {
			t.Fatalf("state %s after storage answered again, want running", s)
		}
		if st := r.rec.Snapshot(); st.State != recovery.StateIdle {
			t.Errorf("recovery %+v, want idle", st)
		}
		time.Sleep(3 * interval) // two good samples clear the alert
		synctest.Wait()
		if a := r.mon.Alerts(); len(a) != 0 {
			t.Errorf("alerts %+v after storage answered again, want none", a)
		}
		if r.notesMatching("health alert cleared: storage response_time_ms") != 1 {
			t.Errorf("clearing not notified:\n%s", r.notesString())
		}
		if _, _, obj := r.call("engine_health", ""); obj["overall_status"] != "HEALTHY" {
			t.Errorf("engine_health = %v, want HEALTHY", obj["overall_status"])
		}
	})
}

// An embedder that fails, then recovers: the engine keeps running and
// serving what needs no embedder (a hybrid search answers from its
// keyword leg and says so), recovery probes without restarting, and the
// loop ends when the embedder answers again.
func TestEmbedderDownThenBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, nil)
		synctest.Wait()
		if text, isErr, _ := r.call("add_document", `{"content": "the zanzibarquux note"}`); isErr {
			t.Fatalf("add_document: %s", text)
		}
		r.emb.Fail()
		time.Sleep(interval + health.MinKickInterval)
		synctest.Wait()
		st := r.rec.Snapshot()
		if st.State != recovery.StateWaiting || len(st.Down) != 1 || st.Down[0] != "embedder" {
			t.Fatalf("snapshot %+v, want waiting with the embedder down", st)
		}
		_, _, obj := r.call("engine_health", "")
		if obj["overall_status"] != "DEGRADED" || !strings.Contains(fmt.Sprint(obj["checks"]), "name:embedder status:fail") {
			t.Errorf("engine_health with a failing embedder = %v, want DEGRADED naming the embedder", obj)
		}
		text, isErr, obj := r.call("search", `{"query": "zanzibarquux"}`)
		deg, _ := obj["degraded"].(map[string]any)
		if isErr || !strings.Contains(text, "zanzibarquux") || !strings.Contains(fmt.Sprint(deg["semantic"]), "embedder unreachable") {
			t.Errorf("hybrid search with the embedder down = %s, want keyword results and degraded.semantic", text)
		}
		if text, isErr, _ := r.call("search", `{"query": "zanzibarquux", "mode": "semantic"}`); !isErr || !strings.Contains(text, "needs the embedder") {
			t.Errorf("semantic search with the embedder down = %s, want an error naming the embedder", text)
		}
		if text, isErr, _ := r.call("add_document", `{"content": "x"}`); !isErr || !strings.Contains(text, "not stored") {
			t.Errorf("add_document with the embedder down = %s, want a refusal", text)
		}
		if text, isErr, _ := r.call("list_collections", ""); isErr {
			t.Errorf("list_collections with the embedder down: %s", text)
		}
		time.Sleep(4 * time.Second) // attempts 1 and 2 probe
		synctest.Wait()
		if s := r.eng.State(); s != engine.StateRunning {
			t.Fatalf("state %s, want running", s)
		}
		r.emb.Up()
		time.Sleep(5 * time.Second) // attempt 3 finds it back
		synctest.Wait()
		if st := r.rec.Snapshot(); st.State != recovery.StateIdle || st.Attempts != 0 {
			t.Errorf("snapshot %+v, want idle", st)
		}
		if n := len(r.recoveryStarts()); n != 0 {
			t.Errorf("%d restarts, want none", n)
		}
		if _, _, obj := r.call("search", `{"query": "zanzibarquux"}`); obj["degraded"] != nil {
			t.Errorf("search after the embedder came back still degraded: %v", obj)
		}
	})
}

// Degraded mode with the embedder down refuses only what needs it, naming
// it; when the embedder answers again, degraded mode's probe ends it.
func TestEmbedderDegradedRefusesOnlyWhatNeedsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, func(c *config.Config) { c.Recovery.MaxAttempts = 2 })
		synctest.Wait()
		r.emb.Fail()
		time.Sleep(interval + health.MinKickInterval + 5*time.Second) // 1s + 2s, then degraded
		synctest.Wait()
		if st := r.rec.Snapshot(); st.State != recovery.StateDegraded || st.Down[0] != "embedder" {
			t.Fatalf("snapshot %+v, want degraded with the embedder down", st)
		}
		for _, c := range []struct {
			tool, args string
			refused    bool
		}{
			{"search", `{"query": "x", "mode": "semantic"}`, true}, {"add_document", `{"content": "x"}`, true},
			{"search", `{"query": "x"}`, false}, {"search", `{"query": "x", "mode": "keyword"}`, false},
			{"list_collections", "", false}, {"delete_document", `{"id": "note:1"}`, false},
		} {
			text, isErr, _ := r.call(c.tool, c.args)
			if c.refused && (!isErr || !strings.Contains(text, "engine degraded: embedder is down") || !strings.Contains(text, "engine_start")) {
				t.Errorf("%s %s in degraded mode = %s, want refused naming the embedder", c.tool, c.args, text)
			}
			if !c.refused && strings.Contains(text, "engine degraded") {
				t.Errorf("%s %s in degraded mode refused: %s", c.tool, c.args, text)
			}
		}
		r.emb.Up()
		time.Sleep(r.cfg.Recovery.MaxDelay.D() + time.Second)
		synctest.Wait()
		r.wantIdleWithoutRestart(t, "after the embedder came back")
	})
}

// Shutdown while recovery waits or restarts never restarts the engine.
func TestShutdownDuringRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, nil)
		r.run()
		failStart(t, r)
		r.store.Hang()
		time.Sleep(12 * time.Second) // attempt 1: its start hangs
		synctest.Wait()
		if s := r.eng.State(); s != engine.StateStarting {
			t.Fatalf("state %s, want starting", s)
		}
		r.store.Up()
		r.cancel() // shutdown: recovery ends first, its start cancelled
		r.wg.Wait()
		if s := r.eng.State(); s == engine.StateRunning || s == engine.StateStarting {
			t.Errorf("state %s after recovery ended, want no start left", s)
		}
		at := r.mark()
		time.Sleep(time.Minute)
		synctest.Wait()
		if tr := r.transitionsAfter(at); len(tr) != 0 {
			t.Errorf("transitions after shutdown: %v", tr)
		}
		r.cancel = nil
		r.close()
	})
}

// recovery.enabled: false only reports.
func TestDisabled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, func(c *config.Config) { c.Recovery.Enabled = false })
		synctest.Wait()
		r.store.Fail()
		time.Sleep(5 * interval)
		synctest.Wait()
		if st := r.rec.Snapshot(); st.State != recovery.StateDisabled || st.Attempts != 0 {
			t.Errorf("snapshot %+v, want disabled", st)
		}
		if r.rec.Trigger("storage", "x") || len(r.recoveryStarts()) != 0 {
			t.Error("disabled recovery acted")
		}
		r.store.Up()
	})
}
