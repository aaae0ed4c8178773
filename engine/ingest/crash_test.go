package ingest_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/internal/config"
)

// The crash child is this test binary re-executed with crashChildEnv set:
// TestCrashChild then indexes the workspace named by the environment and
// reports the store's file count on stderr until its parent SIGKILLs it.
const (
	crashChildEnv  = "WQM_INGEST_CRASH_CHILD"
	crashRootEnv   = "WQM_INGEST_CRASH_ROOT"
	crashDataEnv   = "WQM_INGEST_CRASH_DATA"
	progressPrefix = "crashchild files="
	crashFiles     = 400
)

func crashConfig(t testing.TB, root, data string) config.Config {
	cfg := testConfig(t, root, data)
	cfg.Workspace.ChunkChars = 400
	cfg.Workspace.ChunkOverlap = 50
	return cfg
}

// TestCrashChild is not a test of its own: it is the helper process of
// TestCrashConsistency and skips itself unless run as that child.
func TestCrashChild(t *testing.T) {
	if os.Getenv(crashChildEnv) == "" {
		t.Skip("helper process of TestCrashConsistency; runs only as its child")
	}
	e := startEnv(t, crashConfig(t, os.Getenv(crashRootEnv), os.Getenv(crashDataEnv)))
	last := -1
	deadline := time.Now().Add(2 * time.Minute) // the parent kills it long before
	for time.Now().Before(deadline) {
		if n := e.storeStats().Files; n != last {
			last = n
			fmt.Fprintf(os.Stderr, "%s%d\n", progressPrefix, n)
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("crash child was never killed")
}

// crashWorkspace writes crashFiles files of a few chunks each and returns
// their paths.
func crashWorkspace(t *testing.T, root string) []string {
	var paths []string
	for i := range crashFiles {
		var b strings.Builder
		fmt.Fprintf(&b, "package p%d\n\n", i%20)
		for j := range 12 {
			fmt.Fprintf(&b, "// G%d_%d mentions %s.\nfunc G%d_%d() int { return %d }\n\n", i, j, token("crashw", i), i, j, i*j)
		}
		paths = append(paths, writeFile(t, root, fmt.Sprintf("dir%02d/file%03d.go", i%20, i), b.String()))
	}
	return paths
}

// runChildUntil runs the crash child over root and data and SIGKILLs it
// once it reports at least killAt indexed files. It returns the last
// count the child reported.
func runChildUntil(t *testing.T, root, data string, killAt int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashRootEnv+"="+root, crashDataEnv+"="+data)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() { once.Do(func() { _ = cmd.Process.Kill() }) } // SIGKILL
	guard := time.AfterFunc(4*waitTimeout, kill)                  // a hung child fails the test, never hangs it
	defer guard.Stop()
	defer kill()

	last, killed := -1, false
	var other []string // anything else the child printed, for failures
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		n, err := strconv.Atoi(strings.TrimPrefix(line, progressPrefix))
		if !strings.HasPrefix(line, progressPrefix) || err != nil {
			other = append(other, line)
			continue
		}
		last = n
		if n >= killAt {
			kill()
			killed = true
			break
		}
	}
	_, _ = io.Copy(io.Discard, stderr)
	err = cmd.Wait()
	if !killed {
		t.Fatalf("crash child ended before reaching %d files (last %d): %v\n%s", killAt, last, err, strings.Join(other, "\n"))
	}
	return last
}

// checkStore opens the store the child left behind and runs its
// integrity check.
func checkStore(t *testing.T, data string) {
	t.Helper()
	st, err := embedded.Open(t.Context(), data, embedded.Options{Analyzer: analysis.Terms})
	if err != nil {
		t.Fatalf("open the store a killed child left: %v", err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Errorf("store left by a killed child: %v", err)
	}
}

// TestCrashConsistency SIGKILLs an indexing child process three times at
// different points of the same initial indexing, then finishes the work
// in this process: every file must end up indexed exactly once, with
// exactly the chunks a fresh split gives, in a store that passes its
// integrity check.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	root, data := newDirs(t)
	begin := time.Now()
	paths := crashWorkspace(t, root)
	for _, killAt := range []int{1, crashFiles / 3, 2 * crashFiles / 3} {
		last := runChildUntil(t, root, data, killAt)
		t.Logf("%s: child killed after it reported %d of %d files indexed", time.Since(begin).Round(time.Millisecond), last, crashFiles)
		if last >= crashFiles {
			t.Errorf("child finished all %d files before it was killed; the kill was not mid-indexing", crashFiles)
		}
		checkStore(t, data)
	}

	cfg := crashConfig(t, root, data)
	e := startEnv(t, cfg)
	e.waitSettled()
	t.Logf("%s: the parent finished indexing", time.Since(begin).Round(time.Millisecond))
	if got := e.storeStats().Files; got != len(paths) {
		t.Errorf("store holds %d file documents, want %d", got, len(paths))
	}

	total := 0
	for _, p := range paths {
		content, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		opts := chunk.Options{MaxChars: cfg.Workspace.ChunkChars, OverlapChars: cfg.Workspace.ChunkOverlap, Language: chunk.Language(p)}
		want := chunk.Split(string(content), opts)
		d, err := e.store.GetDocument(context.Background(), ingest.FileDocID(p))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		total += len(d.Chunks)
		if len(d.Chunks) != len(want) {
			t.Errorf("%s has %d chunks, want %d", filepath.Base(p), len(d.Chunks), len(want))
			continue
		}
		for i, c := range d.Chunks {
			if c.Ordinal != i || c.Text != want[i].Text || c.Hash != storage.VectorHash(ingest.ModelKey(embed.NewBuiltin(384).Info()), want[i].Text) {
				t.Errorf("%s chunk %d = ordinal %d hash %s, want ordinal %d hash %s", filepath.Base(p), i, c.Ordinal, c.Hash, i, want[i].Hash)
				break
			}
		}
	}
	if got := e.storeStats().Chunks; got != total {
		t.Errorf("store holds %d chunks, its %d documents %d: chunks are duplicated or orphaned", got, len(paths), total)
	}
	if err := e.store.IntegrityCheck(t.Context()); err != nil {
		t.Error(err)
	}
	e.waitSearch(token("crashw", 123), paths[123])
}
