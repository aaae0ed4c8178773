package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Validate checks every key and reports all problems at once, each with
// its key path. It also makes workspace roots and the data directory
// absolute and clean.
func (c *Config) Validate() error {
	var p problems
	c.validateWorkspace(&p)
	c.validateStorage(&p)
	switch c.Embedding.Provider {
	case "builtin":
	default:
		p.add("embedding.provider", "unknown provider %q (want builtin)", c.Embedding.Provider)
	}
	if c.Embedding.Dimensions < 8 || c.Embedding.Dimensions > 8192 {
		p.add("embedding.dimensions", "must be between 8 and 8192, got %d", c.Embedding.Dimensions)
	}
	e := c.Engine
	p.positiveDuration("engine.startup_timeout", e.StartupTimeout)
	p.positiveDuration("engine.shutdown_timeout", e.ShutdownTimeout)
	p.positiveDuration("engine.force_shutdown_timeout", e.ForceShutdownTimeout)
	if e.Workers < 1 || e.Workers > 256 {
		p.add("engine.workers", "must be between 1 and 256, got %d", e.Workers)
	}
	if e.QueueCapacity < 1 {
		p.add("engine.queue_capacity", "must be at least 1, got %d", e.QueueCapacity)
	}
	switch strings.ToLower(c.Logging.Level) {
	case "trace", "debug", "info", "warn", "error":
	default:
		p.add("logging.level", "unknown level %q (want trace, debug, info, warn or error)", c.Logging.Level)
	}
	return p.err()
}

func (c *Config) validateWorkspace(p *problems) {
	w := &c.Workspace
	for i, root := range w.Roots {
		key := fmt.Sprintf("workspace.roots[%d]", i)
		if root == "" {
			p.add(key, "must not be empty")
			continue
		}
		abs, err := filepath.Abs(root)
		if err != nil {
			p.add(key, "%v", err)
			continue
		}
		info, err := os.Stat(abs)
		switch {
		case err != nil:
			p.add(key, "%s does not exist or cannot be read: %v", abs, err)
		case !info.IsDir():
			p.add(key, "%s is not a directory", abs)
		default:
			// Resolve symlinks so that paths found by walking and paths
			// given to tools compare equal.
			if resolved, err := filepath.EvalSymlinks(abs); err == nil {
				abs = resolved
			}
			w.Roots[i] = abs
		}
	}
	if w.MaxFileBytes < 1 {
		p.add("workspace.max_file_bytes", "must be at least 1, got %d", w.MaxFileBytes)
	}
	if w.Debounce < 0 {
		p.add("workspace.debounce", "must not be negative, got %s", w.Debounce)
	}
	if w.ChunkChars < 100 {
		p.add("workspace.chunk_chars", "must be at least 100, got %d", w.ChunkChars)
	}
	if w.ChunkOverlap < 0 || w.ChunkOverlap >= w.ChunkChars {
		p.add("workspace.chunk_overlap", "must be between 0 and workspace.chunk_chars-1, got %d", w.ChunkOverlap)
	}
	if w.Collection == "" {
		p.add("workspace.collection", "must not be empty")
	}
}

func (c *Config) validateStorage(p *problems) {
	switch c.Storage.Backend {
	case "embedded":
	case "qdrant":
		p.add("storage.backend", "qdrant is not available in this build yet (want embedded)")
	default:
		p.add("storage.backend", "unknown backend %q (want embedded or qdrant)", c.Storage.Backend)
	}
	if c.Storage.DataDir == "" {
		p.add("storage.data_dir", "must not be empty")
		return
	}
	abs, err := filepath.Abs(os.ExpandEnv(c.Storage.DataDir))
	if err != nil {
		p.add("storage.data_dir", "%v", err)
		return
	}
	c.Storage.DataDir = abs
	for i, root := range c.Workspace.Roots {
		if within(abs, root) {
			p.add("storage.data_dir", "%s lies inside workspace.roots[%d] (%s); the server never writes into the workspace", abs, i, root)
		}
	}
}

func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// problems collects validation errors.
type problems []string

func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, key+": "+fmt.Sprintf(format, args...))
}

func (p *problems) positiveDuration(key string, d Duration) {
	if d <= 0 {
		p.add(key, "must be a positive duration such as 30s or 500ms, got %s", d)
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n  %s", ErrInvalid, strings.Join(p, "\n  "))
}
