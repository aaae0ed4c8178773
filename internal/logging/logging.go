// Package logging sets up zerolog for the whole process.
//
// stdout belongs to JSON-RPC alone, so every log line goes to stderr and,
// when configured, to a file. Setup also routes the standard library's
// log and log/slog defaults into zerolog, so a dependency that logs
// through them can never reach stdout.
//
//	logger, closer, err := logging.Setup(cfg.Logging, os.Stderr)
//	defer closer.Close()
//	log := logger.With().Str("component", "engine").Logger()
package logging

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/internal/config"
)

// setTimeFormat sets zerolog's global time format once, before any logger
// of this package writes.
var setTimeFormat sync.Once

// Setup builds the root logger writing JSON lines to stderr and, when
// cfg.File is set, appending to that file too. It installs the logger as
// the destination of the standard log and slog packages. The returned
// closer closes the file; it is safe to call when there is none.
func Setup(cfg config.Logging, stderr io.Writer) (zerolog.Logger, io.Closer, error) {
	level, err := zerolog.ParseLevel(strings.ToLower(cfg.Level))
	if err != nil {
		return zerolog.Nop(), nopCloser{}, fmt.Errorf("logging.level: %w", err)
	}
	setTimeFormat.Do(func() { zerolog.TimeFieldFormat = time.RFC3339Nano })
	var out io.Writer = stderr
	var closer io.Closer = nopCloser{}
	if cfg.File != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.File), 0o700); err != nil {
			return zerolog.Nop(), nopCloser{}, fmt.Errorf("logging.file: create directory: %w", err)
		}
		f, err := os.OpenFile(cfg.File, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return zerolog.Nop(), nopCloser{}, fmt.Errorf("logging.file: %w", err)
		}
		out = zerolog.MultiLevelWriter(stderr, f)
		closer = f
	}
	logger := zerolog.New(out).Level(level).With().Timestamp().Logger()
	RouteStdlib(logger)
	return logger, closer, nil
}

// RouteStdlib sends the standard library's log and slog defaults to logger.
func RouteStdlib(logger zerolog.Logger) {
	lib := logger.With().Str("component", "stdlib").Logger()
	log.SetFlags(0)
	log.SetOutput(lib)
	slog.SetDefault(slog.New(zerolog.NewSlogHandler(lib)))
}

// StdLogger returns a *log.Logger that writes to logger at warn level, for
// libraries that take one.
func StdLogger(logger zerolog.Logger) *log.Logger {
	return log.New(levelWriter{logger, zerolog.WarnLevel}, "", 0)
}

type levelWriter struct {
	logger zerolog.Logger
	level  zerolog.Level
}

func (w levelWriter) Write(p []byte) (int, error) {
	w.logger.WithLevel(w.level).Msg(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
