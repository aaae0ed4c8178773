// Package config finds, loads and validates the server's configuration.
//
// Resolution (see Resolve): the -config file, else $WQM_CONFIG's, alone;
// otherwise the user's file and the project's .wqm.yaml at the workspace
// root, the project's keys over the user's; else built-in defaults, so a
// bare `go run .` works with no file at all. A config.yaml in the working
// directory is never taken for ours. Decoding is strict: an unknown key is
// an error naming the key and its line. Validate reports every problem at
// once, each prefixed with its key path. Unless storage.data_dir is set,
// each workspace gets its own data directory (DataDirFor).
//
//	cfg, err := config.Resolve(config.Options{File: flagPath, Roots: flagRoots})
//	if err != nil { ... exit 2 ... }
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrInvalid marks every configuration error: a file that cannot be read
// or parsed, an unknown key, or a value that fails validation. main exits
// with status 2 on it.
var ErrInvalid = errors.New("invalid configuration")

// Config is the whole configuration. Field tags are the YAML keys.
type Config struct {
	Workspace Workspace `yaml:"workspace"`
	Storage   Storage   `yaml:"storage"`
	Embedding Embedding `yaml:"embedding"`
	Engine    Engine    `yaml:"engine"`
	Health    Health    `yaml:"health"`
	Recovery  Recovery  `yaml:"recovery"`
	Logging   Logging   `yaml:"logging"`
	LSP       LSP       `yaml:"lsp"`
	Search    Search    `yaml:"search"`

	// Files are the configuration files this configuration was read
	// from, in the order they were applied (see Resolve); empty for
	// built-in defaults.
	Files []string `yaml:"-"`
}

// LSP configures the language servers that enrich code chunks with
// symbols. Servers are detected on PATH at startup and started lazily,
// one per workspace root and language.
type LSP struct {
	Enabled bool `yaml:"enabled"`
	// RequestTimeout bounds each documentSymbol request (a server's start
	// gets twice as long); past it the file is indexed without symbols.
	RequestTimeout Duration `yaml:"request_timeout"`
	// WarmupTimeout bounds a server's first documentSymbol answer, which
	// may wait for the server to load the workspace (gopls on GOROOT:
	// tens of seconds); never less than RequestTimeout.
	WarmupTimeout Duration `yaml:"warmup_timeout"`
	// Servers maps a language (as engine_status and search name it: go,
	// python, c, cpp, rust, typescript, javascript, ...) to the command
	// that serves it, overriding the default; an empty command turns the
	// language off.
	Servers map[string]LSPServer `yaml:"servers"`
}

// Search configures how search ranks its results.
type Search struct {
	Rules SearchRules `yaml:"rules"`
}

// SearchRules switches the ranking rules applied on top of the fused
// keyword and semantic ranks (see engine/rank); each is on by default.
type SearchRules struct {
	// Definitions: a chunk that defines the symbol a query names ranks
	// above chunks that use it.
	Definitions bool `yaml:"definitions"`
	// Paths: query words in a file's name and directories lift it.
	Paths bool `yaml:"paths"`
	// FileCoherence: a file with several matching chunks beats a file
	// with one stray match.
	FileCoherence bool `yaml:"file_coherence"`
	// Satellites: tests, examples, benchmarks, vendored and generated code,
	// build files, editor support and docs rank below implementation
	// unless the query asks for them.
	Satellites bool `yaml:"satellites"`
	// OnePerFile: further chunks of a file already ranked decay sharply.
	OnePerFile bool `yaml:"one_per_file"`
	// Logic: for a question, the chunk of a file that holds its logic
	// (branches, loops, returns) stands for the file rather than its
	// header (imports, constants, a class's doc comment and fields);
	// for a question that asks how, a file with no control flow counts
	// less.
	Logic bool `yaml:"logic"`
}

// LSPServer is one language server's command line.
type LSPServer struct {
	Command string   `yaml:"command"`
	Args    []string `yaml:"args"`
}

// Workspace says which directories are indexed and how.
type Workspace struct {
	Roots        []string `yaml:"roots"`
	Ignore       []string `yaml:"ignore"`
	MaxFileBytes int64    `yaml:"max_file_bytes"`
	Debounce     Duration `yaml:"debounce"`
	ChunkChars   int      `yaml:"chunk_chars"`
	ChunkOverlap int      `yaml:"chunk_overlap"`
	Collection   string   `yaml:"collection"`
}

// Storage selects and configures the vector store.
type Storage struct {
	Backend string `yaml:"backend"`
	DataDir string `yaml:"data_dir"`
	Qdrant  Qdrant `yaml:"qdrant"` // for backend qdrant only

	// dataDirDerived is set when DataDir was not configured and is
	// DataDirFor(the roots), so that it follows the roots.
	dataDirDerived bool
}

// DataDirDerived reports whether the data directory was not configured
// and is the workspace's default, DataDirFor(roots).
func (s Storage) DataDirDerived() bool { return s.dataDirDerived }

// Qdrant configures the qdrant storage backend. The data directory still
// holds the local bookkeeping (ledger, temporary files).
type Qdrant struct {
	URL string `yaml:"url"` // gRPC address: host:port, http://host:port or https://host:port
	// APIKey is the key itself; prefer APIKeyEnv, which keeps it out of
	// the file. It is never logged or shown in status.
	APIKey    Secret   `yaml:"api_key"`
	APIKeyEnv string   `yaml:"api_key_env"` // names the environment variable holding the key
	TLS       bool     `yaml:"tls"`         // also implied by an https:// URL
	Timeout   Duration `yaml:"timeout"`     // per request, health check included
	// CollectionPrefix is prepended to every collection name, so several
	// indexes can share one Qdrant.
	CollectionPrefix string `yaml:"collection_prefix"`
}

// Key returns the API key: api_key, or the variable api_key_env names.
func (q Qdrant) Key() string {
	if q.APIKeyEnv != "" {
		return os.Getenv(q.APIKeyEnv)
	}
	return string(q.APIKey)
}

// Secret is a string that formats as "[redacted]" (fmt, JSON, YAML), so a
// printed or serialised configuration never shows it.
type Secret string

// String hides the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return s.String() }

// MarshalJSON hides the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalYAML hides the secret.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// Embedding selects and configures the embedder. URL, Model, APIKeyEnv,
// BatchSize, MaxInputTokens, Timeout and Concurrency apply to the remote
// providers (openai, ollama) only; the builtin provider ignores them, so
// switching back to it is a one-line change.
type Embedding struct {
	Provider string `yaml:"provider"` // auto (the default), builtin, static, openai or ollama
	URL      string `yaml:"url"`      // openai: base before /embeddings; ollama: server root
	Model    string `yaml:"model"`    // the provider's model name; static: a hub repository id
	// Revision is the hub revision (branch, tag or commit) of a static
	// model; ModelPath, when set, is a local model directory, which wins.
	Revision  string `yaml:"revision"`
	ModelPath string `yaml:"model_path"`
	// DownloadTimeout bounds provider auto's download of a model that is
	// not cached; past it the start goes on with the builtin embedder.
	DownloadTimeout Duration `yaml:"download_timeout"`
	Dimensions      int      `yaml:"dimensions"` // vector size; checked against the model's answers
	// APIKeyEnv names the environment variable holding the API key; the
	// key itself is never in the configuration, in status or in logs.
	APIKeyEnv string `yaml:"api_key_env"`
	BatchSize int    `yaml:"batch_size"` // texts per request
	// MaxInputTokens bounds each text, estimated at 3 bytes a token;
	// longer texts are truncated. 0 means the provider's default
	// (DefaultMaxInputTokens); Validate fills it in.
	MaxInputTokens int      `yaml:"max_input_tokens"`
	Timeout        Duration `yaml:"timeout"`     // per HTTP request
	Concurrency    int      `yaml:"concurrency"` // HTTP requests in flight at once
}

// DefaultMaxInputTokens is embedding.max_input_tokens when unset: OpenAI's
// embedding models accept 8192 tokens; 2048 is the context of
// nomic-embed-text and most models Ollama serves for embeddings.
var DefaultMaxInputTokens = map[string]int{"openai": 8192, "ollama": 2048}

// DefaultMemoryLimitMB is engine.memory_limit_mb when unset: it holds the
// server's peak near 235 MB for an index of 57k chunks (all of
// GOROOT/src; BENCHMARKS.md, "Memory: float16 vectors").
const DefaultMemoryLimitMB = 190

// Remote reports whether the provider is reached over HTTP.
func (e Embedding) Remote() bool { return e.Provider == "openai" || e.Provider == "ollama" }

// Engine bounds the engine's lifecycle and pipeline.
type Engine struct {
	Autostart            *bool    `yaml:"autostart"`
	StartupTimeout       Duration `yaml:"startup_timeout"`
	ShutdownTimeout      Duration `yaml:"shutdown_timeout"`
	ForceShutdownTimeout Duration `yaml:"force_shutdown_timeout"`
	PeerTimeout          Duration `yaml:"peer_timeout"`
	Workers              int      `yaml:"workers"`
	QueueCapacity        int      `yaml:"queue_capacity"`
	// MemoryLimitMB is the Go runtime's soft memory limit in MiB, raised
	// to 1.4 × the live heap when that is more (see internal/memlimit);
	// 0 leaves the runtime's default, and GOMEMLIMIT overrides it.
	MemoryLimitMB int `yaml:"memory_limit_mb"`
}

// Health configures the health monitor: how often it samples the engine,
// how many samples it keeps, and the thresholds that raise alerts.
type Health struct {
	Interval    Duration   `yaml:"interval"`
	HistorySize int        `yaml:"history_size"`
	Thresholds  Thresholds `yaml:"thresholds"`
}

// Thresholds are the alert thresholds of the health monitor. A value above
// its threshold raises an alert.
type Thresholds struct {
	CPUPercent     float64 `yaml:"cpu_percent"`      // of one core
	MemoryMB       float64 `yaml:"memory_mb"`        // resident set size
	ResponseTimeMS float64 `yaml:"response_time_ms"` // of each component check
}

// CheckTimeout bounds one component check: twice the response-time
// threshold, so a slow check is reported as slow before it fails as hung.
func (t Thresholds) CheckTimeout() time.Duration {
	return 2 * time.Duration(t.ResponseTimeMS*float64(time.Millisecond))
}

// Recovery configures automatic reconnection after a lost dependency.
type Recovery struct {
	Enabled bool `yaml:"enabled"`
	// FailedChecks is how many consecutive failed health checks of storage
	// or the embedder count as a lost connection.
	FailedChecks int      `yaml:"failed_checks"`
	InitialDelay Duration `yaml:"initial_delay"`
	MaxDelay     Duration `yaml:"max_delay"`
	MaxAttempts  int      `yaml:"max_attempts"`
}

// Logging configures zerolog.
type Logging struct {
	Level string `yaml:"level"`
	File  string `yaml:"file"`
}

// AutostartEnabled reports engine.autostart, true unless set false.
func (e Engine) AutostartEnabled() bool { return e.Autostart == nil || *e.Autostart }

// Default returns the built-in defaults. Workspace roots default to the git
// top-level of the working directory, when there is one.
func Default() Config {
	return Config{
		Workspace: Workspace{
			MaxFileBytes: 1 << 20,
			Debounce:     Duration(200 * time.Millisecond),
			ChunkChars:   1500,
			ChunkOverlap: 200,
			Collection:   "workspace",
		},
		Storage: Storage{Backend: "embedded", Qdrant: Qdrant{
			URL: "localhost:6334", Timeout: Duration(10 * time.Second), CollectionPrefix: "wqm_",
		}},
		Embedding: Embedding{
			Provider:        "auto",
			DownloadTimeout: Duration(20 * time.Second),
			Dimensions:      384,
			BatchSize:       64,
			Timeout:         Duration(30 * time.Second),
			Concurrency:     2,
		},
		Engine: Engine{
			StartupTimeout:       Duration(30 * time.Second),
			ShutdownTimeout:      Duration(30 * time.Second),
			ForceShutdownTimeout: Duration(5 * time.Second),
			PeerTimeout:          Duration(60 * time.Second),
			Workers:              runtime.GOMAXPROCS(0),
			QueueCapacity:        1024,
			MemoryLimitMB:        DefaultMemoryLimitMB,
		},
		Health: Health{
			Interval:    Duration(30 * time.Second),
			HistorySize: 100,
			Thresholds:  Thresholds{CPUPercent: 90, MemoryMB: 1000, ResponseTimeMS: 5000},
		},
		Recovery: Recovery{
			Enabled:      true,
			FailedChecks: 2,
			InitialDelay: Duration(time.Second),
			MaxDelay:     Duration(30 * time.Second),
			MaxAttempts:  5,
		},
		Logging: Logging{Level: "info"},
		LSP:     LSP{Enabled: true, RequestTimeout: Duration(5 * time.Second), WarmupTimeout: Duration(2 * time.Minute)},
		Search: Search{Rules: SearchRules{
			Definitions: true, Paths: true, FileCoherence: true, Satellites: true, OnePerFile: true, Logic: true,
		}},
	}
}

// Clone returns a deep copy, so that validating or editing one copy never
// touches another.
func (c Config) Clone() Config {
	c.Workspace.Roots = slices.Clone(c.Workspace.Roots)
	c.Workspace.Ignore = slices.Clone(c.Workspace.Ignore)
	c.Files = slices.Clone(c.Files)
	if c.LSP.Servers != nil {
		servers := make(map[string]LSPServer, len(c.LSP.Servers))
		for lang, s := range c.LSP.Servers {
			s.Args = slices.Clone(s.Args)
			servers[lang] = s
		}
		c.LSP.Servers = servers
	}
	if c.Engine.Autostart != nil {
		v := *c.Engine.Autostart
		c.Engine.Autostart = &v
	}
	return c
}

// LoadFile reads, decodes and validates one YAML file over the defaults.
// Relative workspace roots in it are taken from the working directory.
func LoadFile(path string) (Config, error) {
	return loadLayers(nil, nil, layer{path: path})
}

// Parse decodes YAML over the defaults strictly, then validates, and
// reports every problem at once: unknown keys and values of the wrong
// type by line (the rest of the file is still decoded), then every
// invalid value by key path. A file that is not YAML is reported alone.
// Relative workspace roots are kept as written; Validate resolves them.
func Parse(data []byte) (Config, error) {
	cfg := Default()
	var p problems
	if err := decodeOnto(&cfg, data, &p); err != nil {
		return Config{}, err
	}
	cfg.validate(&p)
	if err := p.err(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// layer is one configuration file applied over the ones before it.
type layer struct {
	path string
	// rootsFrom, when set, is the directory that relative
	// workspace.roots of this file are taken from (a project file's own
	// directory); otherwise they are taken from the working directory.
	rootsFrom string
}

// loadLayers applies the files in order over the defaults, key by key (a
// later file's key replaces an earlier one's; keys it does not set are
// kept), then sets roots when any are given (they replace
// workspace.roots), else fallback when the files name no roots, and
// validates. Every problem of every file is reported at once, each
// file's decode problems prefixed with its path.
func loadLayers(roots, fallback []string, layers ...layer) (Config, error) {
	cfg := Default()
	var p problems
	for _, l := range layers {
		data, err := os.ReadFile(l.path)
		if err != nil {
			return Config{}, fmt.Errorf("%w: read %s: %w", ErrInvalid, l.path, err)
		}
		before := slices.Clone(cfg.Workspace.Roots)
		var fp problems
		if err := decodeOnto(&cfg, data, &fp); err != nil {
			return Config{}, fmt.Errorf("%s: %w", l.path, err)
		}
		for _, msg := range fp {
			if len(layers) > 1 {
				msg = l.path + ": " + msg
			}
			p = append(p, msg)
		}
		if l.rootsFrom != "" && !slices.Equal(before, cfg.Workspace.Roots) {
			for i, r := range cfg.Workspace.Roots {
				if r != "" && !filepath.IsAbs(r) {
					cfg.Workspace.Roots[i] = filepath.Join(l.rootsFrom, r)
				}
			}
		}
		cfg.Files = append(cfg.Files, l.path)
	}
	switch {
	case len(roots) > 0:
		cfg.Workspace.Roots = slices.Clone(roots)
	case len(cfg.Workspace.Roots) == 0:
		cfg.Workspace.Roots = slices.Clone(fallback)
	}
	cfg.validate(&p)
	if err := p.err(); err != nil {
		if len(layers) == 1 {
			return Config{}, fmt.Errorf("%s: %w", layers[0].path, err)
		}
		return Config{}, err
	}
	return cfg, nil
}

// decodeOnto decodes YAML strictly onto cfg, adding unknown keys and
// values of the wrong type to p; a document that is not YAML is returned
// as the error.
func decodeOnto(cfg *Config, data []byte, p *problems) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		*p = append(*p, describeTypeErrors(te, keyPaths(data))...)
	}
	return nil
}

// keyPaths maps each line of a YAML document that holds a key to that
// key's dotted path (engine.shutdown_timeout), so that an error about a
// line can name the key.
func keyPaths(data []byte) map[int]string {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return nil
	}
	paths := map[int]string{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, prefix)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				path := n.Content[i].Value
				if prefix != "" {
					path = prefix + "." + path
				}
				paths[n.Content[i].Line] = path
				if v := n.Content[i+1]; v.Line != n.Content[i].Line || v.Kind != yaml.ScalarNode {
					walk(v, path)
				}
			}
		}
	}
	walk(&root, "")
	return paths
}

// describeTypeErrors rewrites yaml.v3's messages ("line 3: field foo not
// found in type config.Workspace") into ones that name the key and its
// path (paths, from keyPaths): `line 3: unknown key "foo" (workspace.foo)`,
// `line 2: engine.shutdown_timeout: "10 parsecs" is not a duration`.
func describeTypeErrors(te *yaml.TypeError, paths map[int]string) problems {
	msgs := make(problems, 0, len(te.Errors))
	for _, e := range te.Errors {
		if line, field, ok := parseUnknownField(e); ok {
			msg := fmt.Sprintf("line %s: unknown key %q", line, field)
			if n, err := strconv.Atoi(line); err == nil && paths[n] != "" && paths[n] != field {
				msg += " (" + paths[n] + ")"
			}
			msgs = append(msgs, msg)
			continue
		}
		if rest, ok := strings.CutPrefix(e, "line "); ok {
			if line, _, found := strings.Cut(rest, ":"); found {
				e = withPath(e, line, paths)
			}
		}
		msgs = append(msgs, e)
	}
	return msgs
}

// withPath puts the key path of line into msg, "line 2: ..." becoming
// "line 2: engine.shutdown_timeout: ...".
func withPath(msg, line string, paths map[int]string) string {
	n, err := strconv.Atoi(line)
	path, ok := paths[n]
	if err != nil || !ok {
		return msg
	}
	prefix := "line " + line + ": "
	return prefix + path + ": " + strings.TrimPrefix(msg, prefix)
}

func parseUnknownField(msg string) (line, field string, ok bool) {
	// "line 3: field foo not found in type config.Workspace"
	rest, found := strings.CutPrefix(msg, "line ")
	if !found {
		return "", "", false
	}
	line, rest, found = strings.Cut(rest, ": field ")
	if !found {
		return "", "", false
	}
	field, _, found = strings.Cut(rest, " not found in type ")
	return line, field, found
}
