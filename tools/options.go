package tools

import (
	"context"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/health"
	"workspace-qdrant-mcp/recovery"
)

// Option adds a collaborator of the engine to the tools.
type Option func(*options)

type options struct {
	health   *health.Monitor
	recovery *recovery.Manager
}

// WithHealth makes engine_health report the monitor's alerts and history
// and its pipeline progress verdict.
func WithHealth(m *health.Monitor) Option { return func(o *options) { o.health = m } }

// WithRecovery makes the tools work with connection recovery: engine_stop
// cancels it (the user's intent wins), engine_start and engine_restart
// leave degraded mode, workspace tools (and the calls readers forward to
// this server) refuse in degraded mode, through the engine's admission
// hook, naming what is down, and engine_status and engine_health show its
// state.
func WithRecovery(r *recovery.Manager) Option { return func(o *options) { o.recovery = r } }

// admitter is an engine with an admission hook, as *engine.Manager has:
// recovery's refusal in degraded mode is bound to it, so that it covers
// the operations that readers forward to this server too.
type admitter interface {
	SetAdmission(func(engine.Op) error)
}

// admitThrough makes eng refuse, in recovery's degraded mode, what needs
// a component that is down: only what needs a lost component is refused.
func admitThrough(eng Engine, rec *recovery.Manager) {
	if a, ok := eng.(admitter); ok {
		a.SetAdmission(func(op engine.Op) error { return rec.Refusal(op.Needs...) })
	}
}

// guarded is the engine as the tools see it when recovery is wired.
type guarded struct {
	Engine
	rec *recovery.Manager
}

func (g guarded) Start(ctx context.Context) error {
	g.rec.ClearDegraded("engine_start")
	return g.Engine.Start(ctx)
}

func (g guarded) Restart(ctx context.Context) error {
	g.rec.ClearDegraded("engine_restart")
	return g.Engine.Restart(ctx)
}

func (g guarded) Reindex(ctx context.Context) error {
	g.rec.ClearDegraded("engine_restart")
	return g.Engine.Reindex(ctx)
}

// Stop cancels recovery first, so that nothing restarts the engine behind
// the user's back.
func (g guarded) Stop(ctx context.Context, opts engine.StopOptions) (engine.StopResult, error) {
	g.rec.Cancel("engine_stop")
	return g.Engine.Stop(ctx, opts)
}
