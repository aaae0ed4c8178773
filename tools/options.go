package tools

import (
	"context"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/storage"
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
// leave degraded mode, workspace tools refuse in degraded mode naming
// what is down, and engine_status and engine_health show its state.
func WithRecovery(r *recovery.Manager) Option { return func(o *options) { o.recovery = r } }

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

// Components the workspace tools need, for recovery's refusal in degraded
// mode: only what needs a lost component is refused.
const (
	needStorage  = engine.CheckStorage
	needEmbedder = engine.CheckEmbedder
)

func (g guarded) WaitIndexed(ctx context.Context, progress func(done, total int)) error {
	if err := g.rec.Refusal(needStorage, needEmbedder); err != nil {
		return err
	}
	return g.Engine.WaitIndexed(ctx, progress)
}

// Search in hybrid mode answers from its keyword leg while the embedder is
// down: only a semantic search needs it.
func (g guarded) Search(ctx context.Context, req engine.SearchRequest) (engine.SearchResponse, error) {
	needs := []string{needStorage}
	if req.Mode == storage.ModeSemantic {
		needs = append(needs, needEmbedder)
	}
	if err := g.rec.Refusal(needs...); err != nil {
		return engine.SearchResponse{}, err
	}
	return g.Engine.Search(ctx, req)
}

func (g guarded) FindRelated(ctx context.Context, req engine.RelatedRequest) (engine.RelatedResponse, error) {
	if err := g.rec.Refusal(needStorage); err != nil {
		return engine.RelatedResponse{}, err
	}
	return g.Engine.FindRelated(ctx, req)
}

func (g guarded) AddDocument(ctx context.Context, req engine.AddDocumentRequest) (engine.AddDocumentResult, error) {
	if err := g.rec.Refusal(needStorage, needEmbedder); err != nil {
		return engine.AddDocumentResult{}, err
	}
	return g.Engine.AddDocument(ctx, req)
}

func (g guarded) GetDocument(ctx context.Context, ref engine.DocumentRef) (storage.Document, error) {
	if err := g.rec.Refusal(needStorage); err != nil {
		return storage.Document{}, err
	}
	return g.Engine.GetDocument(ctx, ref)
}

func (g guarded) DeleteDocument(ctx context.Context, ref engine.DocumentRef) (string, int, error) {
	if err := g.rec.Refusal(needStorage); err != nil {
		return "", 0, err
	}
	return g.Engine.DeleteDocument(ctx, ref)
}

func (g guarded) ListCollections(ctx context.Context) ([]storage.CollectionInfo, error) {
	if err := g.rec.Refusal(needStorage); err != nil {
		return nil, err
	}
	return g.Engine.ListCollections(ctx)
}
