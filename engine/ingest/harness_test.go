package ingest_test

// Shared harness of the ingest tests: every test runs the real thing, a
// temporary workspace on the real filesystem, the embedded store, the
// built-in embedder (wrapped to count what it embeds), the pipeline and
// the recursive watcher, and waits for asynchronous indexing by polling a
// condition with a deadline.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/internal/config"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		// The crash child is SIGKILLed by its parent; leak checks mean
		// nothing there.
		os.Exit(m.Run())
	}
	goleak.VerifyTestMain(m)
}

const (
	// waitTimeout bounds every wait; it is reached only when a test fails.
	waitTimeout = 10 * time.Second
	pollEvery   = 10 * time.Millisecond
	dims        = 384
)

// countingEmbedder is the real built-in embedder, counting the texts it
// is asked to embed.
type countingEmbedder struct {
	embed.Embedder
	texts atomic.Int64
}

func newCountingEmbedder() *countingEmbedder {
	return &countingEmbedder{Embedder: embed.NewBuiltin(dims)}
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	return c.Embedder.Embed(ctx, texts)
}

// testConfig is config.Default with the workspace root, data dir and the
// knobs the tests rely on set. Both directories must exist.
func testConfig(t testing.TB, root, data string) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Workspace.Roots = []string{root}
	cfg.Workspace.Debounce = config.Duration(20 * time.Millisecond)
	cfg.Storage.DataDir = data
	cfg.Engine.Workers = 2
	if err := cfg.Validate(); err != nil { // resolves symlinks in the root, as the server does
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// newDirs returns a fresh workspace root and a data dir beside it (never
// inside it), both with symlinks resolved.
func newDirs(t testing.TB) (root, data string) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root, data = filepath.Join(base, "ws"), filepath.Join(base, "data")
	for _, d := range []string{root, data} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root, data
}

// env is one running indexer with everything it needs.
type env struct {
	t     testing.TB
	cfg   config.Config
	store *embedded.Store
	emb   *countingEmbedder
	pipe  *pipeline.Pipeline
	ix    *ingest.Indexer
	logs  *logSink

	stopOnce sync.Once
}

// startEnv opens the store over cfg.Storage.DataDir, prepares the
// collection as the engine's startup does, starts a pipeline of 2 workers
// and the indexer. It is stopped at cleanup unless stopped before.
func startEnv(t testing.TB, cfg config.Config) *env {
	t.Helper()
	return startEnvWith(t, cfg, nil)
}

// startEnvWith is startEnv with the indexer given wrap(store) instead of
// the store itself, when wrap is not nil.
func startEnvWith(t testing.TB, cfg config.Config, wrap func(storage.Store) storage.Store) *env {
	t.Helper()
	return startEnvFull(t, cfg, wrap, nil)
}

// startEnvWithEmbedder is startEnv with the indexer given wrap(counter)
// as its embedder.
func startEnvWithEmbedder(t testing.TB, cfg config.Config, wrap func(*countingEmbedder) embed.Embedder) *env {
	t.Helper()
	return startEnvFull(t, cfg, nil, wrap)
}

func startEnvFull(t testing.TB, cfg config.Config, wrapStore func(storage.Store) storage.Store, wrapEmb func(*countingEmbedder) embed.Embedder) *env {
	t.Helper()
	return startEnvDeps(t, cfg, wrapStore, wrapEmb, nil)
}

// startEnvDeps is startEnvFull with tweak applied to the indexer's Deps
// (when not nil) before it is created.
func startEnvDeps(t testing.TB, cfg config.Config, wrapStore func(storage.Store) storage.Store, wrapEmb func(*countingEmbedder) embed.Embedder, tweak func(*ingest.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, cfg: cfg, emb: newCountingEmbedder(), logs: &logSink{}}
	st, err := embedded.Open(ctx, cfg.Storage.DataDir, embedded.Options{Analyzer: analysis.Terms})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	e.store = st
	if err := st.EnsureCollection(ctx, cfg.Workspace.Collection, e.emb.Info().Dimensions); err != nil {
		_ = st.Close()
		t.Fatalf("ensure collection: %v", err)
	}
	log := zerolog.New(e.logs).Level(zerolog.WarnLevel)
	e.pipe = pipeline.New(2, 64, log)
	e.pipe.Start()
	var store storage.Store = st
	if wrapStore != nil {
		store = wrapStore(st)
	}
	var emb embed.Embedder = e.emb
	if wrapEmb != nil {
		emb = wrapEmb(e.emb)
	}
	deps := ingest.Deps{Config: cfg, Store: store, Embedder: emb, Pipeline: e.pipe, Logger: log}
	if tweak != nil {
		tweak(&deps)
	}
	ix, err := ingest.New(deps)
	if err != nil {
		e.closeStoreAndPipe()
		t.Fatalf("new indexer: %v", err)
	}
	startCtx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	if err := ix.Start(startCtx); err != nil {
		_ = ix.Stop(ctx)
		e.closeStoreAndPipe()
		t.Fatalf("start indexer: %v", err)
	}
	e.ix = ix
	t.Cleanup(e.stop)
	return e
}

func (e *env) closeStoreAndPipe() {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if _, err := e.pipe.Shutdown(ctx); err != nil {
		e.t.Errorf("pipeline shutdown: %v", err)
	}
	if err := e.store.Close(); err != nil {
		e.t.Errorf("close store: %v", err)
	}
}

// stop shuts down in the engine's order: pause the indexer, stop it, shut
// the pipeline down, close the store. It may be called more than once.
func (e *env) stop() {
	e.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		e.ix.Pause()
		if err := e.ix.Stop(ctx); err != nil {
			e.t.Errorf("stop indexer: %v", err)
		}
		e.closeStoreAndPipe()
		if errs := e.logs.errors(); len(errs) > 0 {
			e.t.Logf("indexer logged %d warnings or errors, first: %s", len(errs), errs[0])
		}
	})
}

// waitFor polls cond every 10ms until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitTimeout, what)
		}
		time.Sleep(pollEvery)
	}
}

// settled reports that the indexer has nothing pending and is not scanning.
func (e *env) settled() bool {
	s := e.ix.Stats()
	return s.Pending == 0 && !s.Indexing
}

// waitSettled waits until the indexer has caught up with the workspace.
func (e *env) waitSettled() {
	e.t.Helper()
	waitFor(e.t, "the indexer to settle", e.settled)
}

func (e *env) storeStats() storage.Stats {
	e.t.Helper()
	s, err := e.store.Stats(context.Background())
	if err != nil {
		e.t.Fatalf("store stats: %v", err)
	}
	return s
}

// hasDoc reports whether the store holds the file document of path.
func (e *env) hasDoc(path string) bool {
	_, err := e.store.GetDocument(context.Background(), ingest.FileDocID(path))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		e.t.Fatalf("get document %s: %v", path, err)
	}
	return err == nil
}

// docText is the document's text rebuilt from its chunks (overlaps
// included), for containment checks.
func (e *env) docText(path string) string {
	d, err := e.store.GetDocument(context.Background(), ingest.FileDocID(path))
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, c := range d.Chunks {
		b.WriteString(c.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// keywordPaths returns the paths of the file chunks a keyword search for
// term finds.
func (e *env) keywordPaths(term string) []string {
	e.t.Helper()
	hits, err := e.store.Search(context.Background(), storage.Query{
		Text: term, Mode: storage.ModeKeyword, Limit: 50, Collection: e.cfg.Workspace.Collection,
	})
	if err != nil {
		e.t.Fatalf("keyword search %q: %v", term, err)
	}
	var paths []string
	for _, h := range hits {
		if !slices.Contains(paths, h.Chunk.Path) {
			paths = append(paths, h.Chunk.Path)
		}
	}
	sort.Strings(paths)
	return paths
}

// assertDocs checks that the store holds exactly the file documents of
// want: as many file documents as want has (Stats().Files), and one for
// each path of want (GetDocument).
func (e *env) assertDocs(want []string) {
	e.t.Helper()
	if got := e.storeStats().Files; got != len(want) {
		e.t.Errorf("store holds %d file documents, want %d", got, len(want))
	}
	for _, p := range want {
		if !e.hasDoc(p) {
			e.t.Errorf("no document for %s", p)
		}
	}
}

// logSink collects warn and error log lines; it never calls t.Log, so a
// late line cannot outlive its test.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.lines = append(s.lines, strings.TrimSpace(string(p)))
	s.mu.Unlock()
	return len(p), nil
}

func (s *logSink) errors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.lines)
}

// writeFile writes content at root/rel, creating its directories.
func writeFile(t testing.TB, root, rel, content string) string {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// token returns a keyword that appears nowhere else: lowercase letters
// only, so the analyzer keeps it as one term and never splits it.
func token(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; i < 6; i++ {
		b.WriteByte(byte('a' + n%26))
		n /= 26
	}
	return b.String()
}

// goSource returns a small Go file mentioning word.
func goSource(pkg, word string) string {
	return fmt.Sprintf("package %s\n\n// %s is documented here.\nfunc %s() string { return %q }\n", pkg, word, "F"+word, word)
}
