// Package enginetest is the test kit of the packages that run an engine
// (engine, tools, recovery, and the server's end-to-end tests): a
// workspace of files, the test configuration over temporary directories,
// polling for what a real engine does on its own time, and a buffer safe
// for concurrent use. It imports no engine package, so that the engine's
// own tests can use it.
//
//	ws := enginetest.Workspace(t, map[string]string{"a.go": "package a\n"})
//	cfg := enginetest.Config(t, []string{ws}, func(c *config.Config) { c.LSP.Enabled = false })
package enginetest

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"workspace-qdrant-mcp/internal/config"
)

// Workspace returns a new temporary directory holding files (name →
// content); a name with slashes is made with its directories.
func Workspace(t testing.TB, files map[string]string) string {
	t.Helper()
	ws := t.TempDir()
	WriteFiles(t, ws, files)
	return ws
}

// WriteFiles writes files (name → content, names relative to dir) into
// dir, making the directories they need.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// Config is the default configuration for tests: workspace roots as
// given, a new temporary data directory and two workers, then each of
// edits applied in turn. It is not validated: the engine validates its
// own copy when it starts; call Valid for a validated one.
func Config(t testing.TB, roots []string, edits ...func(*config.Config)) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Workspace.Roots = roots
	cfg.Storage.DataDir = t.TempDir()
	cfg.Engine.Workers = 2
	for _, edit := range edits {
		edit(&cfg)
	}
	return cfg
}

// Valid is Config, validated: a test fails at once on a configuration
// that would not start.
func Valid(t testing.TB, roots []string, edits ...func(*config.Config)) config.Config {
	t.Helper()
	cfg := Config(t, roots, edits...)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Eventually polls cond every 10ms until it holds, failing the test with
// what when it does not within d. It is for a real engine, whose work
// ends on its own time; a test that can run in a testing/synctest bubble
// waits with synctest.Wait instead.
func Eventually(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Buffer is a bytes.Buffer safe for concurrent use: a logger's or a
// process's output that the test reads while it is written.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *Buffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *Buffer) String() string { return string(b.Bytes()) }
