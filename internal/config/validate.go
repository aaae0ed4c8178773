package config

import (
	"fmt"
	"maps"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"workspace-qdrant-mcp/engine/ingest/ignore"

	"workspace-qdrant-mcp/internal/paths"
)

// Validate checks every key and reports all problems at once, each with
// its key path. It also makes workspace roots and the data directory
// absolute and clean.
func (c *Config) Validate() error {
	var p problems
	c.validate(&p)
	return p.err()
}

// validate adds every problem of c to p.
func (c *Config) validate(p *problems) {
	c.validateWorkspace(p)
	c.validateStorage(p)
	c.validateEmbedding(p)
	e := c.Engine
	p.positiveDuration("engine.startup_timeout", e.StartupTimeout)
	p.positiveDuration("engine.shutdown_timeout", e.ShutdownTimeout)
	p.positiveDuration("engine.force_shutdown_timeout", e.ForceShutdownTimeout)
	p.positiveDuration("engine.peer_timeout", e.PeerTimeout)
	if e.PeerTimeout > 0 && e.PeerTimeout <= c.Embedding.Timeout {
		p.add("engine.peer_timeout", "must be longer than embedding.timeout (%s), got %s: a reader's add_document embeds on the indexer",
			c.Embedding.Timeout.D(), e.PeerTimeout.D())
	}
	if e.Workers < 1 || e.Workers > 256 {
		p.add("engine.workers", "must be between 1 and 256, got %d", e.Workers)
	}
	if e.MemoryLimitMB < 0 {
		p.add("engine.memory_limit_mb", "must be 0 (no limit) or more, got %d", e.MemoryLimitMB)
	}
	if e.QueueCapacity < 1 {
		p.add("engine.queue_capacity", "must be at least 1, got %d", e.QueueCapacity)
	}
	c.validateHealth(p)
	c.validateRecovery(p)
	c.validateLSP(p)
	switch strings.ToLower(c.Logging.Level) {
	case "trace", "debug", "info", "warn", "error":
	default:
		p.add("logging.level", "unknown level %q (want trace, debug, info, warn or error)", c.Logging.Level)
	}
}

// validateLSP checks the lsp keys.
func (c *Config) validateLSP(p *problems) {
	p.positiveDuration("lsp.request_timeout", c.LSP.RequestTimeout)
	p.positiveDuration("lsp.warmup_timeout", c.LSP.WarmupTimeout)
	for _, lang := range slices.Sorted(maps.Keys(c.LSP.Servers)) {
		s := c.LSP.Servers[lang]
		if strings.TrimSpace(lang) == "" {
			p.add("lsp.servers", "a language name must not be empty")
		}
		if s.Command == "" && len(s.Args) > 0 {
			p.add("lsp.servers."+lang+".command", "must be set when args are (an empty command turns the language off)")
		}
	}
}

// Bounds of the health and recovery keys.
const (
	MaxHistorySize  = 10000
	MaxAttempts     = 100
	MaxFailedChecks = 100
)

func (c *Config) validateHealth(p *problems) {
	h := c.Health
	p.positiveDuration("health.interval", h.Interval)
	if h.HistorySize < 1 || h.HistorySize > MaxHistorySize {
		p.add("health.history_size", "must be between 1 and %d, got %d", MaxHistorySize, h.HistorySize)
	}
	p.positiveNumber("health.thresholds.cpu_percent", h.Thresholds.CPUPercent)
	p.positiveNumber("health.thresholds.memory_mb", h.Thresholds.MemoryMB)
	p.positiveNumber("health.thresholds.response_time_ms", h.Thresholds.ResponseTimeMS)
}

func (c *Config) validateRecovery(p *problems) {
	r := c.Recovery
	if r.FailedChecks < 1 || r.FailedChecks > MaxFailedChecks {
		p.add("recovery.failed_checks", "must be between 1 and %d, got %d", MaxFailedChecks, r.FailedChecks)
	}
	p.positiveDuration("recovery.initial_delay", r.InitialDelay)
	p.positiveDuration("recovery.max_delay", r.MaxDelay)
	if r.InitialDelay > 0 && r.MaxDelay > 0 && r.MaxDelay < r.InitialDelay {
		p.add("recovery.max_delay", "must be at least recovery.initial_delay (%s), got %s", r.InitialDelay, r.MaxDelay)
	}
	if r.MaxAttempts < 1 || r.MaxAttempts > MaxAttempts {
		p.add("recovery.max_attempts", "must be between 1 and %d, got %d", MaxAttempts, r.MaxAttempts)
	}
}

// DefaultStaticModel is embedding.model for provider static when unset.
const DefaultStaticModel = "minishlab/potion-code-16M"

// Bounds of the embedding keys.
const (
	MaxEmbeddingDimensions = 8192
	MaxBatchSize           = 2048
	MaxEmbedConcurrency    = 64
)

// validateEmbedding checks the embedding keys. For the builtin provider
// the remote-only keys (url, model, api_key_env, ...) are ignored, not
// rejected, so that switching providers is a one-line change.
func (c *Config) validateEmbedding(p *problems) {
	e := &c.Embedding
	if e.Dimensions < 8 || e.Dimensions > MaxEmbeddingDimensions {
		p.add("embedding.dimensions", "must be between 8 and %d, got %d", MaxEmbeddingDimensions, e.Dimensions)
	}
	switch e.Provider {
	case "builtin":
		return
	case "static", "auto":
		if e.ModelPath == "" && strings.TrimSpace(e.Model) == "" {
			e.Model = DefaultStaticModel
		}
		if e.Revision == "" {
			e.Revision = "main"
		}
		if e.ModelPath == "" && strings.Count(e.Model, "/") != 1 {
			p.add("embedding.model", "must be a hub repository id, owner/name (e.g. %s), or set embedding.model_path, got %q", DefaultStaticModel, e.Model)
		}
		if e.Provider == "auto" {
			p.positiveDuration("embedding.download_timeout", e.DownloadTimeout)
		}
		return
	case "openai", "ollama":
	default:
		p.add("embedding.provider", "unknown provider %q (want auto, builtin, static, openai or ollama)", e.Provider)
		return
	}
	if e.URL == "" {
		p.add("embedding.url", "must be set for provider %s (e.g. %s)", e.Provider, exampleURL[e.Provider])
	} else if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add("embedding.url", "%q is not an http:// or https:// URL (e.g. %s)", e.URL, exampleURL[e.Provider])
	}
	if strings.TrimSpace(e.Model) == "" {
		p.add("embedding.model", "must be set for provider %s (e.g. %s)", e.Provider, exampleModel[e.Provider])
	}
	if e.APIKeyEnv != "" {
		// Never echo a value that is not a variable name: it may be the
		// key itself, pasted in the wrong place.
		if !envName.MatchString(e.APIKeyEnv) {
			p.add("embedding.api_key_env", "must be the name of an environment variable (letters, digits and _), not the key itself")
		} else if os.Getenv(e.APIKeyEnv) == "" {
			p.add("embedding.api_key_env", "environment variable %s is not set or empty; export the API key in it, or remove api_key_env for a server without authentication", e.APIKeyEnv)
		}
	}
	if e.BatchSize < 1 || e.BatchSize > MaxBatchSize {
		p.add("embedding.batch_size", "must be between 1 and %d, got %d", MaxBatchSize, e.BatchSize)
	}
	switch {
	case e.MaxInputTokens == 0:
		e.MaxInputTokens = DefaultMaxInputTokens[e.Provider]
	case e.MaxInputTokens < 16:
		p.add("embedding.max_input_tokens", "must be at least 16 (or 0 for the provider's default), got %d", e.MaxInputTokens)
	}
	p.positiveDuration("embedding.timeout", e.Timeout)
	if e.Concurrency < 1 || e.Concurrency > MaxEmbedConcurrency {
		p.add("embedding.concurrency", "must be between 1 and %d, got %d", MaxEmbedConcurrency, e.Concurrency)
	}
}

var (
	envName      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	exampleURL   = map[string]string{"openai": "https://api.openai.com/v1", "ollama": "http://localhost:11434"}
	exampleModel = map[string]string{"openai": "text-embedding-3-small", "ollama": "nomic-embed-text"}
)

func (c *Config) validateWorkspace(p *problems) {
	w := &c.Workspace
	for i, pat := range w.Ignore {
		if err := ignore.ValidatePattern(pat); err != nil {
			p.add(fmt.Sprintf("workspace.ignore[%d]", i), "%v (gitignore syntax)", err)
		}
	}
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
		c.validateQdrant(p)
	default:
		p.add("storage.backend", "unknown backend %q (want embedded or qdrant)", c.Storage.Backend)
	}
	if c.Storage.DataDir == "" || c.Storage.dataDirDerived {
		// Unset: one data directory per workspace. Roots are absolute
		// by now (validateWorkspace ran first).
		c.Storage.DataDir = DataDirFor(c.Workspace.Roots)
		c.Storage.dataDirDerived = true
	}
	abs, err := filepath.Abs(os.ExpandEnv(c.Storage.DataDir))
	if err != nil {
		p.add("storage.data_dir", "%v", err)
		return
	}
	c.Storage.DataDir = abs
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		p.add("storage.data_dir", "%s exists and is not a directory", abs)
	}
	for i, root := range c.Workspace.Roots {
		if _, ok := paths.Within(root, abs); ok {
			p.add("storage.data_dir", "%s lies inside workspace.roots[%d] (%s); the server never writes into the workspace", abs, i, root)
		}
	}
}

var collectionPrefix = regexp.MustCompile(`^[A-Za-z0-9_-]{0,64}$`)

// validateQdrant checks the storage.qdrant keys; they are ignored for
// other backends, so switching is a one-line change.
func (c *Config) validateQdrant(p *problems) {
	q := c.Storage.Qdrant
	if msg := checkQdrantURL(q.URL); msg != "" {
		p.add("storage.qdrant.url", "%s", msg)
	}
	switch {
	case q.APIKey != "" && q.APIKeyEnv != "":
		p.add("storage.qdrant.api_key", "set api_key or api_key_env, not both")
	case q.APIKeyEnv != "" && !envName.MatchString(q.APIKeyEnv):
		// Never echo a value that is not a variable name: it may be the key.
		p.add("storage.qdrant.api_key_env", "must be the name of an environment variable (letters, digits and _), not the key itself")
	case q.APIKeyEnv != "" && os.Getenv(q.APIKeyEnv) == "":
		p.add("storage.qdrant.api_key_env", "environment variable %s is not set or empty; export the API key in it, or remove api_key_env for a server without authentication", q.APIKeyEnv)
	}
	p.positiveDuration("storage.qdrant.timeout", q.Timeout)
	if !collectionPrefix.MatchString(q.CollectionPrefix) {
		p.add("storage.qdrant.collection_prefix", "%q must be at most 64 letters, digits, _ or -", q.CollectionPrefix)
	}
}

// checkQdrantURL returns what is wrong with a Qdrant gRPC address, or "".
func checkQdrantURL(raw string) string {
	const example = "(e.g. localhost:6334 or https://xyz.cloud.qdrant.io:6334)"
	if strings.TrimSpace(raw) == "" {
		return "must be set " + example
	}
	hostport := raw
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Sprintf("%q is not a URL %s", raw, example)
		}
		switch u.Scheme {
		case "http", "https", "grpc", "grpcs":
		default:
			return fmt.Sprintf("%q: scheme %q is not http, https, grpc or grpcs %s", raw, u.Scheme, example)
		}
		if u.Path != "" && u.Path != "/" {
			return fmt.Sprintf("%q: a gRPC address has no path %s", raw, example)
		}
		hostport = u.Host
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.Trim(hostport, "[]"), "6334"
	}
	if n, err := strconv.Atoi(port); host == "" || err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("%q is not host:port %s", raw, example)
	}
	return ""
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

func (p *problems) positiveNumber(key string, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		p.add(key, "must be a positive number, got %v", v)
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n  %s", ErrInvalid, strings.Join(p, "\n  "))
}
