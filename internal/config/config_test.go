package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// load reads a testdata file with ${ROOT}, ${DATA} and ${FILE} expanded to
// fresh temporary paths.
func load(t *testing.T, name string) (Config, error) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	root, data := t.TempDir(), t.TempDir()
	file := filepath.Join(root, "plain.txt")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("${ROOT}", root, "${DATA}", data, "${FILE}", file).Replace(string(raw))
	return Parse([]byte(text))
}

func TestGood(t *testing.T) {
	cfg, err := load(t, "full.good.yml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Engine.AutostartEnabled() {
		t.Error("engine.autostart: want false")
	}
	if got := cfg.Engine.ShutdownTimeout.D(); got != 2*time.Second {
		t.Errorf("engine.shutdown_timeout = %s, want 2s", got)
	}
	if got := cfg.Workspace.Debounce.D(); got != 100*time.Millisecond {
		t.Errorf("workspace.debounce = %s, want 100ms", got)
	}
	if cfg.Engine.Workers != 3 || cfg.Engine.QueueCapacity != 10 {
		t.Errorf("engine workers/queue = %d/%d, want 3/10", cfg.Engine.Workers, cfg.Engine.QueueCapacity)
	}
	h := cfg.Health
	if h.Interval.D() != 10*time.Second || h.HistorySize != 20 || h.Thresholds != (Thresholds{CPUPercent: 150, MemoryMB: 512, ResponseTimeMS: 250}) {
		t.Errorf("health = %+v", h)
	}
	if got := h.Thresholds.CheckTimeout(); got != 500*time.Millisecond {
		t.Errorf("check timeout = %s, want twice response_time_ms", got)
	}
	want := Recovery{Enabled: false, FailedChecks: 3, InitialDelay: Duration(500 * time.Millisecond), MaxDelay: Duration(4 * time.Second), MaxAttempts: 7}
	if cfg.Recovery != want {
		t.Errorf("recovery = %+v, want %+v", cfg.Recovery, want)
	}
	// Keys not in the file keep their defaults.
	if cfg.Workspace.ChunkChars != 1500 || cfg.Embedding.Dimensions != 384 {
		t.Errorf("defaults lost: workspace.chunk_chars=%d embedding.dimensions=%d", cfg.Workspace.ChunkChars, cfg.Embedding.Dimensions)
	}
	if !filepath.IsAbs(cfg.Workspace.Roots[0]) {
		t.Errorf("root not absolute: %s", cfg.Workspace.Roots[0])
	}
}

func TestBad(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings that must all appear
	}{
		{"unknown_key.bad.yml", []string{`line 3: unknown key "statup_timeout"`}},
		{"number_duration.bad.yml", []string{`line 2: engine.shutdown_timeout: "30" is not a duration`}},
		{"many.bad.yml", []string{
			`storage.backend: unknown backend "mongo"`,
			"engine.workers: must be between 1 and 256, got 0",
			"engine.queue_capacity: must be at least 1, got -1",
			"engine.force_shutdown_timeout: must be a positive duration",
			"engine.peer_timeout: must be longer than embedding.timeout (30s), got 20s",
			`logging.level: unknown level "loud"`,
			"health.interval: must be a positive duration",
			"health.history_size: must be between 1 and 10000, got 0",
			"health.thresholds.cpu_percent: must be a positive number, got -1",
			"health.thresholds.memory_mb: must be a positive number, got 0",
			"health.thresholds.response_time_ms: must be a positive number, got NaN",
			"recovery.failed_checks: must be between 1 and 100, got 0",
			"recovery.max_delay: must be at least recovery.initial_delay (2s), got 1s",
			"recovery.max_attempts: must be between 1 and 100, got 0",
		}},
		{"mixed.bad.yml", []string{ // decoding goes on past each problem, and validation follows
			`line 2: workspace.debounce: "200" is not a duration string`,
			"line 3: workspace.chunk_chars: cannot unmarshal !!str `abc` into int",
			`line 5: unknown key "bogus"`,
			"engine.workers: must be between 1 and 256, got 0",
			`workspace.ignore[1]: invalid ignore pattern: "[" (gitignore syntax)`,
		}},
		{"missing_root.bad.yml", []string{"workspace.roots[0]: /definitely/not/here does not exist"}},
		{"root_is_file.bad.yml", []string{"workspace.roots[0]:", "is not a directory"}},
		{"data_is_file.bad.yml", []string{"storage.data_dir:", "exists and is not a directory"}},
		{"data_in_workspace.bad.yml", []string{"storage.data_dir:", "never writes into the workspace"}},
		{"syntax.bad.yml", []string{"yaml:"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := load(t, tt.file)
			if err == nil {
				t.Fatal("Parse succeeded, want error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	cfg, err := Parse([]byte("\n# nothing\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Backend != "embedded" || cfg.Engine.StartupTimeout.D() != 30*time.Second {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	h, r := cfg.Health, cfg.Recovery
	if h.Interval.D() != 30*time.Second || h.HistorySize != 100 || h.Thresholds != (Thresholds{CPUPercent: 90, MemoryMB: 1000, ResponseTimeMS: 5000}) {
		t.Errorf("health defaults = %+v", h)
	}
	if !r.Enabled || r.FailedChecks != 2 || r.InitialDelay.D() != time.Second || r.MaxDelay.D() != 30*time.Second || r.MaxAttempts != 5 {
		t.Errorf("recovery defaults = %+v", r)
	}
}

func TestRepositoryConfigIsValid(t *testing.T) {
	// The documented config.yaml at the repository root must load.
	cfg, err := LoadFile(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatalf("config.yaml: %v", err)
	}
	// It documents the defaults.
	def := Default()
	if cfg.Health != def.Health || cfg.Recovery != def.Recovery {
		t.Errorf("config.yaml health/recovery = %+v / %+v, want the defaults %+v / %+v", cfg.Health, cfg.Recovery, def.Health, def.Recovery)
	}
}
