package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/embed/static"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/hfhub"
)

// EmbedderChoice is what provider auto chose and why, as engine_status
// shows it (embedding.choice) and engine_health's embedder check says it.
type EmbedderChoice struct {
	Provider string `json:"provider"` // "static" or "builtin"
	Reason   string `json:"reason"`
	// Hint says how to get the static model while builtin runs.
	Hint string `json:"hint,omitempty"`
}

// String is the choice in one sentence.
func (c EmbedderChoice) String() string {
	s := "embedding.provider auto runs " + c.Provider + ": " + c.Reason
	if c.Hint != "" {
		s += "; " + c.Hint
	}
	return s
}

// openAuto opens provider auto's embedder: the static model when it is
// cached (no network call) or downloads from hub within
// embedding.download_timeout, else the builtin embedder. It fails only
// when ctx ends: any trouble with the model is a reason to fall back.
func openAuto(ctx context.Context, cfg config.Config, hub hfhub.Hub) (embed.Embedder, EmbedderChoice, error) {
	e := cfg.Embedding
	fallback := func(reason string) (embed.Embedder, EmbedderChoice, error) {
		if err := ctx.Err(); err != nil {
			return nil, EmbedderChoice{}, fmt.Errorf("open the static model: %w", context.Cause(ctx))
		}
		hint := fmt.Sprintf("for the semantic model, run workspace-qdrant-mcp -fetch-model on a machine with network access "+
			"(it downloads %s into the hub cache %s), then engine_restart; embedding.provider: builtin keeps the builtin embedder without trying",
			e.Model, hub.Cache)
		if e.ModelPath != "" {
			hint = "fix the model at embedding.model_path, or clear it to use embedding.model from the hub, then engine_restart"
		}
		return embed.NewBuiltin(e.Dimensions, embed.WithCodeWords()), EmbedderChoice{Provider: "builtin", Reason: reason, Hint: hint}, nil
	}
	if e.ModelPath != "" {
		m, err := static.Open(ctx, hub, e.Model, e.Revision, e.ModelPath)
		if err != nil {
			return fallback(fmt.Sprintf("the model at embedding.model_path does not load: %v", err))
		}
		return m, EmbedderChoice{Provider: "static", Reason: "the model at embedding.model_path " + e.ModelPath}, nil
	}
	cached := hub
	cached.Offline = true // a cached snapshot is used with no network call
	if dir, commit, err := static.Fetch(ctx, cached, e.Model, e.Revision); err == nil {
		m, err := static.Load(dir, e.Model+"@"+commit)
		if err != nil {
			return fallback(fmt.Sprintf("the cached model %s does not load: %v", e.Model, err))
		}
		return m, EmbedderChoice{Provider: "static", Reason: fmt.Sprintf("%s at %s is cached in %s", e.Model, e.Revision, dir)}, nil
	}
	switch {
	case hub.Cache == "":
		return fallback(fmt.Sprintf("%s is not cached: %v", e.Model, hfhub.ErrNoCache))
	case hub.Offline:
		return fallback(fmt.Sprintf("%s is not cached and HF_HUB_OFFLINE forbids downloading it", e.Model))
	}
	// Half the start at most, so that the start goes on with builtin
	// instead of failing at engine.startup_timeout.
	bound := min(e.DownloadTimeout.D(), cfg.Engine.StartupTimeout.D()/2)
	dctx, cancel := context.WithTimeoutCause(ctx, bound, errDownloadSlow)
	defer cancel()
	begin := time.Now()
	dir, commit, err := static.Fetch(dctx, hub, e.Model, e.Revision)
	if err != nil {
		if errors.Is(context.Cause(dctx), errDownloadSlow) {
			return fallback(fmt.Sprintf("%s is not cached and its download from %s did not finish within %s (embedding.download_timeout, at most half engine.startup_timeout); the next start tries again",
				e.Model, hub.Endpoint, bound))
		}
		return fallback(fmt.Sprintf("%s is not cached and its download from %s failed: %v", e.Model, hub.Endpoint, err))
	}
	m, err := static.Load(dir, e.Model+"@"+commit)
	if err != nil {
		return fallback(fmt.Sprintf("the downloaded model %s does not load: %v", e.Model, err))
	}
	return m, EmbedderChoice{Provider: "static", Reason: fmt.Sprintf("%s at %s was downloaded into %s in %s",
		e.Model, e.Revision, dir, time.Since(begin).Round(time.Millisecond))}, nil
}

var errDownloadSlow = errors.New("embedding.download_timeout reached")
