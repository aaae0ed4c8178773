package health

import (
	"encoding/json"
	"testing"

	"workspace-qdrant-mcp/engine"
)

func pass(name string) engine.Check { return engine.Check{Name: name, Status: engine.CheckPass} }
func fail(name string) engine.Check {
	return engine.Check{Name: name, Status: engine.CheckFail, Message: name + " broken"}
}

func TestEvaluate(t *testing.T) {
	all := []engine.Check{pass("engine"), pass("storage"), pass("embedder"), pass("pipeline"), pass("watcher")}
	tests := []struct {
		name   string
		state  engine.State
		checks []engine.Check
		want   string
	}{
		{"running, all pass", engine.StateRunning, all, Healthy},
		{"running, no watcher (no workspace)", engine.StateRunning, all[:4], Healthy},
		{"running, watcher fails", engine.StateRunning, []engine.Check{pass("engine"), pass("storage"), pass("embedder"), pass("pipeline"), fail("watcher")}, Degraded},
		{"running, embedder fails", engine.StateRunning, []engine.Check{pass("engine"), pass("storage"), fail("embedder"), pass("pipeline")}, Degraded},
		{"running, pipeline and watcher fail", engine.StateRunning, []engine.Check{pass("engine"), pass("storage"), pass("embedder"), fail("pipeline"), fail("watcher")}, Degraded},
		{"running, storage fails", engine.StateRunning, []engine.Check{pass("engine"), fail("storage"), pass("embedder"), pass("pipeline")}, Unhealthy},
		{"running, storage and watcher fail", engine.StateRunning, []engine.Check{pass("engine"), fail("storage"), pass("embedder"), fail("watcher")}, Unhealthy},
		{"running, engine check fails (raced a stop)", engine.StateRunning, []engine.Check{fail("engine"), pass("storage")}, Unhealthy},
		{"running, storage not checked", engine.StateRunning, []engine.Check{pass("engine")}, Unhealthy},
		{"stopped", engine.StateStopped, []engine.Check{fail("engine")}, Unhealthy},
		{"starting", engine.StateStarting, []engine.Check{fail("engine")}, Unhealthy},
		{"stopping, checks still pass", engine.StateStopping, all, Unhealthy},
		{"error", engine.StateError, nil, Unhealthy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate(tt.state, tt.checks)
			if r.OverallStatus != tt.want {
				t.Errorf("OverallStatus = %s, want %s", r.OverallStatus, tt.want)
			}
			if len(r.Checks) != len(tt.checks) {
				t.Errorf("Checks has %d entries, want %d", len(r.Checks), len(tt.checks))
			}
		})
	}
}

func TestReportJSON(t *testing.T) {
	b, err := json.Marshal(Evaluate(engine.StateError, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"overall_status":"UNHEALTHY","checks":[]}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}
