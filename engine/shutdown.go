package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/internal/config"
)

// StopOptions tunes one stop.
type StopOptions struct {
	// Timeout bounds the wait for queued and active tasks; 0 means
	// engine.shutdown_timeout.
	Timeout time.Duration
	// Force skips the drain and stops every component at once.
	Force  bool
	Reason string // for the transition record; "" means "engine_stop"
	// Origin is who stops, for the transition record; "" means
	// OriginUser.
	Origin Origin
}

// startCancelled is the cause of a start that a stop cancelled: it is
// ErrStartCancelled, and it says who stopped.
type startCancelled struct{ origin Origin }

func (c startCancelled) Error() string { return ErrStartCancelled.Error() }
func (c startCancelled) Unwrap() error { return ErrStartCancelled }

// stopOrigin is the origin of the stop that cancelled a start with cause,
// or def when no stop did (the start's caller gave up).
func stopOrigin(cause error, def Origin) Origin {
	var c startCancelled
	if errors.As(cause, &c) {
		return c.origin
	}
	return def
}

// StopResult reports what a stop did.
type StopResult struct {
	State          State   `json:"state"`
	DrainedTasks   int     `json:"drained_tasks"`
	RemainingTasks int     `json:"remaining_tasks"`
	DurationMS     float64 `json:"duration_ms"`
	Forced         bool    `json:"forced"`
	Message        string  `json:"message,omitempty"`
}

// progressEvery is how often a drain logs its progress.
const progressEvery = 5 * time.Second

// Stop stops the engine. Gracefully (the default): stop accepting work,
// wait for queued and active tasks up to the timeout, stop services in
// reverse order, clean up. Forced: stop every component at once, bounded by
// engine.force_shutdown_timeout. A Stop while another stop is under way
// waits for it (see awaitStop), escalating it when Force. Stopping a
// stopped engine is harmless; stopping during startup cancels the start.
func (m *Manager) Stop(ctx context.Context, opts StopOptions) (StopResult, error) {
	begin := time.Now()
	if opts.Reason == "" {
		opts.Reason = "engine_stop"
	}
	if opts.Origin == "" {
		opts.Origin = OriginUser
	}
	m.mu.Lock()
	cancelled := m.startCancel != nil && m.state == StateStarting
	if cancelled {
		m.startCancel(startCancelled{opts.Origin})
	}
	underway := m.state == StateStopping
	escalated := false
	if opts.Force && underway && m.escalate != nil {
		close(m.escalate)
		m.escalate, escalated = nil, true
	}
	wait := m.cfg.Engine.ShutdownTimeout.D() + m.cfg.Engine.ForceShutdownTimeout.D()
	m.mu.Unlock()
	if escalated {
		_ = m.fire(EventForceStop, opts.Origin, opts.Reason+" (escalated)")
	}
	if !underway {
		if err := m.ops.lock(ctx); err != nil {
			return StopResult{State: m.State()}, fmt.Errorf("wait for the start under way to stop: %w", err)
		}
		defer m.ops.unlock()
		res, err := m.stopLocked(ctx, opts, begin, nil)
		if cancelled && err == nil && res.State == StateStopped {
			res.Message = "the start under way was cancelled; the engine is stopped"
		}
		return res, err
	}

	if opts.Timeout > 0 {
		wait = opts.Timeout
	}
	return m.awaitStop(ctx, opts, begin, wait, escalated)
}

// awaitStop is Stop while another stop is under way: it waits for that
// one, as long as wait and ctx allow, rather than stop again, and its
// outcome is this call's; escalated says whether this call forced it.
func (m *Manager) awaitStop(ctx context.Context, opts StopOptions, begin time.Time, wait time.Duration, escalated bool) (StopResult, error) {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := m.ops.lock(wctx); err != nil {
		return StopResult{State: m.State(), Forced: escalated}, fmt.Errorf("the stop under way has not finished within %s: %w", wait, err)
	}
	defer m.ops.unlock()
	if st := m.State(); st != StateStopped && st != StateError {
		// The stop under way was a restart's or a takeover's, and the
		// engine runs again: this call stops it.
		return m.stopLocked(ctx, opts, begin, nil)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	res := StopResult{State: m.state, Forced: escalated, DurationMS: ms(time.Since(begin)),
		Message: "the stop under way finished: engine " + string(m.state)}
	if m.state == StateError {
		res.Message += ": " + m.last.lastError
	}
	return res, nil
}

// stopLocked is Stop with m.ops held, once a start under way has been
// cancelled. An indexer's lock is handed to lock when it keeps it (a
// restart's stop), and released otherwise (lock is nil).
func (m *Manager) stopLocked(ctx context.Context, opts StopOptions, begin time.Time, lock *lockHandoff) (StopResult, error) {
	m.mu.Lock()
	state, r, cfg := m.state, m.run, m.cfg
	m.mu.Unlock()

	res := StopResult{State: state}
	switch state {
	case StateStopped:
		res.Message = "engine already stopped"
		res.DurationMS = ms(time.Since(begin))
		return res, nil
	case StateError:
		if err := m.fire(EventReset, opts.Origin, opts.Reason); err != nil {
			return res, err
		}
		res.State = StateStopped
		res.Message = "engine was in error; reset to stopped"
		res.DurationMS = ms(time.Since(begin))
		return res, nil
	}
	if opts.Timeout <= 0 {
		opts.Timeout = cfg.Engine.ShutdownTimeout.D()
	}
	var failed []error
	if opts.Force {
		res, failed = m.forceStop(r, cfg.Engine.ForceShutdownTimeout.D(), opts.Origin, opts.Reason, lock)
	} else {
		res, failed = m.gracefulStop(ctx, r, opts.Timeout, cfg.Engine.ForceShutdownTimeout.D(), opts.Origin, opts.Reason, lock)
	}
	m.mu.Lock()
	m.run = nil
	m.last.startup = 0 // startup_seconds describes the run, which is over
	m.mu.Unlock()
	m.finalCleanup(cfg, r != nil && !r.reader())
	res.DurationMS = ms(time.Since(begin))
	if len(failed) > 0 {
		// STOPPING → ERROR (see the package diagram): a status of stopped would hide
		// what is still running or still open.
		err := fmt.Errorf("%w: %w", ErrStopIncomplete, errors.Join(failed...))
		m.mu.Lock()
		m.last.lastError = err.Error()
		m.mu.Unlock()
		if ferr := m.fire(EventFail, opts.Origin, err.Error()); ferr != nil {
			return res, ferr
		}
		res.State, res.Message = StateError, err.Error()+"; engine_start starts it again"
		return res, err
	}
	if err := m.fire(EventStopped, opts.Origin, opts.Reason); err != nil {
		return res, err
	}
	res.State = StateStopped
	return res, nil
}

// gracefulStop is a graceful stop in three phases: stop accepting work,
// complete the work in flight (bounded by drain), stop the components in
// reverse start order.
func (m *Manager) gracefulStop(ctx context.Context, r *run, drain, force time.Duration, origin Origin, reason string, lock *lockHandoff) (StopResult, []error) {
	escalate := make(chan struct{})
	m.mu.Lock()
	m.escalate = escalate
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.escalate = nil
		m.mu.Unlock()
	}()
	_ = m.fire(EventStop, origin, reason)
	if r.pipeline == nil { // a reader: nothing to drain
		m.gate.set(true, false)
		m.closeGate(force)
		return StopResult{}, m.stopComponents(r.comps, force, false, lock)
	}

	// Phase 1: stop accepting. Writes are refused, reads still served.
	m.gate.set(true, false)
	if r.indexer != nil {
		r.indexer.Pause()
	}
	r.pipeline.StopAccepting()
	before := r.pipeline.Stats()

	// Phase 2: complete active work.
	dctx, cancel := context.WithTimeout(ctx, drain)
	defer cancel()
	go func() {
		select {
		case <-escalate:
			cancel()
		case <-dctx.Done():
		}
	}()
	forced := m.drain(dctx, r, escalate)

	after := r.pipeline.Stats()
	res := StopResult{
		DrainedTasks:   int((after.Completed + after.Failed + after.Panicked) - (before.Completed + before.Failed + before.Panicked)),
		RemainingTasks: after.Queued + after.Active + pendingFiles(r),
		Forced:         forced,
	}
	// Phase 3: shut services down in reverse dependency order.
	m.closeGate(force)
	return res, m.stopComponents(r.comps, force, forced, lock)
}

// drain waits for the pipeline to be idle, logging progress; it reports
// whether the stop was escalated to a forced one.
func (m *Manager) drain(ctx context.Context, r *run, escalate <-chan struct{}) bool {
	begin := time.Now()
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	idle := make(chan error, 1)
	go func() { idle <- r.pipeline.WaitIdle(ctx) }()
	for {
		select {
		case err := <-idle:
			st := r.pipeline.Stats()
			select {
			case <-escalate:
				m.log.Warn().Int("active", st.Active).Int("queued", st.Queued).Msg("stop escalated to force")
				return true
			default:
			}
			if err != nil {
				m.log.Warn().Int("active", st.Active).Int("queued", st.Queued).Dur("waited", time.Since(begin)).
					Msg("shutdown timeout reached; remaining work stays pending for the next start")
			} else {
				m.log.Info().Msg("all tasks completed")
			}
			return false
		case <-tick.C:
			st := r.pipeline.Stats()
			m.log.Info().Int("active", st.Active).Int("queued", st.Queued).
				Int("elapsed_s", int(time.Since(begin).Seconds())).Msg("waiting for tasks to complete")
		}
	}
}

// forceStop is a forced stop: every component at once, without a drain.
func (m *Manager) forceStop(r *run, force time.Duration, origin Origin, reason string, lock *lockHandoff) (StopResult, []error) {
	_ = m.fire(EventForceStop, origin, reason)
	var st pipeline.Stats
	if r.pipeline != nil {
		st = r.pipeline.Stats()
	}
	m.closeGate(force)
	return StopResult{RemainingTasks: st.Queued + st.Active + pendingFiles(r), Forced: true}, m.stopComponents(r.comps, force, true, lock)
}

// pendingFiles counts the files whose work is pending in the ledger but
// in no pipeline task: not yet handed over, or failed while a dependency
// was down. The next start does them.
func pendingFiles(r *run) int {
	if r.indexer == nil {
		return 0
	}
	st := r.indexer.Stats()
	return st.Waiting + st.Failed
}

// closeGate refuses every workspace operation and waits, bounded, for
// those in flight.
func (m *Manager) closeGate(bound time.Duration) {
	m.gate.set(false, false)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	if err := m.gate.wait(ctx); err != nil {
		m.log.Warn().Msg("workspace operations still in flight at shutdown")
	}
}

// stopGrace is how long a component's stop may run past its context
// before it is reported as not stopped and left to m.bg.
const stopGrace = 250 * time.Millisecond

// stopComponents stops comps and returns the errors of those that failed
// or did not stop in time. Gracefully, in reverse start order within one
// bound for them all; once the bound is spent, the rest are stopped at
// once, as a forced stop does, within another. Forced (force), all at once
// within bound. A stop that outlives its context by stopGrace is left
// running to m.bg (Wait), so that no stop, and no Stop, hangs. A stop
// that keeps the indexer lock (lock.keeping) hands it over rather than
// release it; lock may be nil.
func (m *Manager) stopComponents(comps []component, bound time.Duration, force bool, lock *lockHandoff) []error {
	var errs []error
	rest := comps
	if !force {
		ctx, cancel := context.WithTimeout(context.Background(), bound)
		for ; len(rest) > 0 && ctx.Err() == nil; rest = rest[:len(rest)-1] {
			if err := m.stopOne(ctx, rest[len(rest)-1], lock); err != nil {
				errs = append(errs, err)
			}
		}
		cancel()
		if len(rest) == 0 {
			return errs
		}
		m.log.Warn().Dur("bound", bound).Int("services", len(rest)).
			Msg("services did not stop in order within engine.force_shutdown_timeout; stopping the rest at once")
	}
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	results := make([]error, len(rest))
	var wg sync.WaitGroup
	for i, c := range rest {
		wg.Go(func() { results[i] = m.stopOne(ctx, c, lock) })
	}
	wg.Wait()
	for _, err := range results {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// stopOne stops c within ctx (plus stopGrace) and logs the outcome.
func (m *Manager) stopOne(ctx context.Context, c component, lock *lockHandoff) error {
	if c.handOff != nil && lock.keeping() {
		c.handOff(lock)
		m.log.Debug().Str("service", c.name).Msg("service kept for the next start")
		return nil
	}
	done := make(chan error, 1)
	m.bg.Go(func() { done <- c.stop(ctx) })
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		grace := time.NewTimer(stopGrace)
		defer grace.Stop()
		select {
		case err = <-done:
		case <-grace.C:
			err = fmt.Errorf("did not stop within engine.force_shutdown_timeout: %w", context.Cause(ctx))
		}
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", c.name, err)
		m.log.Warn().Err(err).Str("service", c.name).Msg("service shutdown error")
		return err
	}
	m.log.Debug().Str("service", c.name).Msg("service stopped")
	return nil
}

// finalCleanup removes an indexer's temporary files (the data directory's
// tmp, which only the indexer uses) and flushes logs.
func (m *Manager) finalCleanup(cfg config.Config, indexer bool) {
	if !indexer {
		// A reader leaves the shared data directory alone.
	} else if err := os.RemoveAll(tempDir(cfg)); err != nil && !errors.Is(err, os.ErrNotExist) {
		m.log.Warn().Err(err).Msg("remove temporary files")
	}
	if m.opts.FlushLogs != nil {
		if err := m.opts.FlushLogs(); err != nil {
			m.log.Warn().Err(fmt.Errorf("flush logs: %w", err)).Msg("final cleanup")
		}
	}
}
