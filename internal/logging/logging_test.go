package logging

import (
	"bytes"
	"encoding/json"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"workspace-qdrant-mcp/internal/config"
)

// Setup writes JSON lines to stderr and the log file, and the standard
// library's log and slog reach them too (never stdout).
func TestSetupRoutesEverything(t *testing.T) {
	var stderr bytes.Buffer
	file := filepath.Join(t.TempDir(), "logs", "server.log")
	logger, closer, err := Setup(config.Logging{Level: "debug", File: file}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer log.SetOutput(os.Stderr)
	logger.Info().Str("component", "test").Msg("from zerolog")
	log.Print("from log")
	slog.Info("from slog", "k", "v")
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	fromFile, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"stderr": stderr.String(), "file": string(fromFile)} {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 {
			t.Fatalf("%s has %d lines, want 3:\n%s", name, len(lines), out)
		}
		for i, want := range []string{"from zerolog", "from log", "from slog"} {
			var rec map[string]any
			if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
				t.Fatalf("%s line %d is not JSON: %s", name, i, lines[i])
			}
			if rec["message"] != want {
				t.Errorf("%s line %d message %v, want %q", name, i, rec["message"], want)
			}
		}
	}
}

func TestSetupRejectsBadLevel(t *testing.T) {
	if _, _, err := Setup(config.Logging{Level: "loud"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "logging.level") {
		t.Errorf("Setup with a bad level = %v, want an error naming logging.level", err)
	}
}
