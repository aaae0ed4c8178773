//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileWorkspace: a workspace with the secrets of
// newSecretWorkspace and also a FIFO, /dev/zero and /dev/urandom behind
// symlinks, a symlink loop, an 8 GiB sparse file, and symlinks to a file
// and a directory outside the workspace, over a data directory left open
// to others. The index settles; no secret is searchable, returned or sent
// to the embedding endpoint; nothing outside is read; the data directory
// is made private, saying so; and the server exits cleanly.
func TestHostileWorkspace(t *testing.T) {
	const key = "sk-e2e-embed-key"
	fake := newFakeEmbeddings(t, 64, key)
	fx := newFixture(t, fixtureOptions{autostart: true, extraConfig: openAIConfig(fake.srv.URL, 64)})
	fx.env = append(fx.env, "WQM_E2E_EMBED_KEY="+key)
	ws := fx.workspace
	sw := newSecretWorkspace(t, ws)

	base := filepath.Dir(ws)
	outside := filepath.Join(base, "outside")
	if err := os.Mkdir(outside, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "far.go"), []byte("package far\n\n// outsideword lives outside.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(ws, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"zero":       "/dev/zero",
		"random":     "/dev/urandom",
		"loop-a":     filepath.Join(ws, "loop-b"),
		"loop-b":     filepath.Join(ws, "loop-a"),
		"out-dir":    outside,
		"out-file":   filepath.Join(outside, "far.go"),
		"out-parent": "..",
	} {
		if err := os.Symlink(target, filepath.Join(ws, link)); err != nil {
			t.Fatal(err)
		}
	}
	sparse := filepath.Join(ws, "huge.log.txt")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(8 << 30); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	// A data directory a careless umask left readable by all.
	data := filepath.Join(base, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(data, "stray.json")
	if err := os.WriteFile(stray, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(data, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if err := os.Chmod(stray, 0o644); err != nil {
		t.Fatal(err)
	}

	p := spawn(t, fx, "-config", fx.config)
	p.initialize(t)
	start := time.Now()
	p.waitIdle(t)
	t.Logf("index settled in %v", time.Since(start))
	sw.check(t, p, fake, ws)

	st := p.mustCall(t, "engine_status", nil)
	idx, _ := st.obj["index"].(map[string]any)
	skipped, _ := idx["skipped"].(map[string]any)
	for reason, want := range map[string]float64{"symlink_outside_roots": 5, "symlink_broken": 2, "too_large": 1} {
		if skipped[reason] != want {
			t.Errorf("index.skipped[%s] = %v, want %v (all: %v)", reason, skipped[reason], want, skipped)
		}
	}
	if r := p.mustCall(t, "search", map[string]any{"query": "outsideword", "mode": "keyword"}); strings.Contains(r.text, "far.go") {
		t.Errorf("a file outside the workspace was indexed: %s", r.text)
	}
	for i, text := range fake.received() {
		if strings.Contains(text, "outsideword lives") {
			t.Errorf("embedding input %d comes from outside the workspace: %q", i, text)
		}
	}

	for path, want := range map[string]os.FileMode{data: 0o700, stray: 0o600} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", path, info.Mode().Perm(), want)
		}
	}
	err = filepath.WalkDir(data, func(p string, de os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := de.Info()
		if err != nil {
			return err
		}
		if (de.IsDir() || info.Mode().IsRegular()) && info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s in the data directory is %v: open to others", p, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	stopCleanly(t, p)
	if !strings.Contains(p.stderr.String(), "the data directory was open to other users") {
		t.Error("no log line says the data directory was made private")
	}
}
