package engine

import (
	"context"
	"fmt"
	"os"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/embed/static"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/engine/storage/qdrant"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/hfhub"
)

// openStore opens the configured storage backend.
func openStore(ctx context.Context, cfg config.Config) (storage.Store, error) {
	switch cfg.Storage.Backend {
	case "embedded":
		return embedded.Open(ctx, cfg.Storage.DataDir, embedded.Options{Analyzer: analysis.Terms})
	case "qdrant":
		q := cfg.Storage.Qdrant
		st, err := qdrant.Open(ctx, qdrant.Options{
			URL: q.URL, APIKey: q.Key(), TLS: q.TLS, Timeout: q.Timeout.D(),
			CollectionPrefix: q.CollectionPrefix, Analyzer: analysis.Terms,
		})
		if err != nil {
			return nil, err
		}
		return st, nil
	default:
		return nil, fmt.Errorf("storage.backend %q is not supported", cfg.Storage.Backend)
	}
}

// newEmbedder creates the configured embedder.
func newEmbedder(ctx context.Context, cfg config.Config) (embed.Embedder, error) {
	switch cfg.Embedding.Provider {
	case "builtin":
		return embed.NewBuiltin(cfg.Embedding.Dimensions, embed.WithCodeWords()), nil
	case "static":
		e := cfg.Embedding
		return static.Open(ctx, hfhub.FromEnv(), e.Model, e.Revision, e.ModelPath)
	case "auto":
		emb, _, err := openAuto(ctx, cfg, hfhub.FromEnv())
		return emb, err
	case "openai", "ollama":
		e := cfg.Embedding
		o := embed.Options{
			URL: e.URL, Model: e.Model, Dimensions: e.Dimensions,
			BatchSize: e.BatchSize, MaxInputTokens: e.MaxInputTokens,
			Timeout: e.Timeout.D(), Concurrency: e.Concurrency,
		}
		if e.APIKeyEnv != "" {
			// Read at every start, so a restart picks up a rotated key.
			if o.APIKey = os.Getenv(e.APIKeyEnv); o.APIKey == "" {
				return nil, fmt.Errorf("embedding.api_key_env: environment variable %s is not set or empty", e.APIKeyEnv)
			}
		}
		if e.Provider == "openai" {
			return embed.NewOpenAI(o)
		}
		return embed.NewOllama(o)
	default:
		return nil, fmt.Errorf("embedding.provider %q is not supported", cfg.Embedding.Provider)
	}
}

// newIndexer creates the workspace indexer of the ingest package.
func newIndexer(d ingest.Deps) (Indexer, error) { return ingest.New(d) }
