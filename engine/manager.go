package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/procstat"
)

// Sentinel errors of the lifecycle. Tools compare them with errors.Is.
var (
	// ErrNotRunning refuses a workspace operation while the engine is not
	// running; the wrapped message names the state and says what to do.
	ErrNotRunning = errors.New("engine is not running")
	// ErrStopping refuses a write while the engine drains.
	ErrStopping = errors.New("engine stopping")
	// ErrAlreadyRunning is returned by Start on a running engine.
	ErrAlreadyRunning = errors.New("engine already running")
	// ErrStartupTimeout is the cause when engine.startup_timeout expires.
	ErrStartupTimeout = errors.New("startup timeout")
	// ErrStopIncomplete marks a stop after which a component had failed
	// to stop or had not stopped in time; the engine is then in error.
	ErrStopIncomplete = errors.New("stop incomplete")
	// ErrStartCancelled is returned by a start that engine_stop
	// interrupted; the engine is then stopped, not in error.
	ErrStartCancelled = errors.New("startup cancelled by engine_stop")
)

// Options carries what the Manager needs besides the configuration.
type Options struct {
	Logger zerolog.Logger
	// LoadConfig re-reads the configuration on Restart; nil keeps the
	// configuration given to New.
	LoadConfig func() (config.Config, error)
	// OpenStore opens the vector store; nil uses the configured backend.
	OpenStore func(ctx context.Context, cfg config.Config) (storage.Store, error)
	// NewEmbedder creates the embedder; nil uses the configured provider.
	NewEmbedder func(ctx context.Context, cfg config.Config) (embed.Embedder, error)
	// NewIndexer creates the workspace indexer; nil uses the ingest
	// package. It is not called when no workspace root is configured.
	NewIndexer func(deps ingest.Deps) (Indexer, error)
	// FlushLogs is called during final cleanup; nil does nothing.
	FlushLogs func() error
	// Solo skips the coordination with other servers of the data
	// directory (the indexer lock and the socket readers call): the engine
	// is always the indexer. It is for tests that run an engine inside a
	// testing/synctest bubble, whose clock a listening socket would stop.
	Solo bool
}

// Manager owns the engine's lifecycle. See the package comment.
type Manager struct {
	log  zerolog.Logger
	opts Options
	ops  opsLock // serialises Start, Stop and Restart
	gate *gate
	// deliver is held by fire from the state change until the subscribers
	// have been told, so that they see transitions in the order they were
	// made, even a forced stop's escalation, fired by another goroutine
	// than the stop's own.
	deliver sync.Mutex

	mu          sync.Mutex
	cfg         config.Config
	state       State
	history     []Transition
	transitions fanout[Transition]
	indexEvents fanout[ingest.Event]
	failures    fanout[Failure]
	run         *run
	last        runRecord
	startCancel context.CancelCauseFunc
	escalate    chan struct{} // closed to turn a graceful stop into a forced one
	lastStats   storage.Stats
	sampler     procstat.Sampler
	takeovers   atomic.Int32 // takeovers under way (see redo)
	admission   admission    // the admission hook (SetAdmission)

	bg sync.WaitGroup // cleanups of starts abandoned on timeout
}

// runRecord keeps what status shows about the latest start.
type runRecord struct {
	phases    []PhaseTiming
	startup   time.Duration
	startedAt time.Time
	lastError string
	embedding embed.Info
	choice    *EmbedderChoice // provider auto's choice, nil for another provider
}

const historySize = 50

// New returns a stopped Manager.
func New(cfg config.Config, opts Options) *Manager {
	return &Manager{
		log:   opts.Logger.With().Str("component", "engine").Logger(),
		opts:  opts,
		gate:  newGate(),
		ops:   make(opsLock, 1),
		cfg:   cfg,
		state: StateStopped,
	}
}

// State returns the current state.
func (m *Manager) State() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Config returns the configuration of the current or next start.
func (m *Manager) Config() config.Config {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg.Clone()
}

// Subscribe calls fn after every transition, in the order the
// transitions were made (an escalation to a forced stop included), on the
// goroutine that made it; subscribers are called in the order they
// subscribed. fn must not block and must not call the Manager's lifecycle
// methods. The returned function unsubscribes.
func (m *Manager) Subscribe(fn func(Transition)) (unsubscribe func()) {
	return m.transitions.add(fn)
}

// SubscribeIndex calls fn when a full index of the workspace starts and
// when it finishes, on the indexer's goroutines. fn must not block.
func (m *Manager) SubscribeIndex(fn func(ingest.Event)) (unsubscribe func()) {
	return m.indexEvents.add(fn)
}

// fire moves the state machine, records the transition and tells the
// subscribers. An illegal event is refused and logged.
func (m *Manager) fire(e Event, origin Origin, reason string) error {
	m.deliver.Lock()
	defer m.deliver.Unlock()
	m.mu.Lock()
	from := m.state
	to, err := Next(from, e)
	if err != nil {
		m.mu.Unlock()
		m.log.Error().Err(err).Msg("refused transition")
		return err
	}
	t := Transition{From: from, To: to, Event: e, Origin: origin, Reason: reason, At: time.Now()}
	m.state = to
	m.history = append(m.history, t)
	if len(m.history) > historySize {
		m.history = m.history[len(m.history)-historySize:]
	}
	m.mu.Unlock()

	ev := m.log.Info()
	if to == StateError {
		ev = m.log.Error()
	}
	ev.Str("from", string(from)).Str("to", string(to)).Str("event", string(e)).Str("origin", string(origin)).Str("reason", reason).Msg("state transition")
	m.transitions.send(t)
	return nil
}

// Start runs the phased startup and blocks until the engine is running or
// has failed. Starting a running engine returns ErrAlreadyRunning and
// changes nothing. Starting from error resets first. A start of a stopped
// or failed engine re-reads the configuration first (Options.LoadConfig),
// so that "fix X, then call engine_start" holds; a configuration that
// does not load is returned and leaves the engine as it was.
func (m *Manager) Start(ctx context.Context) error {
	return m.start(ctx, startPlan{reason: "engine_start", origin: OriginUser, reload: true})
}

// startPlan says why a start happens and whether it rebuilds the index.
type startPlan struct {
	reason  string
	origin  Origin // who starts: recorded in every transition of the start
	reindex bool   // drop the workspace collection and the ledger first
	reload  bool   // re-read the configuration unless the engine runs
	// lock is the indexer lock that a restart's stop kept or a takeover
	// got, for this start to claim first; nil when there is none.
	lock *lockHandoff
}

func (m *Manager) start(ctx context.Context, plan startPlan) error {
	underway := m.State() == StateStarting
	if err := m.ops.lock(ctx); err != nil {
		return fmt.Errorf("wait for the start or stop under way: %w", err)
	}
	defer m.ops.unlock()
	if underway {
		// Already starting: skip. The start under way
		// decides, and a failed one is not run again behind its back.
		m.mu.Lock()
		state, lastErr := m.state, m.last.lastError
		m.mu.Unlock()
		switch state {
		case StateRunning:
			return ErrAlreadyRunning
		case StateError:
			return fmt.Errorf("the start under way failed: %s", lastErr)
		case StateStopped:
			return fmt.Errorf("%w: the start under way was cancelled; the engine is stopped", ErrStartCancelled)
		}
	}
	if st := m.State(); plan.reload && m.opts.LoadConfig != nil && st != StateRunning {
		cfg, err := m.opts.LoadConfig()
		if err != nil {
			return fmt.Errorf("%s: reload configuration (the engine is left %s): %w", plan.reason, st, err)
		}
		m.mu.Lock()
		m.cfg = cfg
		m.mu.Unlock()
	}
	return m.startLocked(ctx, plan)
}

// opsLock is a mutex whose wait ends with a context: a second engine_stop
// or engine_start waits for the one under way only as long as its caller.
type opsLock chan struct{}

func (l opsLock) lock(ctx context.Context) error {
	select {
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (l opsLock) unlock() { <-l }

// startLocked is start with m.ops held.
func (m *Manager) startLocked(ctx context.Context, plan startPlan) error {
	reason := plan.reason
	startCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if err := context.Cause(startCtx); err != nil {
		return err // a start cancelled before it began changes nothing
	}
	m.mu.Lock()
	state, cfg := m.state, m.cfg.Clone() // the run validates and owns its copy
	m.startCancel = cancel
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.startCancel = nil
		m.mu.Unlock()
	}()

	switch state {
	case StateRunning:
		return ErrAlreadyRunning
	case StateError:
		if err := m.fire(EventReset, plan.origin, reason+" after error"); err != nil {
			return err
		}
	}
	if err := m.fire(EventStart, plan.origin, reason); err != nil {
		return err
	}
	begin := time.Now()
	tctx, tcancel := context.WithTimeoutCause(startCtx, cfg.Engine.StartupTimeout.D(), ErrStartupTimeout)
	defer tcancel()

	r, rec, err := m.startBounded(tctx, cfg, plan)
	if err != nil && (errors.Is(context.Cause(startCtx), ErrStartCancelled) || errors.Is(context.Cause(ctx), context.Canceled)) {
		// A deliberate stop, not a failure (engine_stop, or the caller
		// gave up: recovery cancelled by engine_stop, the process
		// shutting down): the start's components are stopped, and the
		// engine is stopped with nothing to report.
		m.mu.Lock()
		m.last = rec
		m.mu.Unlock()
		_ = m.fire(EventCancel, stopOrigin(context.Cause(startCtx), plan.origin), ErrStartCancelled.Error())
		return ErrStartCancelled
	}
	if err != nil {
		rec.lastError = err.Error()
		m.mu.Lock()
		m.last = rec
		m.mu.Unlock()
		_ = m.fire(EventFail, plan.origin, err.Error())
		return err
	}
	rec.startup, rec.startedAt = time.Since(begin), time.Now()
	m.mu.Lock()
	m.run, m.last = r, rec
	m.mu.Unlock()
	m.gate.set(true, true)
	return m.fire(EventComplete, plan.origin, fmt.Sprintf("started in %s", rec.startup.Round(time.Millisecond)))
}

// startBounded runs startup on its own goroutine so that a dependency that
// hangs and ignores its context cannot hold the engine past the startup
// timeout. An abandoned startup's components are stopped when it returns.
func (m *Manager) startBounded(ctx context.Context, cfg config.Config, plan startPlan) (*run, runRecord, error) {
	type outcome struct {
		r   *run
		rec runRecord
		err error
	}
	done := make(chan outcome, 1)
	m.bg.Add(1)
	go func() {
		defer m.bg.Done()
		r, rec, err := m.startup(ctx, cfg, plan)
		done <- outcome{r, rec, err}
	}()
	select {
	case o := <-done:
		return o.r, o.rec, o.err
	case <-ctx.Done():
	}
	// The start was cut short. A startup that honours its context returns
	// at once, having stopped what it started; give it the force-shutdown
	// grace to do so, then leave a hung one to a background owner.
	grace := time.NewTimer(cfg.Engine.ForceShutdownTimeout.D())
	defer grace.Stop()
	select {
	case o := <-done:
		if o.err == nil {
			m.stopComponents(o.r.comps, cfg.Engine.ForceShutdownTimeout.D(), false, nil)
		}
		o.rec.lastError = ""
		return nil, o.rec, startError(ctx)
	case <-grace.C:
	}
	m.bg.Add(1)
	go func() {
		defer m.bg.Done()
		if o := <-done; o.err == nil {
			m.stopComponents(o.r.comps, cfg.Engine.ForceShutdownTimeout.D(), false, nil)
		}
	}()
	return nil, runRecord{}, startError(ctx)
}

// startError describes why a start context ended.
func startError(ctx context.Context) error {
	cause := context.Cause(ctx)
	if errors.Is(cause, ErrStartupTimeout) {
		return fmt.Errorf("%w: engine did not become ready within engine.startup_timeout", ErrStartupTimeout)
	}
	return cause
}

// Wait blocks until every background cleanup that the Manager started has
// finished. Call it after the final Stop.
func (m *Manager) Wait() { m.bg.Wait() }

// Recover is connection recovery's restart: it stops the engine gracefully
// (resetting an error) and starts it again with the same configuration,
// recording reason and OriginRecovery in every transition so that
// subscribers can tell it from a deliberate stop. When ctx ends before the start begins, the
// engine is left stopped.
func (m *Manager) Recover(ctx context.Context, reason string) error {
	return m.cycle(ctx, startPlan{reason: reason, origin: OriginRecovery}, nil)
}

// Restart re-reads the configuration, stops the engine gracefully and
// starts a fresh set of components, so an edited configuration takes
// effect. A configuration that does not load is returned and leaves the
// engine as it was.
func (m *Manager) Restart(ctx context.Context) error {
	return m.restart(ctx, startPlan{reason: "engine_restart", origin: OriginUser})
}

// Reindex is Restart that also rebuilds the workspace index from scratch:
// the workspace collection and the ledger of file states are dropped
// before the engine starts, so every file is read and embedded again. It
// is the way out of an embedding-size mismatch. Notes are kept.
func (m *Manager) Reindex(ctx context.Context) error {
	return m.restart(ctx, startPlan{reason: "reindex", origin: OriginUser, reindex: true})
}

func (m *Manager) restart(ctx context.Context, plan startPlan) error {
	if plan.reindex {
		if r := m.currentRun(); r != nil && r.reader() {
			return fmt.Errorf("%w: reindex needs the indexer role, and pid %d indexes %s: call engine_restart with reindex: true on that server",
				ErrReader, r.link.holder.Load().PID, r.cfg.Storage.DataDir)
		}
	}
	var cfg *config.Config
	if m.opts.LoadConfig != nil {
		c, err := m.opts.LoadConfig()
		if err != nil {
			return fmt.Errorf("restart: reload configuration (the engine is left as it was): %w", err)
		}
		cfg = &c
	}
	return m.cycle(ctx, plan, cfg)
}

func (m *Manager) currentRun() *run {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.run
}

// cycle stops the engine and starts it again, under one hold of the
// lifecycle lock, so that a restart is one step: a second restart waits
// for the first to end and then does its own, and neither cancels the
// other's start. cfg, when not nil, replaces the configuration between.
// An indexer keeps the indexer lock from the stop to the start (the stop
// is given a lockHandoff), so that no reader takes over while it restarts
// and a reindex stays on this server; a lock the start did not claim is
// released at the end.
func (m *Manager) cycle(ctx context.Context, plan startPlan, cfg *config.Config) error {
	if err := m.ops.lock(ctx); err != nil {
		return fmt.Errorf("%s: wait for the start or stop under way: %w", plan.reason, err)
	}
	defer m.ops.unlock()
	plan.lock = keepLock()
	defer plan.lock.release()
	if _, err := m.stopLocked(ctx, StopOptions{Reason: plan.reason, Origin: plan.origin}, time.Now(), plan.lock); err != nil {
		return fmt.Errorf("%s: stop: %w", plan.reason, err)
	}
	if cfg != nil {
		m.mu.Lock()
		m.cfg = *cfg
		m.mu.Unlock()
	}
	return m.startLocked(ctx, plan)
}
