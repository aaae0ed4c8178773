// Package config loads and validates the server's one YAML file.
//
// Resolution order (see Resolve): the -config flag, then $WQM_CONFIG, then
// ./config.yaml when present, else built-in defaults, so a bare `go run .`
// works with no file at all. Decoding is strict: an unknown key is an error
// naming the key and its line. Validate reports every problem at once, each
// prefixed with its key path.
//
//	cfg, src, err := config.Resolve(flagPath)
//	if err != nil { ... exit 2 ... }
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
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
}

// LSP configures the language servers that enrich code chunks with
// symbols. Servers are detected on PATH at startup and started lazily,
// one per workspace root and language.
type LSP struct {
	Enabled bool `yaml:"enabled"`
	// RequestTimeout bounds each documentSymbol request (a server's start
	// gets twice as long); past it the file is indexed without symbols.
	RequestTimeout Duration `yaml:"request_timeout"`
	// Servers maps a language (as engine_status and search name it: go,
	// python, c, cpp, rust, typescript, javascript, ...) to the command
	// that serves it, overriding the default; an empty command turns the
	// language off.
	Servers map[string]LSPServer `yaml:"servers"`
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
}

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
	Provider   string `yaml:"provider"`   // builtin, openai or ollama
	URL        string `yaml:"url"`        // openai: base before /embeddings; ollama: server root
	Model      string `yaml:"model"`      // the provider's model name
	Dimensions int    `yaml:"dimensions"` // vector size; checked against the model's answers
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
			Roots:        defaultRoots(),
			MaxFileBytes: 1 << 20,
			Debounce:     Duration(200 * time.Millisecond),
			ChunkChars:   1500,
			ChunkOverlap: 200,
			Collection:   "workspace",
		},
		Storage: Storage{Backend: "embedded", DataDir: defaultDataDir(), Qdrant: Qdrant{
			URL: "localhost:6334", Timeout: Duration(10 * time.Second), CollectionPrefix: "wqm_",
		}},
		Embedding: Embedding{
			Provider:    "builtin",
			Dimensions:  384,
			BatchSize:   64,
			Timeout:     Duration(30 * time.Second),
			Concurrency: 2,
		},
		Engine: Engine{
			StartupTimeout:       Duration(30 * time.Second),
			ShutdownTimeout:      Duration(30 * time.Second),
			ForceShutdownTimeout: Duration(5 * time.Second),
			PeerTimeout:          Duration(60 * time.Second),
			Workers:              runtime.GOMAXPROCS(0),
			QueueCapacity:        1024,
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
		LSP:     LSP{Enabled: true, RequestTimeout: Duration(5 * time.Second)},
	}
}

// defaultDataDir is $XDG_DATA_HOME/workspace-qdrant-mcp, else, on
// Windows, %LOCALAPPDATA%\workspace-qdrant-mcp, else
// ~/.local/share/workspace-qdrant-mcp (macOS too), else one under
// os.TempDir().
func defaultDataDir() string {
	return dataDirFrom(runtime.GOOS, os.Getenv)
}

func dataDirFrom(goos string, getenv func(string) string) string {
	base := getenv("XDG_DATA_HOME")
	if base == "" && goos == "windows" {
		base = getenv("LOCALAPPDATA")
	}
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return filepath.Join(os.TempDir(), "workspace-qdrant-mcp")
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "workspace-qdrant-mcp")
}

// defaultRoots is the git top-level of the working directory, or none.
func defaultRoots() []string {
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return nil
	}
	top := strings.TrimSpace(string(out))
	if top == "" {
		return nil
	}
	// Git for Windows prints C:/Users/...: Clean gives the OS's separators.
	return []string{filepath.Clean(top)}
}

// Clone returns a deep copy, so that validating or editing one copy never
// touches another.
func (c Config) Clone() Config {
	c.Workspace.Roots = slices.Clone(c.Workspace.Roots)
	c.Workspace.Ignore = slices.Clone(c.Workspace.Ignore)
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

// Source says where a configuration came from.
type Source struct {
	Path string // "" when built-in defaults were used
	How  string // "flag", "env", "cwd" or "defaults"
}

// Resolve finds and loads the configuration: flagPath when set, else
// $WQM_CONFIG, else ./config.yaml when present, else defaults.
func Resolve(flagPath string) (Config, Source, error) {
	src := Source{How: "defaults"}
	switch {
	case flagPath != "":
		src = Source{Path: flagPath, How: "flag"}
	case os.Getenv("WQM_CONFIG") != "":
		src = Source{Path: os.Getenv("WQM_CONFIG"), How: "env"}
	default:
		if _, err := os.Stat("config.yaml"); err == nil {
			src = Source{Path: "config.yaml", How: "cwd"}
		}
	}
	if src.Path == "" {
		cfg := Default()
		err := cfg.Validate()
		return cfg, src, err
	}
	cfg, err := LoadFile(src.Path)
	return cfg, src, err
}

// LoadFile reads, decodes and validates a YAML file over the defaults.
func LoadFile(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("%w: read %s: %w", ErrInvalid, path, err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes YAML over the defaults strictly, then validates, and
// reports every problem at once: unknown keys and values of the wrong
// type by line (the rest of the file is still decoded), then every
// invalid value by key path. A file that is not YAML is reported alone.
// Relative workspace roots are kept as written; Validate resolves them.
func Parse(data []byte) (Config, error) {
	cfg := Default()
	var p problems
	if len(bytes.TrimSpace(data)) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			var te *yaml.TypeError
			if !errors.As(err, &te) {
				return Config{}, fmt.Errorf("%w: %w", ErrInvalid, err)
			}
			p = describeTypeErrors(te)
		}
	}
	cfg.validate(&p)
	if err := p.err(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// describeTypeErrors rewrites yaml.v3's messages ("line 3: field foo not
// found in type config.Workspace") into ones that name the key.
func describeTypeErrors(te *yaml.TypeError) problems {
	msgs := make(problems, 0, len(te.Errors))
	for _, e := range te.Errors {
		if line, field, ok := parseUnknownField(e); ok {
			msgs = append(msgs, fmt.Sprintf("line %s: unknown key %q", line, field))
			continue
		}
		msgs = append(msgs, e)
	}
	return msgs
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
