// Package health watches the engine and judges it.
//
// Overall turns the engine's state, its component checks, the active
// alerts and whether connection recovery is under way into one verdict:
//
//   - UNHEALTHY when the engine is not running, or the engine or storage
//     check fails (on a reader, the indexer check: its way to the store),
//     or a running engine reported neither (it could not be reached);
//   - DEGRADED when it is running but a component check fails or is slow
//     (latency above health.thresholds.response_time_ms), an alert is
//     active, or recovery is under way;
//   - HEALTHY otherwise.
//
// A Monitor samples the engine every health.interval and keeps the last
// health.history_size samples: state, CPU percent, memory, open files
// (cheaply, by each OS's means: see procstat; a figure the OS cannot give
// is null and never alerts), active, queued and finished tasks, and every
// component check with its latency, including whether the pipeline makes
// progress. Thresholds raise alerts, with hysteresis:
//
//	mon := health.NewMonitor(cfg, eng, logger, notify)
//	mon.OnSample(rec.Observe) // before Run: each sample, on the monitor's goroutine
//	go mon.Run(ctx)           // blocks until ctx ends
//	report := mon.Report(ctx, 10, recovering) // engine_health
package health

import "workspace-qdrant-mcp/engine"

// Overall statuses, as the design's health check reports them.
const (
	Healthy   = "HEALTHY"   // running, every check passes, nothing slow, no alert
	Degraded  = "DEGRADED"  // running, but something is slow, failing or recovering
	Unhealthy = "UNHEALTHY" // not running, or a critical component fails
)

// critical names the checks whose failure makes the engine unusable rather
// than degraded: the lifecycle itself and the vector store, which a reader
// reaches through the indexer.
var critical = map[string]bool{engine.CheckEngine: true, engine.CheckStorage: true, engine.CheckIndexer: true}

// Report is engine_health's answer, less recovery, which the tools add.
type Report struct {
	OverallStatus string         `json:"overall_status"`
	Checks        []engine.Check `json:"checks"`
	Alerts        []Alert        `json:"alerts"`
	History       []Sample       `json:"history"`
}

// Evaluate classifies a set of checks taken in state, with no alert, no
// latency bound and no recovery under way.
func Evaluate(state engine.State, checks []engine.Check) Report {
	if checks == nil {
		checks = []engine.Check{}
	}
	return Report{
		OverallStatus: Overall(state, checks, nil, false, 0),
		Checks:        checks, Alerts: []Alert{}, History: []Sample{},
	}
}

// Overall is the verdict of the package comment. slowMS bounds check
// latencies; 0 means no bound.
func Overall(state engine.State, checks []engine.Check, alerts []Alert, recovering bool, slowMS float64) string {
	if state != engine.StateRunning {
		return Unhealthy
	}
	status, storageSeen := Healthy, false
	for _, c := range checks {
		storageSeen = storageSeen || c.Name == engine.CheckStorage || c.Name == engine.CheckIndexer
		if c.Status != engine.CheckPass {
			if critical[c.Name] {
				return Unhealthy
			}
			status = Degraded
		}
		if slowMS > 0 && c.LatencyMS > slowMS {
			status = Degraded
		}
	}
	if !storageSeen {
		return Unhealthy
	}
	if len(alerts) > 0 || recovering {
		status = Degraded
	}
	return status
}
