// Package health turns the engine's state and component checks into one
// overall verdict for the engine_health tool.
//
//	report := health.Evaluate(m.State(), m.Checks(ctx))
//	// report.OverallStatus is HEALTHY, DEGRADED or UNHEALTHY
//
// Only the point-in-time evaluation lives here for now. The design's
// continuous health monitor (a periodic sampler with alert thresholds and
// a bounded history, configured by health.interval and
// health.history_size) comes later and will build on Evaluate.
package health

import "workspace-qdrant-mcp/engine"

// Overall statuses, as the design's health check reports them.
const (
	Healthy   = "HEALTHY"   // running and every check passes
	Degraded  = "DEGRADED"  // running, but a non-critical component fails
	Unhealthy = "UNHEALTHY" // not running, or a critical component fails
)

// critical names the checks whose failure makes the engine unusable rather
// than degraded: the lifecycle itself and the vector store.
var critical = map[string]bool{"engine": true, "storage": true}

// Report is engine_health's answer.
type Report struct {
	OverallStatus string         `json:"overall_status"`
	Checks        []engine.Check `json:"checks"`
}

// Evaluate classifies a set of checks taken in state:
//   - UNHEALTHY when the engine is not running, when the engine or storage
//     check fails, or when a running engine reported no storage check (it
//     could not be reached);
//   - DEGRADED when it is running but any other check fails;
//   - HEALTHY otherwise.
func Evaluate(state engine.State, checks []engine.Check) Report {
	if checks == nil {
		checks = []engine.Check{}
	}
	return Report{OverallStatus: overall(state, checks), Checks: checks}
}

func overall(state engine.State, checks []engine.Check) string {
	if state != engine.StateRunning {
		return Unhealthy
	}
	status, storageSeen := Healthy, false
	for _, c := range checks {
		storageSeen = storageSeen || c.Name == "storage"
		if c.Status == engine.CheckPass {
			continue
		}
		if critical[c.Name] {
			return Unhealthy
		}
		status = Degraded
	}
	if !storageSeen {
		return Unhealthy
	}
	return status
}
