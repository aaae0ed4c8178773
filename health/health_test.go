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
		{"reader, indexer answers", engine.StateRunning, []engine.Check{pass("engine"), pass(engine.CheckIndexer)}, Healthy},
		{"reader, indexer silent", engine.StateRunning, []engine.Check{pass("engine"), fail(engine.CheckIndexer)}, Unhealthy},
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
	if got, want := string(b), `{"overall_status":"UNHEALTHY","checks":[],"alerts":[],"history":[]}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}

func TestOverall(t *testing.T) {
	all := []engine.Check{pass("engine"), pass("storage"), pass("embedder"), pass("pipeline")}
	slow := append([]engine.Check(nil), all...)
	slow[2].LatencyMS = 6000
	alert := []Alert{{Metric: MetricMemory, Value: 1200, Threshold: 1000}}
	tests := []struct {
		name       string
		state      engine.State
		checks     []engine.Check
		alerts     []Alert
		recovering bool
		want       string
	}{
		{"all pass", engine.StateRunning, all, nil, false, Healthy},
		{"slow check", engine.StateRunning, slow, nil, false, Degraded},
		{"alert", engine.StateRunning, all, alert, false, Degraded},
		{"recovering", engine.StateRunning, all, nil, true, Degraded},
		{"recovering, stopped", engine.StateError, nil, nil, true, Unhealthy},
		{"storage fails, alert too", engine.StateRunning, []engine.Check{pass("engine"), fail("storage")}, alert, false, Unhealthy},
	}
	for _, tt := range tests {
		if got := Overall(tt.state, tt.checks, tt.alerts, tt.recovering, 5000); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}
