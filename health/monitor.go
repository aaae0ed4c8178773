package health

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/procstat"
)

// ClearAfter is how many consecutive samples at or under its threshold
// clear an alert. An alert is raised by the first sample above its
// threshold; requiring two good samples to clear it keeps a value that
// hovers around the threshold from raising and clearing it in turn.
const ClearAfter = 2

// Alert metrics.
const (
	MetricCPU          = "cpu_percent"
	MetricMemory       = "memory_mb"
	MetricResponseTime = "response_time_ms" // of one component check
)

// Engine is what the monitor reads; *engine.Manager implements it.
type Engine interface {
	State() engine.State
	Checks(ctx context.Context) []engine.Check
	Tasks() pipeline.Stats
}

var _ Engine = (*engine.Manager)(nil)

// Notify sends data to the client as a log notification at level, an MCP
// logging level ("info", "warning", "error"). It must not block.
type Notify func(level string, data any)

// Sample is one reading of the engine.
type Sample struct {
	At    time.Time    `json:"at"`
	State engine.State `json:"state"`
	// The process's figures; nil (null) when not measured: the OS
	// cannot give it (open files on Windows), or the first CPU figure,
	// which has no interval yet.
	CPUPercent  *float64 `json:"cpu_percent"` // of one core, since the previous sample
	MemoryMB    *float64 `json:"memory_mb"`
	OpenFiles   *int     `json:"open_files"`
	ActiveTasks int      `json:"active_tasks"`
	QueuedTasks int      `json:"queued_tasks"`
	// FinishedTasks and FailedTasks count the pipeline's tasks since the
	// engine last started: every task that ended, and those that failed
	// or panicked.
	FinishedTasks uint64         `json:"finished_tasks"`
	FailedTasks   uint64         `json:"failed_tasks"`
	Checks        []engine.Check `json:"checks"`
	// OverallStatus is the verdict at the time of the sample (not counting
	// recovery, which the monitor does not know).
	OverallStatus string `json:"overall_status"`
}

// Check returns the check called name, if the sample has one.
func (s Sample) Check(name string) (engine.Check, bool) {
	for _, c := range s.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return engine.Check{}, false
}

// Alert is a value above its threshold.
type Alert struct {
	Metric    string    `json:"metric"`              // MetricCPU, MetricMemory or MetricResponseTime
	Component string    `json:"component,omitempty"` // the check, for MetricResponseTime
	Value     float64   `json:"value"`               // the latest sampled value
	Threshold float64   `json:"threshold"`
	Since     time.Time `json:"since"` // the sample that raised it
	Message   string    `json:"message"`
}

// alertNotice is the data of an alert's log notification.
type alertNotice struct {
	Message   string    `json:"message"`
	State     string    `json:"state"` // "raised" or "cleared"
	Metric    string    `json:"metric"`
	Component string    `json:"component,omitempty"`
	Value     float64   `json:"value"`
	Threshold float64   `json:"threshold"`
	Since     time.Time `json:"since"`
}

type alertState struct {
	Alert
	under int // consecutive samples at or under the threshold
}

// Monitor samples the engine periodically; see the package comment.
// Report may be called from any goroutine; Run once.
type Monitor struct {
	eng          Engine
	log          zerolog.Logger
	notify       Notify
	interval     time.Duration
	historySize  int
	th           config.Thresholds
	checkTimeout time.Duration
	usage        func() procstat.Usage // the process's figures: a Sampler's, or a test's
	observers    []func(Sample)
	kick         chan struct{} // a check is wanted now (Kick)

	mu      sync.Mutex
	history []Sample // oldest first, at most historySize
	alerts  map[string]*alertState
	prev    *Sample // the previous sample, for pipeline progress
	stuck   string  // why the pipeline made no progress at the last sample; "" when it did
}

// NewMonitor returns a monitor of eng configured by cfg.Health. notify
// may be nil.
func NewMonitor(cfg config.Config, eng Engine, logger zerolog.Logger, notify Notify) *Monitor {
	if notify == nil {
		notify = func(string, any) {}
	}
	h := cfg.Health
	return &Monitor{
		eng:          eng,
		log:          logger.With().Str("component", "health").Logger(),
		notify:       notify,
		interval:     h.Interval.D(),
		historySize:  h.HistorySize,
		th:           h.Thresholds,
		checkTimeout: h.Thresholds.CheckTimeout(),
		alerts:       map[string]*alertState{},
		usage:        new(procstat.Sampler).Sample,
		kick:         make(chan struct{}, 1),
	}
}

// MinKickInterval is the least time between two samples that Kick asks
// for, and the interval of the samples while a dependency check fails.
const MinKickInterval = time.Second

// Kick asks for a sample now: a tool call or an indexing task failed on a
// dependency. Samples asked for this way are at least MinKickInterval
// apart; Kick never blocks.
func (m *Monitor) Kick() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// OnSample calls fn with every sample, on the monitor's goroutine, after
// the sample is recorded. fn must not block. Call it before Run.
func (m *Monitor) OnSample(fn func(Sample)) { m.observers = append(m.observers, fn) }

// HistorySize is how many samples the monitor keeps.
func (m *Monitor) HistorySize() int { return m.historySize }

// Run samples the engine at once and then every interval until ctx ends.
// It starts no goroutine that outlives it.
//
// A failure reported by Kick brings the next sample forward, at most one
// a MinKickInterval; while storage or the embedder fails, samples follow
// every MinKickInterval (or health.interval when shorter), so that
// recovery.failed_checks consecutive failures are seen within seconds.
func (m *Monitor) Run(ctx context.Context) {
	m.log.Info().Dur("interval", m.interval).Msg("health monitoring started")
	timer := time.NewTimer(m.interval)
	defer timer.Stop()
	for {
		last := time.Now()
		failing := m.Sample(ctx)
		next := m.interval
		if failing {
			next = min(m.interval, MinKickInterval)
		}
		timer.Reset(next)
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				m.log.Info().Msg("health monitoring stopped")
				return
			case <-timer.C:
				waiting = false
			case <-m.kick:
				if wait := MinKickInterval - time.Since(last); wait > 0 && wait < next-time.Since(last) {
					timer.Reset(wait)
				} else if wait <= 0 {
					waiting = false
				}
			}
		}
	}
}

// Sample takes one sample now, records it, updates the alerts and tells
// the observers. A sample cut short by the end of ctx is dropped. It
// reports whether a dependency (storage, the embedder) failed its check.
func (m *Monitor) Sample(ctx context.Context) (failing bool) {
	s := Sample{At: time.Now(), State: m.eng.State()}
	u := m.usage()
	s.CPUPercent, s.MemoryMB, s.OpenFiles = u.CPUPercent, u.MemoryMB, u.OpenFiles
	tasks := m.eng.Tasks()
	s.ActiveTasks, s.QueuedTasks = tasks.Active, tasks.Queued
	s.FinishedTasks = tasks.Completed + tasks.Failed + tasks.Panicked
	s.FailedTasks = tasks.Failed + tasks.Panicked
	cctx, cancel := context.WithTimeout(ctx, m.checkTimeout)
	s.Checks = timeouts(cctx, m.eng.Checks(cctx), m.checkTimeout)
	cancel()
	if ctx.Err() != nil {
		return false
	}
	for _, c := range s.Checks {
		failing = failing || (c.Name == engine.CheckStorage || c.Name == engine.CheckEmbedder) && c.Status != engine.CheckPass
	}

	m.mu.Lock()
	m.stuck = ""
	if p := m.prev; p != nil && p.State == engine.StateRunning && s.State == engine.StateRunning &&
		p.QueuedTasks > 0 && s.QueuedTasks > 0 && s.FinishedTasks == p.FinishedTasks {
		m.stuck = fmt.Sprintf("no progress: %d tasks queued and none finished in %s", s.QueuedTasks, s.At.Sub(p.At).Round(time.Millisecond))
	}
	markStuck(s.Checks, m.stuck)
	prev := s
	m.prev = &prev
	raised, cleared := m.updateAlerts(s)
	s.OverallStatus = Overall(s.State, s.Checks, m.activeAlerts(), false, m.th.ResponseTimeMS)
	m.history = append(m.history, s)
	if over := len(m.history) - m.historySize; over > 0 {
		m.history = slices.Delete(m.history, 0, over)
	}
	m.mu.Unlock()

	for _, a := range raised {
		m.log.Warn().Str("metric", a.Metric).Str("check", a.Component).Float64("value", a.Value).
			Float64("threshold", a.Threshold).Msg("health alert: " + a.Message)
		m.notify("warning", alertNotice{Message: "health alert: " + a.Message, State: "raised", Metric: a.Metric,
			Component: a.Component, Value: a.Value, Threshold: a.Threshold, Since: a.Since})
	}
	for _, a := range cleared {
		msg := a.Message
		m.log.Info().Str("metric", a.Metric).Str("check", a.Component).Float64("value", a.Value).Msg(msg)
		m.notify("info", alertNotice{Message: msg, State: "cleared", Metric: a.Metric,
			Component: a.Component, Value: a.Value, Threshold: a.Threshold, Since: a.Since})
	}
	if s.OverallStatus != Healthy {
		m.log.Debug().Str("overall_status", s.OverallStatus).Str("state", string(s.State)).Msg("health sample")
	}
	for _, fn := range m.observers {
		fn(s)
	}
	return failing
}

// timeouts rewrites the message of a check that failed because ctx
// expired (it timed out, or it took about as long as the bound), so that
// it says it timed out.
func timeouts(ctx context.Context, checks []engine.Check, bound time.Duration) []engine.Check {
	if ctx.Err() == nil {
		return checks
	}
	for i, c := range checks {
		hung := c.TimedOut() || c.LatencyMS >= 0.95*float64(bound.Milliseconds())
		if c.Status == engine.CheckFail && hung {
			checks[i].Message = fmt.Sprintf("timed out after %s: %s", bound, c.Message)
		}
	}
	return checks
}

// markStuck fails a passing pipeline check with why, unless why is "".
func markStuck(checks []engine.Check, why string) {
	if why == "" {
		return
	}
	for i, c := range checks {
		if c.Name == engine.CheckPipeline && c.Status == engine.CheckPass {
			checks[i].Status, checks[i].Message, checks[i].Err = engine.CheckFail, why, errors.New(why)
		}
	}
}

// measure is one sampled value with its threshold.
type measure struct {
	metric, component string
	value, threshold  float64
}

func (a Alert) name() string {
	if a.Component != "" {
		return a.Component + " " + a.Metric
	}
	return a.Metric
}

func formatValue(metric string, v float64) string {
	switch metric {
	case MetricCPU:
		return fmt.Sprintf("%.1f%%", v)
	case MetricMemory:
		return fmt.Sprintf("%.0f MB", v)
	default:
		return fmt.Sprintf("%.0f ms", v)
	}
}

// updateAlerts raises an alert for each value above its threshold and
// clears those whose value has been at or under it for ClearAfter
// samples. A value that was not measured (a check the stopped engine did
// not run, a figure the OS does not give) raises nothing and counts as
// under. Called with m.mu held.
func (m *Monitor) updateAlerts(s Sample) (raised, cleared []Alert) {
	var ms []measure
	if s.CPUPercent != nil {
		ms = append(ms, measure{MetricCPU, "", *s.CPUPercent, m.th.CPUPercent})
	}
	if s.MemoryMB != nil {
		ms = append(ms, measure{MetricMemory, "", *s.MemoryMB, m.th.MemoryMB})
	}
	for _, c := range s.Checks {
		ms = append(ms, measure{MetricResponseTime, c.Name, c.LatencyMS, m.th.ResponseTimeMS})
	}
	seen := map[string]bool{}
	for _, v := range ms {
		key := v.metric + "/" + v.component
		seen[key] = true
		a := m.alerts[key]
		switch {
		case v.value > v.threshold && a == nil:
			a = &alertState{Alert: Alert{Metric: v.metric, Component: v.component, Value: v.value, Threshold: v.threshold, Since: s.At}}
			a.Message = fmt.Sprintf("%s = %s exceeds the threshold of %s", a.name(), formatValue(v.metric, v.value), formatValue(v.metric, v.threshold))
			m.alerts[key] = a
			raised = append(raised, a.Alert)
		case v.value > v.threshold:
			a.Value, a.under = v.value, 0
		case a != nil:
			a.Value = v.value
			if a.under++; a.under >= ClearAfter {
				delete(m.alerts, key)
				a.Message = fmt.Sprintf("health alert cleared: %s back at or under %s for %d samples (now %s)",
					a.name(), formatValue(a.Metric, a.Threshold), ClearAfter, formatValue(a.Metric, a.Value))
				cleared = append(cleared, a.Alert)
			}
		}
	}
	for key, a := range m.alerts {
		if seen[key] {
			continue
		}
		// Not measured (the check did not run: the engine stopped, or a
		// reader has no such component; or the OS gave no figure this
		// time): it counts as under, and the
		// message says so rather than quote the last value as current.
		if a.under++; a.under >= ClearAfter {
			delete(m.alerts, key)
			a.Message = fmt.Sprintf("health alert cleared: %s not measured for %d samples (last %s)",
				a.name(), ClearAfter, formatValue(a.Metric, a.Value))
			cleared = append(cleared, a.Alert)
		}
	}
	return raised, cleared
}

// activeAlerts lists the active alerts, oldest first. Called with m.mu
// held.
func (m *Monitor) activeAlerts() []Alert {
	out := make([]Alert, 0, len(m.alerts))
	for _, a := range m.alerts {
		out = append(out, a.Alert)
	}
	slices.SortFunc(out, func(a, b Alert) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return cmp.Compare(a.name(), b.name())
	})
	return out
}

// Alerts returns the active alerts, oldest first.
func (m *Monitor) Alerts() []Alert {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.activeAlerts()
}

// History returns the last limit samples (all when limit exceeds them),
// oldest first.
func (m *Monitor) History(limit int) []Sample {
	m.mu.Lock()
	defer m.mu.Unlock()
	limit = max(0, min(limit, len(m.history)))
	return slices.Clone(m.history[len(m.history)-limit:])
}

// Report checks every component now and returns the verdict with the
// active alerts and the last historyLimit samples. The pipeline check also
// fails when the last sample found it making no progress. recovering says
// whether connection recovery is under way.
func (m *Monitor) Report(ctx context.Context, historyLimit int, recovering bool) Report {
	state := m.eng.State()
	cctx, cancel := context.WithTimeout(ctx, m.checkTimeout)
	checks := timeouts(cctx, m.eng.Checks(cctx), m.checkTimeout)
	cancel()
	m.mu.Lock()
	if state == engine.StateRunning {
		markStuck(checks, m.stuck)
	}
	alerts := m.activeAlerts()
	m.mu.Unlock()
	if checks == nil {
		checks = []engine.Check{}
	}
	return Report{
		OverallStatus: Overall(state, checks, alerts, recovering, m.th.ResponseTimeMS),
		Checks:        checks,
		Alerts:        alerts,
		History:       m.History(historyLimit),
	}
}
