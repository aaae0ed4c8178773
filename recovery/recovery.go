// Package recovery reconnects the engine to a dependency it has lost,
// restarting only what a restart can mend.
//
// A connection counts as lost when storage or the embedder fails
// recovery.failed_checks consecutive health samples (see Observe, fed by
// the health monitor), or when the engine falls into the error state while
// it should be running (seen through engine transitions); RetryStart adds
// a start that failed because a dependency did not answer (the autostart
// at launch). Each starts one recovery loop; while it runs, further losses
// are folded into it, never a second loop. Attempt n waits
// recovery.initial_delay·2^(n-1) (github.com/cenkalti/backoff/v4, ±10%
// jitter, capped at recovery.max_delay). If the engine is running, the
// attempt only probes the lost dependency (the engine keeps serving what
// does not need it): once it answers, the indexing work that failed
// meanwhile, pending in the ingest ledger, is handed to the pipeline again
// (engine.Manager.Resume) and the loop ends, with no restart. Only an
// engine that is not running is restarted (engine.Manager.Recover), or
// one whose store connection is lost for good (a check with Reconnect,
// from storage.ErrConnectionLost): reopening it is what a restart mends,
// so each attempt restarts the engine once, until a restart succeeds.
// Success resets the attempt count. After recovery.max_attempts failed
// attempts the manager is degraded: Refusal refuses only the operations
// that need what is down, naming it; a dependency is still probed every
// recovery.max_delay (a start that failed on one is retried at that pace)
// and degraded mode ends by itself when it answers, or by an explicit
// start (ClearDegraded).
//
// The user's intent wins: a deliberate stop calls Cancel, which ends a
// loop at once (an attempt's start under way is cancelled) and arms no new
// one until the engine runs again. The stops and starts recovery makes
// carry engine.OriginRecovery, so that transitions tell them from
// deliberate ones. When Run's context ends
// (process shutdown) the loop ends with it and nothing is restarted.
//
//	rec := recovery.New(cfg, eng, logger, notify)
//	mon.OnSample(rec.Observe)
//	go rec.Run(ctx)
package recovery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/health"
	"workspace-qdrant-mcp/internal/config"
)

// ErrDegraded marks Refusal's error; it is the engine's, so that the
// engine's admission hook (package tools binds Refusal to it) refuses with
// it, on this server and to the readers that forward to it.
var ErrDegraded = engine.ErrDegraded

// labelPrefix starts the reason of every transition recovery causes,
// for people; code tells them by engine.OriginRecovery.
const labelPrefix = "recovery"

// Jitter is the randomisation factor of each delay: ±10%.
const Jitter = 0.1

// States of Status.State.
const (
	StateIdle       = "idle"
	StateWaiting    = "waiting"    // for the next attempt
	StateChecking   = "checking"   // whether health came back by itself
	StateRestarting = "restarting" // the engine
	StateDegraded   = "degraded"   // attempts exhausted
	StateDisabled   = "disabled"   // recovery.enabled is false
)

// watched are the checks whose consecutive failures mean a lost
// connection. A reader's indexer check (engine.CheckIndexer) is not one:
// restarting the reader cannot mend an indexer that is alive and silent,
// and a reader takes over by itself once the indexer exits.
var watched = []string{engine.CheckStorage, engine.CheckEmbedder}

// Engine is what recovery uses; *engine.Manager implements it.
type Engine interface {
	State() engine.State
	Checks(ctx context.Context) []engine.Check
	Tasks() pipeline.Stats
	Recover(ctx context.Context, reason string) error
	// Resume redoes the indexing work that failed while a dependency was
	// down, without a restart.
	Resume(ctx context.Context, reason string) error
	Subscribe(fn func(engine.Transition)) (unsubscribe func())
}

var _ Engine = (*engine.Manager)(nil)

// Manager runs connection recovery. Its methods may be called from any
// goroutine, and on a nil *Manager (recovery not wired) they do nothing.
type Manager struct {
	eng          Engine
	log          zerolog.Logger
	notify       health.Notify
	enabled      bool
	failedChecks int
	initialDelay time.Duration
	maxDelay     time.Duration
	maxAttempts  int
	checkTimeout time.Duration

	wake chan struct{} // a loop is wanted

	mu          sync.Mutex
	running     bool // Run is active: losses are acted on
	state       string
	attempts    int
	nextAt      time.Time
	lastError   string
	down        []string
	wantRunning bool               // the engine ran and nobody stopped it deliberately since
	cancelLoop  context.CancelFunc // ends the loop under way
	fails       map[string]int     // consecutive failed samples per watched check
	baseline    uint64             // failed tasks when the last healthy sample was taken
	unreachable bool               // the last restart failed on a dependency that did not answer
	retryStart  string             // why a start that failed at launch is to be retried once Run runs
	probing     bool               // degraded, and the loop still probes every max_delay
}

// New returns a manager of eng configured by cfg.Recovery; check timeouts
// come from cfg.Health. notify may be nil.
func New(cfg config.Config, eng Engine, logger zerolog.Logger, notify health.Notify) *Manager {
	if notify == nil {
		notify = func(string, any) {}
	}
	r := cfg.Recovery
	m := &Manager{
		eng:          eng,
		log:          logger.With().Str("component", "recovery").Logger(),
		notify:       notify,
		enabled:      r.Enabled,
		failedChecks: r.FailedChecks,
		initialDelay: r.InitialDelay.D(),
		maxDelay:     r.MaxDelay.D(),
		maxAttempts:  r.MaxAttempts,
		checkTimeout: cfg.Health.Thresholds.CheckTimeout(),
		wake:         make(chan struct{}, 1),
		state:        StateIdle,
		fails:        map[string]int{},
	}
	if !m.enabled {
		m.state = StateDisabled
	}
	return m
}

// Status is connection recovery as engine_status and engine_health show
// it.
type Status struct {
	// State is "idle", "waiting" (for the next attempt), "checking",
	// "restarting", "degraded" (attempts exhausted) or "disabled".
	State           string `json:"state"`
	Attempts        int    `json:"attempts"` // of the current or last loop
	MaxAttempts     int    `json:"max_attempts"`
	NextAttemptInMS int64  `json:"next_attempt_in_ms"` // 0 unless waiting
	LastError       string `json:"last_error"`
	Degraded        bool   `json:"degraded"`
	// Down names what was lost ("storage", "embedder", "engine") while a
	// loop runs or in degraded mode.
	Down []string `json:"down"`
}

// notice is the data of recovery's log notifications.
type notice struct {
	Message     string   `json:"message"`
	State       string   `json:"state"`
	Attempt     int      `json:"attempt,omitempty"`
	MaxAttempts int      `json:"max_attempts"`
	Down        []string `json:"down,omitempty"`
	Error       string   `json:"error,omitempty"`
}

func (m *Manager) tell(level, msg string, attempt int, down []string, err string) {
	ev := m.log.Info()
	switch level {
	case "warning":
		ev = m.log.Warn()
	case "error":
		ev = m.log.Error()
	}
	ev.Int("attempt", attempt).Int("max_attempts", m.maxAttempts).Strs("down", down).Str("error", err).Msg(msg)
	m.mu.Lock()
	state := m.state
	m.mu.Unlock()
	m.notify(level, notice{Message: msg, State: state, Attempt: attempt, MaxAttempts: m.maxAttempts, Down: down, Error: err})
}

// Run acts on lost connections until ctx ends: it follows the engine's
// transitions and runs recovery loops, one at a time, on its own
// goroutine. When ctx ends, a loop under way is abandoned (its restart
// cancelled) and Run returns once it has ended.
func (m *Manager) Run(ctx context.Context) {
	unsubscribe := m.eng.Subscribe(m.onTransition)
	defer unsubscribe()
	m.mu.Lock()
	m.running = true
	m.wantRunning = m.eng.State() == engine.StateRunning
	retry := m.retryStart
	m.retryStart = ""
	m.mu.Unlock()
	if retry != "" {
		m.RetryStart(retry)
	}
	defer func() {
		m.mu.Lock()
		m.running = false
		if m.active() {
			m.state, m.nextAt = StateIdle, time.Time{}
		}
		m.mu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.wake:
		}
		m.mu.Lock()
		if m.state != StateWaiting { // cancelled before it began
			m.mu.Unlock()
			continue
		}
		lctx, cancel := context.WithCancel(ctx)
		m.cancelLoop = cancel
		m.mu.Unlock()
		m.loop(lctx)
		m.mu.Lock()
		m.cancelLoop, m.probing = nil, false
		m.mu.Unlock()
		cancel()
	}
}

// active reports whether a loop is wanted or under way. Called with m.mu
// held.
func (m *Manager) active() bool {
	return m.state == StateWaiting || m.state == StateChecking || m.state == StateRestarting
}

// Trigger reports a lost connection to what ("storage", "embedder",
// "engine") because of why. It starts a recovery loop unless one is
// already under way (what is then added to what is down), recovery is
// disabled or degraded, Run is not active, or the engine is not meant to
// be running. It reports whether it started a loop.
func (m *Manager) Trigger(what, why string) bool { return m.trigger([]string{what}, why) }

func (m *Manager) trigger(what []string, why string) bool {
	if m == nil {
		return false
	}
	m.mu.Lock()
	switch {
	case !m.enabled || !m.running || m.state == StateDegraded:
		m.mu.Unlock()
		return false
	case m.active():
		for _, w := range what {
			if !slices.Contains(m.down, w) {
				m.down = append(m.down, w)
			}
		}
		m.mu.Unlock()
		m.log.Debug().Strs("down", what).Str("error", why).Msg("connection lost; recovery already in progress")
		return false
	case !m.wantRunning:
		m.mu.Unlock()
		return false
	}
	m.state, m.attempts, m.nextAt = StateWaiting, 0, time.Time{}
	m.down, m.lastError = slices.Clone(what), why
	select {
	case m.wake <- struct{}{}:
	default:
	}
	m.mu.Unlock()
	m.tell("warning", fmt.Sprintf("connection lost: %s; starting recovery", why), 0, what, why)
	return true
}

// RetryStart asks for a start that failed because a dependency did not
// answer (engine.ErrUnreachable: the autostart at launch) to be retried
// with recovery's backoff, as a lost connection is. Called before Run, it
// takes effect when Run begins.
func (m *Manager) RetryStart(why string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	if !m.running {
		m.retryStart = why
		m.mu.Unlock()
		return
	}
	if st := m.eng.State(); st == engine.StateRunning || st == engine.StateStarting {
		m.mu.Unlock()
		return // started meanwhile
	}
	m.wantRunning, m.unreachable = true, true
	m.mu.Unlock()
	m.trigger([]string{engine.CheckEngine}, why)
}

// Observe takes one health sample: storage or the embedder failing
// recovery.failed_checks consecutive samples of a running engine is a
// lost connection. It must be called in sample order (the monitor's
// OnSample does).
func (m *Manager) Observe(s health.Sample) {
	if m == nil {
		return
	}
	m.mu.Lock()
	if s.State != engine.StateRunning || m.active() {
		clear(m.fails)
		m.mu.Unlock()
		return
	}
	var lost, why []string
	healthy := true
	for _, name := range watched {
		c, ok := s.Check(name)
		if !ok || c.Status == engine.CheckPass {
			m.fails[name] = 0
			healthy = healthy && ok
			continue
		}
		healthy = false
		if m.fails[name]++; m.fails[name] >= m.failedChecks {
			lost = append(lost, name)
			why = append(why, fmt.Sprintf("%s failed %d consecutive health checks (%s)", name, m.fails[name], c.Message))
		}
	}
	if healthy {
		m.baseline = s.FailedTasks
	}
	m.mu.Unlock()
	if len(lost) > 0 {
		m.trigger(lost, strings.Join(why, "; "))
	}
}

// onTransition follows the engine: running means it should keep running;
// a stop that recovery did not cause means it should not; an error while
// it should be running is a lost connection.
func (m *Manager) onTransition(t engine.Transition) {
	own := t.Origin == engine.OriginRecovery
	m.mu.Lock()
	lost := false
	switch t.To {
	case engine.StateRunning:
		m.wantRunning, m.baseline = true, 0 // a fresh pipeline counts from zero
		if m.state == StateDegraded {
			m.state = StateIdle // running again: degraded mode is over
		}
	case engine.StateStopped:
		if !own {
			m.wantRunning = false
		}
	case engine.StateError:
		// A start that recovery made fails with the start's error as
		// reason: while a loop runs, errors are its own.
		lost = !own && m.wantRunning && !m.active()
	}
	m.mu.Unlock()
	if lost {
		m.Trigger(engine.CheckEngine, "engine fell into error: "+t.Reason)
	}
}

// Cancel records a deliberate stop (engine_stop): a loop under way ends
// at once, its restart cancelled, and no loop starts until the engine
// runs again. Degraded mode stays until an explicit start.
func (m *Manager) Cancel(reason string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.wantRunning = false
	clear(m.fails)
	wasActive := m.active()
	if wasActive {
		m.state = StateIdle
	}
	m.nextAt = time.Time{}
	if m.cancelLoop != nil {
		m.cancelLoop() // a loop under way, or degraded mode's probing
	}
	m.mu.Unlock()
	if wasActive {
		m.tell("info", "recovery cancelled by "+reason+": the engine will not be restarted automatically", 0, nil, "")
	}
}

// ClearDegraded leaves degraded mode (engine_start, engine_restart): the
// user takes over, and the attempt count starts again from zero.
func (m *Manager) ClearDegraded(reason string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	was := m.state == StateDegraded
	if was {
		m.state, m.attempts, m.nextAt = StateIdle, 0, time.Time{}
		if m.cancelLoop != nil {
			m.cancelLoop() // degraded mode's probing: the user takes over
		}
	}
	m.mu.Unlock()
	if was {
		m.log.Info().Str("by", reason).Msg("degraded mode cleared")
	}
}

// Recovering reports whether a loop is wanted or under way.
func (m *Manager) Recovering() bool {
	if m == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active()
}

// Refusal is nil unless the manager is degraded and something an
// operation needs is down; then it is an error wrapping ErrDegraded that
// names what is down and what to do. needs names the components the
// operation cannot do without ("storage", "embedder"); "engine" being
// down refuses everything.
func (m *Manager) Refusal(needs ...string) error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != StateDegraded {
		return nil
	}
	hit := slices.Contains(m.down, engine.CheckEngine)
	for _, n := range needs {
		hit = hit || slices.Contains(m.down, n)
	}
	if !hit {
		return nil
	}
	down := strings.Join(m.down, " and ")
	verb := "is"
	if len(m.down) > 1 {
		verb = "are"
	}
	if m.probing {
		return fmt.Errorf("%w: %s %s down (%s); automatic recovery gave up after %d attempts and now probes every %s, "+
			"resuming by itself once it answers; or fix the cause, then call engine_start",
			ErrDegraded, down, verb, m.lastError, m.attempts, m.maxDelay)
	}
	return fmt.Errorf("%w: %s %s down (%s); automatic recovery gave up after %d attempts; fix the cause, then call engine_start",
		ErrDegraded, down, verb, m.lastError, m.attempts)
}

// Snapshot is recovery as engine_status shows it.
func (m *Manager) Snapshot() Status {
	if m == nil {
		return Status{State: StateDisabled, Down: []string{}}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := Status{
		State: m.state, Attempts: m.attempts, MaxAttempts: m.maxAttempts,
		LastError: m.lastError, Degraded: m.state == StateDegraded, Down: slices.Clone(m.down),
	}
	if st.Down == nil {
		st.Down = []string{}
	}
	if (m.state == StateWaiting || m.state == StateDegraded) && !m.nextAt.IsZero() {
		st.NextAttemptInMS = max(0, time.Until(m.nextAt).Milliseconds())
	}
	return st
}

// set runs fn under the lock unless the loop's ctx has ended (the loop
// was cancelled: Cancel has already set the state). It reports whether fn
// ran.
func (m *Manager) set(ctx context.Context, fn func()) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ctx.Err() != nil {
		return false
	}
	fn()
	return true
}

// loop is one recovery loop; see the package comment.
func (m *Manager) loop(ctx context.Context) {
	b := backoff.WithMaxRetries(backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(m.initialDelay),
		backoff.WithMaxInterval(m.maxDelay),
		backoff.WithMultiplier(2),
		backoff.WithRandomizationFactor(Jitter),
		backoff.WithMaxElapsedTime(0),
	), uint64(m.maxAttempts))
	b.Reset()
	exhausted := false // degraded: probing on every recovery.max_delay
	for attempt := 1; ; attempt++ {
		delay := b.NextBackOff()
		if delay == backoff.Stop && !exhausted {
			if !m.giveUp(ctx) || !m.keepProbing() {
				return
			}
			exhausted = true
			if !m.set(ctx, func() { m.probing = true }) {
				return
			}
		}
		if exhausted {
			delay = m.maxDelay
		}
		delay = min(delay, m.maxDelay) // jitter never takes it past the cap
		var down []string
		if !m.set(ctx, func() {
			if !exhausted {
				m.state, m.attempts = StateWaiting, attempt
			}
			m.nextAt = time.Now().Add(delay)
			down = slices.Clone(m.down)
		}) {
			return
		}
		m.log.Info().Int("attempt", attempt).Int("max_attempts", m.maxAttempts).Dur("delay", delay).Strs("down", down).
			Bool("degraded", exhausted).Msg("recovery attempt scheduled")
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}

		if !m.set(ctx, func() {
			if !exhausted {
				m.state = StateChecking
			}
			m.nextAt = time.Time{}
		}) {
			return
		}
		label := fmt.Sprintf("%s attempt %d/%d", labelPrefix, attempt, m.maxAttempts)
		if exhausted {
			label = fmt.Sprintf("%s probe %d (degraded)", labelPrefix, attempt-m.maxAttempts)
		}
		why := ""
		if m.eng.State() == engine.StateRunning {
			// The engine serves what does not need the lost dependency: a
			// restart cannot mend a dependency that does not answer, so
			// probe it and resume the pending work once it answers. A
			// connection lost for good is the exception: only a restart
			// opens it again.
			probe, ok, reconnect := m.healthy(ctx)
			if ctx.Err() != nil {
				return
			}
			switch {
			case reconnect:
				why = probe
			case ok:
				how := "the connection came back by itself; no restart needed"
				if m.resumeWork(ctx, label) {
					how += "; the work that failed meanwhile is redone"
				}
				m.succeed(ctx, attempt, how)
				return
			default:
				if !m.set(ctx, func() { m.lastError = probe }) {
					return
				}
				m.log.Info().Str("attempt", label).Str("error", probe).Msg("dependency still unreachable; no restart")
				continue
			}
		}
		if why == "" && exhausted && !m.keepProbing() {
			return // stays degraded: what failed is not a dependency coming back
		}
		if !m.set(ctx, func() {
			if !exhausted {
				m.state = StateRestarting
			}
		}) {
			return
		}
		if why == "" {
			why = "engine is " + string(m.eng.State())
		}
		err := m.eng.Recover(ctx, label+": "+why)
		if ctx.Err() != nil {
			return // cancelled: the user's stop or the shutdown wins
		}
		if err == nil {
			m.succeed(ctx, attempt, "the engine was restarted")
			return
		}
		if !m.set(ctx, func() { m.lastError, m.unreachable = err.Error(), errors.Is(err, engine.ErrUnreachable) }) {
			return
		}
		m.tell("warning", fmt.Sprintf("%s failed: %v", label, err), attempt, down, err.Error())
	}
}

// keepProbing reports whether a loop that used up recovery.max_attempts
// goes on probing every recovery.max_delay: while the engine runs (a probe
// costs no restart) or while its start fails only because a dependency
// does not answer (engine.ErrUnreachable).
func (m *Manager) keepProbing() bool {
	if m.eng.State() == engine.StateRunning {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unreachable
}

// resumeWork redoes the indexing work that failed while the connection
// was down, when any did, without a restart. It reports whether any did.
func (m *Manager) resumeWork(ctx context.Context, label string) bool {
	t := m.eng.Tasks()
	m.mu.Lock()
	baseline := m.baseline
	m.mu.Unlock()
	failed := t.Failed + t.Panicked
	if failed <= baseline {
		return false
	}
	if err := m.eng.Resume(ctx, fmt.Sprintf("%s: %d tasks failed while the connection was down", label, failed-baseline)); err != nil {
		m.log.Warn().Err(err).Msg("resume pending work")
	}
	m.mu.Lock()
	m.baseline = failed
	m.mu.Unlock()
	return true
}

// healthy checks whether the engine is running with storage and the
// embedder passing; else it says why not, and whether a failing check
// asks for a restart (engine.Check.Reconnect: its connection is lost).
func (m *Manager) healthy(ctx context.Context) (why string, ok, reconnect bool) {
	if st := m.eng.State(); st != engine.StateRunning {
		return "engine is " + string(st), false, false
	}
	cctx, cancel := context.WithTimeout(ctx, m.checkTimeout)
	checks := m.eng.Checks(cctx)
	cancel()
	seen := 0
	var bad []string
	for _, c := range checks {
		switch {
		case c.Name == engine.CheckEngine && c.Status != engine.CheckPass:
			bad = append(bad, "engine: "+c.Message)
		case slices.Contains(watched, c.Name):
			seen++
			if c.Status != engine.CheckPass {
				bad = append(bad, c.Name+": "+c.Message)
				reconnect = reconnect || c.Reconnect
			}
		}
	}
	if len(bad) > 0 {
		return strings.Join(bad, "; "), false, reconnect
	}
	if seen < len(watched) {
		return "engine components are not reachable", false, false
	}
	return "", true, false
}

func (m *Manager) succeed(ctx context.Context, attempt int, how string) {
	var down []string
	if !m.set(ctx, func() {
		down = m.down
		m.state, m.attempts, m.nextAt, m.down = StateIdle, 0, time.Time{}, nil
		clear(m.fails)
	}) {
		return
	}
	m.tell("info", fmt.Sprintf("connection recovered at attempt %d/%d: %s", attempt, m.maxAttempts, how), attempt, down, "")
}

// giveUp enters degraded mode; it reports false when the loop was
// cancelled meanwhile.
func (m *Manager) giveUp(ctx context.Context) bool {
	var down []string
	var last string
	if !m.set(ctx, func() {
		m.state, m.nextAt = StateDegraded, time.Time{}
		down, last = slices.Clone(m.down), m.lastError
	}) {
		return false
	}
	m.tell("error", fmt.Sprintf("recovery gave up after %d attempts; degraded: %s down; only what needs it is refused; "+
		"it is still probed every recovery.max_delay when it is a dependency; fix the cause, then call engine_start",
		m.maxAttempts, strings.Join(down, " and ")), m.maxAttempts, down, last)
	return true
}
