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
	Logging   Logging   `yaml:"logging"`
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
}

// Embedding selects the embedder.
type Embedding struct {
	Provider   string `yaml:"provider"`
	Dimensions int    `yaml:"dimensions"`
}

// Engine bounds the engine's lifecycle and pipeline.
type Engine struct {
	Autostart            *bool    `yaml:"autostart"`
	StartupTimeout       Duration `yaml:"startup_timeout"`
	ShutdownTimeout      Duration `yaml:"shutdown_timeout"`
	ForceShutdownTimeout Duration `yaml:"force_shutdown_timeout"`
	Workers              int      `yaml:"workers"`
	QueueCapacity        int      `yaml:"queue_capacity"`
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
		Storage:   Storage{Backend: "embedded", DataDir: defaultDataDir()},
		Embedding: Embedding{Provider: "builtin", Dimensions: 384},
		Engine: Engine{
			StartupTimeout:       Duration(30 * time.Second),
			ShutdownTimeout:      Duration(30 * time.Second),
			ForceShutdownTimeout: Duration(5 * time.Second),
			Workers:              runtime.GOMAXPROCS(0),
			QueueCapacity:        1024,
		},
		Logging: Logging{Level: "info"},
	}
}

func defaultDataDir() string {
	base := os.Getenv("XDG_DATA_HOME")
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
	return []string{top}
}

// Clone returns a deep copy, so that validating or editing one copy never
// touches another.
func (c Config) Clone() Config {
	c.Workspace.Roots = slices.Clone(c.Workspace.Roots)
	c.Workspace.Ignore = slices.Clone(c.Workspace.Ignore)
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

// Parse decodes YAML over the defaults strictly, then validates. Relative
// workspace roots are kept as written; Validate resolves them.
func Parse(data []byte) (Config, error) {
	cfg := Default()
	if len(bytes.TrimSpace(data)) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return Config{}, fmt.Errorf("%w: %s", ErrInvalid, describeYAMLError(err))
		}
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// describeYAMLError rewrites yaml.v3's messages ("line 3: field foo not
// found in type config.Workspace") into ones that name the key.
func describeYAMLError(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		if line, field, ok := parseUnknownField(e); ok {
			msgs = append(msgs, fmt.Sprintf("line %s: unknown key %q", line, field))
			continue
		}
		msgs = append(msgs, e)
	}
	return strings.Join(msgs, "; ")
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
