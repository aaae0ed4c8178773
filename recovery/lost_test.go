package recovery_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/health"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/recovery"
)

// loseConnection makes the store's connection lost for good after the
// monitor's first sample and lets two samples see it, which starts
// recovery; fail also makes the store unreachable (a new connection is
// refused too). It returns when the loop waits for attempt 1.
func loseConnection(t *testing.T, r *rig, fail bool) {
	t.Helper()
	synctest.Wait()
	if fail {
		r.store.Fail()
	}
	r.store.Lose()
	time.Sleep(interval)
	synctest.Wait()
	time.Sleep(health.MinKickInterval)
	synctest.Wait()
	if st := r.rec.Snapshot(); st.State != recovery.StateWaiting || st.Attempts != 1 {
		t.Fatalf("after two failed checks recovery = %+v, want waiting for attempt 1", st)
	}
	_, _, obj := r.call("engine_health", "")
	if !strings.Contains(marshal(t, obj["checks"]), `"name":"storage","reconnect":true,"status":"fail"`) {
		t.Errorf("engine_health checks = %v, want storage failing with reconnect", obj["checks"])
	}
}

// A store connection lost for good, unlike a store that does not answer,
// is mended by a restart, which opens it again: the first attempt
// restarts the engine once, and the store works again.
func TestLostStoreConnectionRestartsEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, nil)
		loseConnection(t, r, false)
		if text, isErr, _ := r.call("list_collections", ""); !isErr || !strings.Contains(text, "connection lost") {
			t.Errorf("list_collections on a lost connection = %s, want the lost connection", text)
		}
		time.Sleep(2 * time.Second) // attempt 1, after about 1s
		synctest.Wait()
		starts := r.recoveryStarts()
		if len(starts) != 1 || !strings.HasPrefix(starts[0].Reason, "recovery attempt 1/5: storage: ") ||
			!strings.Contains(starts[0].Reason, "connection lost") {
			t.Fatalf("recovery starts %v, want one, at attempt 1, for the lost connection", starts)
		}
		if s := r.eng.State(); s != engine.StateRunning {
			t.Errorf("state %s, want running", s)
		}
		if st := r.rec.Snapshot(); st.State != recovery.StateIdle || st.Attempts != 0 {
			t.Errorf("snapshot %+v, want idle", st)
		}
		if text, isErr, _ := r.call("list_collections", ""); isErr {
			t.Errorf("list_collections after the restart: %s", text)
		}
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if n := len(r.recoveryStarts()); n != 1 {
			t.Errorf("%d restarts after recovery, want 1", n)
		}
	})
}

// A connection lost while the store does not answer either: each attempt
// restarts the engine once (the restart fails on the unreachable store,
// with the backoff between attempts, never a loop), and the first attempt
// after the store answers again brings the engine back.
func TestLostStoreConnectionWhileQdrantDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := runningRig(t, func(c *config.Config) { c.Recovery.MaxDelay = config.Duration(4 * time.Second) })
		loseConnection(t, r, true)
		time.Sleep(1100*time.Millisecond + 2200*time.Millisecond + 4400*time.Millisecond) // attempts 1 to 3
		synctest.Wait()
		if n := len(r.recoveryStarts()); n != 3 {
			t.Fatalf("%d restarts after 3 attempts, want 3", n)
		}
		if s := r.eng.State(); s != engine.StateError {
			t.Errorf("state %s while the store is down, want error", s)
		}
		if st := r.rec.Snapshot(); st.State != recovery.StateWaiting || !strings.Contains(st.LastError, "injected") {
			t.Errorf("snapshot %+v, want waiting with the store's error", st)
		}
		r.store.Up()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if n := len(r.recoveryStarts()); n != 4 {
			t.Errorf("%d restarts, want 4: the first attempt after the store came back succeeds", n)
		}
		if s := r.eng.State(); s != engine.StateRunning {
			t.Errorf("state %s after the store came back, want running", s)
		}
		if st := r.rec.Snapshot(); st.State != recovery.StateIdle {
			t.Errorf("snapshot %+v, want idle", st)
		}
	})
}

// marshal is v as JSON.
func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
