package static

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/hfhub"
)

// DefaultModel is the model of provider static when none is configured:
// Model2Vec's code model (MIT licence, about 30 MB).
const DefaultModel = config.DefaultStaticModel

// Fetch gets the files of a Model2Vec model from the hub into its cache,
// and returns the snapshot directory and the commit the revision resolved
// to. It makes no network call when they are cached. A repository in
// the sentence-transformers layout (0_StaticEmbedding/) is fetched as
// such.
func Fetch(ctx context.Context, hub hfhub.Hub, repo, revision string) (dir, commit string, err error) {
	get := func(file string) (string, error) {
		p, c, err := hub.Fetch(ctx, repo, revision, file)
		if err == nil {
			commit = c
		}
		return p, err
	}
	model, err := get("model.safetensors")
	prefix := ""
	_, _, stCached := hub.Cached(repo, revision, "0_StaticEmbedding/model.safetensors")
	if errors.Is(err, hfhub.ErrNotFound) || (err != nil && stCached) {
		prefix = "0_StaticEmbedding/"
		model, err = get(prefix + "model.safetensors")
	}
	if err != nil {
		return "", "", fmt.Errorf("fetch model %s: %w", repo, err)
	}
	if _, err := get(prefix + "tokenizer.json"); err != nil {
		return "", "", fmt.Errorf("fetch model %s: %w", repo, err)
	}
	if _, err := get("config.json"); err != nil && !errors.Is(err, hfhub.ErrNotFound) {
		return "", "", fmt.Errorf("fetch model %s: %w", repo, err)
	}
	dir = filepath.Dir(model)
	if prefix != "" {
		dir = filepath.Dir(dir)
	}
	return dir, commit, nil
}

// Open loads the model at path when it is set (a local directory), or
// else repo at revision from the hub, fetching it first if need be.
func Open(ctx context.Context, hub hfhub.Hub, repo, revision, path string) (*Model, error) {
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("embedding.model_path %s is not a directory", path)
		}
		return Load(abs, "local:"+abs)
	}
	dir, commit, err := Fetch(ctx, hub, repo, revision)
	if err != nil {
		return nil, err
	}
	return Load(dir, repo+"@"+commit)
}
