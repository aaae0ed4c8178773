package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"workspace-qdrant-mcp/engine/ingest/ignore"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	// waitTimeout bounds every wait on the real filesystem; it is only
	// reached when a test fails.
	waitTimeout = 10 * time.Second
	// fastDebounce is used where the number of deliveries does not matter.
	fastDebounce = 20 * time.Millisecond
	// countDebounce is used where a test asserts an exact number of
	// deliveries: it must exceed any scheduling stall between the events of
	// one save on a loaded machine.
	countDebounce = 150 * time.Millisecond
)

// change is one OnChange call and the state the consumer saw at that time.
type change struct {
	path    string
	exists  bool
	content string
}

type recorder struct {
	hook func(path string) // optional, run at the end of onChange

	mu      sync.Mutex
	changes []change
	rescans []string
}

func (r *recorder) onChange(p string) {
	c := change{path: p}
	if info, err := os.Lstat(p); err == nil {
		c.exists = true
		if info.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			c.content = string(b)
		}
	}
	r.mu.Lock()
	r.changes = append(r.changes, c)
	r.mu.Unlock()
	if r.hook != nil {
		r.hook(p)
	}
}

func (r *recorder) onRescan(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rescans = append(r.rescans, reason)
}

// calls returns the OnChange calls for p, oldest first.
func (r *recorder) calls(p string) []change {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []change
	for _, c := range r.changes {
		if c.path == p {
			out = append(out, c)
		}
	}
	return out
}

// callsUnder returns the paths reported at or beneath dir.
func (r *recorder) callsUnder(dir string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.changes {
		if c.path == dir || strings.HasPrefix(c.path, dir+string(filepath.Separator)) {
			out = append(out, c.path)
		}
	}
	return out
}

func (r *recorder) rescanReasons() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.rescans)
}

// last returns the latest OnChange call for p.
func (r *recorder) last(p string) (change, bool) {
	cs := r.calls(p)
	if len(cs) == 0 {
		return change{}, false
	}
	return cs[len(cs)-1], true
}

type harness struct {
	t        *testing.T
	root     string
	w        *Watcher
	rec      *recorder
	barriers int
}

// start runs a watcher on root (or on opts.Roots, when set) until the test
// ends, and waits for Ready.
// startWithFiles writes files (slash-separated paths under a new root,
// each holding its base name), starts a watcher on the root and waits
// until it watches dirs directories.
func startWithFiles(t *testing.T, dirs int, files ...string) *harness {
	t.Helper()
	root := t.TempDir()
	for _, f := range files {
		write(t, filepath.Join(root, filepath.FromSlash(f)), path.Base(f))
	}
	h := start(t, root, Options{}, nil)
	h.waitWatched(dirs)
	return h
}

func start(t *testing.T, root string, opts Options, rec *recorder) *harness {
	t.Helper()
	if rec == nil {
		rec = &recorder{}
	}
	if opts.Roots == nil {
		opts.Roots = []string{root}
	}
	opts.OnChange = rec.onChange
	opts.OnRescan = rec.onRescan
	if opts.Debounce == 0 {
		opts.Debounce = fastDebounce
	}
	opts.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel)
	w, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitTimeout):
			t.Errorf("Run did not return after cancel")
		}
	})
	select {
	case <-w.Ready():
	case err := <-errc:
		t.Fatalf("Run ended before Ready: %v", err)
	case <-time.After(waitTimeout):
		t.Fatal("watcher not ready")
	}
	return &harness{t: t, root: root, w: w, rec: rec}
}

// waitFor polls cond every 10ms until it holds, failing after waitTimeout.
func (h *harness) waitFor(desc string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", desc)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// barrier creates a new file in the root and waits for its OnChange. The
// kernel queues events in order and every path has the same debounce
// delay, so once the barrier is delivered every earlier event has been
// delivered too: assertions that something was NOT reported, or was
// reported exactly once, are safe after it.
func (h *harness) barrier() {
	h.t.Helper()
	h.barriers++
	p := filepath.Join(h.root, fmt.Sprintf("barrier-%d", h.barriers))
	write(h.t, p, "b")
	h.waitFor("barrier "+p, func() bool { return len(h.rec.calls(p)) > 0 })
}

func (h *harness) path(rel string) string {
	return filepath.Join(h.root, filepath.FromSlash(rel))
}

// waitContent waits until the latest OnChange for p saw the given content.
func (h *harness) waitContent(p, content string) {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("OnChange(%s) with %q", p, content), func() bool {
		c, ok := h.rec.last(p)
		return ok && c.exists && c.content == content
	})
}

// waitMissing waits for an OnChange for p that saw p missing.
func (h *harness) waitMissing(p string) {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("OnChange(%s) with the path missing", p), func() bool {
		c, ok := h.rec.last(p)
		return ok && !c.exists
	})
}

func (h *harness) waitWatched(n int) {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("%d watched dirs", n), func() bool { return h.w.Stats().WatchedDirs == n })
}

// requireOnce waits until p is reported with content, then, after a
// barrier, asserts that it was reported exactly once.
func (h *harness) requireOnce(p, content string) {
	h.t.Helper()
	h.waitContent(p, content)
	h.barrier()
	cs := h.rec.calls(p)
	if len(cs) != 1 || !cs[0].exists || cs[0].content != content {
		h.t.Fatalf("OnChange(%s) calls = %+v; want exactly one seeing %q", p, cs, content)
	}
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startWithFile watches a new root holding f.go ("v1") with the debounce
// delay of tests that count reports, and returns the harness and the
// file's path.
func startWithFile(t *testing.T) (*harness, string) {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "f.go"), "v1")
	h := start(t, root, Options{Debounce: countDebounce}, nil)
	return h, h.path("f.go")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestAtomicRenameSave(t *testing.T) {
	t.Parallel()
	h, f := startWithFile(t)

	write(t, f+".tmp", "v2")
	must(t, os.Rename(f+".tmp", f))

	h.requireOnce(f, "v2")
	if c, ok := h.rec.last(f + ".tmp"); ok && c.exists {
		t.Errorf("temporary file last reported as existing")
	}
}

func TestVimStyleSave(t *testing.T) {
	t.Parallel()
	h, f := startWithFile(t)

	probe := h.path("4913")
	write(t, probe, "")
	must(t, os.Remove(probe))
	must(t, os.Rename(f, f+"~"))
	write(t, f, "v2")
	must(t, os.Remove(f+"~"))

	h.requireOnce(f, "v2")
	if c, ok := h.rec.last(probe); ok && c.exists {
		t.Errorf("probe file last reported as existing")
	}
	if c, ok := h.rec.last(f + "~"); ok && c.exists {
		t.Errorf("backup file last reported as existing")
	}
}

func TestChmodOnly(t *testing.T) {
	t.Parallel()
	h, f := startWithFile(t)

	must(t, os.Chmod(f, 0o600))
	h.requireOnce(f, "v1")
}

func TestBurstCoalesced(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	h := start(t, root, Options{Debounce: countDebounce}, nil)
	f := h.path("f.go")

	// A stall longer than the debounce between two writes (a loaded
	// machine) rightly ends the burst there, so each one allows a call.
	stalls := 0
	last := time.Now()
	for i := range 50 {
		write(t, f, fmt.Sprint(i))
		now := time.Now()
		if now.Sub(last) >= countDebounce {
			stalls++
		}
		last = now
	}
	h.waitContent(f, "49")
	h.barrier()
	cs := h.rec.calls(f)
	if len(cs) == 0 || len(cs) > 1+stalls {
		t.Fatalf("OnChange(%s) called %d times for 50 writes with %d stalls; want 1 to %d", f, len(cs), stalls, 1+stalls)
	}
	if c := cs[len(cs)-1]; !c.exists || c.content != "49" {
		t.Errorf("last OnChange(%s) saw %+v; want the final content %q", f, c, "49")
	}
}

func TestMkdirPReportsFilesCreatedBeforeTheirWatch(t *testing.T) {
	t.Parallel()
	h := start(t, t.TempDir(), Options{}, nil)

	must(t, os.MkdirAll(h.path("a/b/c"), 0o755))
	write(t, h.path("a/b/c/f"), "x")
	h.waitContent(h.path("a/b/c/f"), "x")
	h.waitWatched(4)

	write(t, h.path("a/b/c/g"), "y") // the new directories are watched
	h.waitContent(h.path("a/b/c/g"), "y")
}

func TestMoveDirWithinRoot(t *testing.T) {
	t.Parallel()
	h := startWithFiles(t, 3, "a/x", "a/sub/y")

	must(t, os.Rename(h.path("a"), h.path("b")))
	h.waitMissing(h.path("a"))
	h.waitContent(h.path("b/x"), "x")
	h.waitContent(h.path("b/sub/y"), "y")
	h.waitWatched(3)

	// The moved subdirectory is watched under its new path only.
	write(t, h.path("b/sub/z"), "z")
	h.waitContent(h.path("b/sub/z"), "z")
	h.barrier()
	if got := h.rec.calls(h.path("a/sub/z")); len(got) != 0 {
		t.Errorf("change reported under the old path: %+v", got)
	}
}

func TestMoveDirInFromOutside(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	write(t, filepath.Join(outside, "m", "x"), "x")
	write(t, filepath.Join(outside, "m", "n", "y"), "y")
	h := start(t, t.TempDir(), Options{}, nil)

	must(t, os.Rename(filepath.Join(outside, "m"), h.path("m")))
	h.waitContent(h.path("m/x"), "x")
	h.waitContent(h.path("m/n/y"), "y")
	h.waitWatched(3)

	write(t, h.path("m/n/z"), "z")
	h.waitContent(h.path("m/n/z"), "z")
}

func TestMoveDirOut(t *testing.T) {
	t.Parallel()
	h := startWithFiles(t, 2, "d/x")

	must(t, os.Rename(h.path("d"), filepath.Join(t.TempDir(), "d")))
	h.waitMissing(h.path("d"))
	h.waitWatched(1)
}

func TestDeleteDir(t *testing.T) {
	t.Parallel()
	h := startWithFiles(t, 3, "d/x", "d/e/y")

	must(t, os.RemoveAll(h.path("d")))
	h.waitMissing(h.path("d"))
	h.waitWatched(1)

	// A directory recreated under the same name is watched afresh.
	write(t, h.path("d/e/new"), "n")
	h.waitContent(h.path("d/e/new"), "n")
	h.waitWatched(3)
}

func TestIgnoredDirNeverWatched(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, filepath.Join(root, "node_modules", "pkg", "lib", "index.js"), "x")
	write(t, filepath.Join(root, "src", "main.go"), "x")
	var asked atomic.Int64
	ignore := func(p string, isDir bool) bool {
		if strings.Contains(p, "node_modules"+string(filepath.Separator)) {
			asked.Add(1) // never asked about paths beneath an ignored dir
		}
		return isDir && filepath.Base(p) == "node_modules"
	}
	h := start(t, root, Options{Ignore: ignore}, nil)
	if got := h.w.Stats().WatchedDirs; got != 2 {
		t.Fatalf("WatchedDirs = %d; want 2 (root, src)", got)
	}

	write(t, h.path("node_modules/pkg/lib/index.js"), "y")
	write(t, h.path("src/node_modules/x/f.js"), "y")
	write(t, h.path("src/ok.go"), "ok")
	h.waitContent(h.path("src/ok.go"), "ok")
	h.barrier()
	if got := h.rec.callsUnder(h.path("node_modules")); len(got) != 0 {
		t.Errorf("ignored paths reported: %v", got)
	}
	if got := h.rec.callsUnder(h.path("src/node_modules")); len(got) != 0 {
		t.Errorf("ignored paths reported: %v", got)
	}
	if got := h.w.Stats().WatchedDirs; got != 2 {
		t.Errorf("WatchedDirs = %d; want 2", got)
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("Ignore asked %d times about paths beneath an ignored directory", n)
	}
}

func TestSymlinkedDirNotFollowed(t *testing.T) {
	t.Parallel()
	root, target := t.TempDir(), t.TempDir()
	must(t, os.Mkdir(filepath.Join(target, "inner"), 0o755))
	must(t, os.Symlink(target, filepath.Join(root, "link")))
	h := start(t, root, Options{}, nil)
	if got := h.w.Stats().WatchedDirs; got != 1 {
		t.Fatalf("WatchedDirs = %d; want 1", got)
	}
	must(t, os.Symlink(target, h.path("link2")))
	h.waitFor("symlink reported like a file", func() bool { return len(h.rec.calls(h.path("link2"))) > 0 })
	if got := h.w.Stats().WatchedDirs; got != 1 {
		t.Errorf("WatchedDirs = %d after a new symlink; want 1", got)
	}
}

// isQueued reports whether key waits in the debouncer.
func (d *debouncer) isQueued(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.byKey[key]
	return ok
}

func TestPauseBuffersAndResumeDelivers(t *testing.T) {
	t.Parallel()
	h := start(t, t.TempDir(), Options{}, nil)
	a, b, sentinel := h.path("a"), h.path("b"), h.path("sentinel")

	h.w.Pause()
	if !h.w.Stats().Paused {
		t.Fatal("Stats.Paused is false after Pause")
	}
	write(t, a, "a1")
	write(t, b, "b")
	write(t, a, "a2")
	write(t, sentinel, "s")
	// Once the sentinel is queued every earlier event has been handled; once
	// all are due, an unpaused watcher would have delivered them.
	h.waitFor("buffered changes due", func() bool {
		_, allDue := h.w.deb.pendingDue(time.Now())
		return h.w.deb.isQueued(sentinel) && allDue
	})
	if got := h.rec.callsUnder(h.root); len(got) != 0 {
		t.Fatalf("delivered while paused: %v", got)
	}

	h.w.Resume()
	h.waitContent(sentinel, "s")
	h.requireOnce(a, "a2")
	h.requireOnce(b, "b")
	if h.w.Stats().Paused {
		t.Error("Stats.Paused is true after Resume")
	}
}

func TestIgnoreFileChangeResyncsWatches(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, filepath.Join(root, "gen", "sub", "x"), "x")
	var ignoreGen atomic.Bool
	ignoreGen.Store(true)
	ignore := func(p string, isDir bool) bool {
		return ignoreGen.Load() && isDir && filepath.Base(p) == "gen"
	}
	// The consumer flips its rules when it sees the ignore file change.
	rec := &recorder{hook: func(p string) {
		if filepath.Base(p) == ".gitignore" {
			ignoreGen.Store(!ignoreGen.Load())
		}
	}}
	h := start(t, root, Options{Ignore: ignore}, rec)
	if got := h.w.Stats().WatchedDirs; got != 1 {
		t.Fatalf("WatchedDirs = %d; want 1", got)
	}

	write(t, h.path(".gitignore"), "# gen re-included")
	h.waitWatched(3)
	h.waitContent(h.path("gen/sub/x"), "x") // files of newly watched dirs are reported
	write(t, h.path("gen/sub/y"), "y")
	h.waitContent(h.path("gen/sub/y"), "y")

	write(t, h.path(".gitignore"), "gen/")
	h.waitWatched(1)
}

// TestWithIgnoreMatcher wires the watcher to an ignore.Matcher the way the
// engine does.
func TestWithIgnoreMatcher(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, filepath.Join(root, ".gitignore"), "gen/\n")
	write(t, filepath.Join(root, "gen", "x.go"), "x")
	write(t, filepath.Join(root, "node_modules", "m", "i.js"), "x")
	write(t, filepath.Join(root, "src", "main.go"), "x")
	m, err := ignore.New([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	isIgnored := func(p string, isDir bool) bool {
		ign, _ := m.Ignored(p, isDir)
		return ign
	}
	rec := &recorder{hook: func(p string) {
		if ignore.IsIgnoreFile(filepath.Base(p)) {
			m.Invalidate(filepath.Dir(p))
		}
	}}
	h := start(t, root, Options{Ignore: isIgnored}, rec)
	if got := h.w.Stats().WatchedDirs; got != 2 {
		t.Fatalf("WatchedDirs = %d; want 2 (root, src)", got)
	}

	write(t, h.path(".gitignore"), "")
	h.waitContent(h.path("gen/x.go"), "x")
	h.waitWatched(3)
}

func TestOverflowRequestsRescan(t *testing.T) {
	t.Parallel()
	h := start(t, t.TempDir(), Options{}, nil)
	h.w.mu.Lock()
	fsw := h.w.fsw
	h.w.mu.Unlock()

	fsw.Errors <- fsnotify.ErrEventOverflow
	fsw.Errors <- fsnotify.ErrEventOverflow
	h.waitFor("OnRescan", func() bool { return len(h.rec.rescanReasons()) > 0 })
	h.barrier()
	if got := h.rec.rescanReasons(); !slices.Equal(got, []string{RescanOverflow}) {
		t.Errorf("rescans = %v; want one %q", got, RescanOverflow)
	}
	st := h.w.Stats()
	if !st.Overflowed || st.Rescans != 1 || st.LastRescanReason != RescanOverflow {
		t.Errorf("Stats = %+v; want Overflowed, 1 rescan, reason %q", st, RescanOverflow)
	}
}

func TestRescanReason(t *testing.T) {
	tests := []struct {
		err    error
		reason string
		limit  bool
	}{
		{fmt.Errorf("add: %w", syscall.ENOSPC), RescanWatchLimit, true},
		{syscall.EMFILE, RescanFDLimit, true},
		{syscall.ENFILE, RescanFDLimit, true},
		{syscall.EACCES, RescanWatchFailed, false},
		{syscall.ENOENT, "", false},
		{syscall.ENOTDIR, "", false},
	}
	for _, tt := range tests {
		reason, limit := rescanReason(tt.err)
		if reason != tt.reason || limit != tt.limit {
			t.Errorf("rescanReason(%v) = %q, %v; want %q, %v", tt.err, reason, limit, tt.reason, tt.limit)
		}
	}
}

func TestRunReturnsPromptlyOnCancel(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	w, err := New(Options{Roots: []string{root}, OnChange: func(string) {}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	<-w.Ready()
	if !w.Stats().Running {
		t.Error("Stats.Running is false while running")
	}
	if err := w.Run(ctx); err == nil {
		t.Error("second Run: want error")
	}
	write(t, filepath.Join(root, "f"), "x") // a change pending at cancel
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("Run = %v; want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return within 2s of cancel")
	}
	if w.Stats().Running {
		t.Error("Stats.Running is true after Run returned")
	}
}

func TestNewValidates(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "f")
	write(t, file, "x")
	noop := func(string) {}
	tests := map[string]Options{
		"no roots":       {OnChange: noop},
		"no OnChange":    {Roots: []string{root}},
		"missing root":   {Roots: []string{filepath.Join(root, "missing")}, OnChange: noop},
		"root is a file": {Roots: []string{file}, OnChange: noop},
	}
	for name, opts := range tests {
		if _, err := New(opts); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
	_, err := New(Options{Roots: []string{filepath.Join(root, "missing")}, OnChange: noop})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing root: err = %v; want it to wrap os.ErrNotExist", err)
	}
}
