// Command ingestbench measures the workspace indexer (engine/ingest) on
// real code: a copy of $(go env GOROOT)/src without its testdata
// directories.
//
//	go run ./cmd/ingestbench [-src DIR] [-debounce 200ms] [-samples 20] [-keep]
//	    [-cpuprofile FILE] [-memprofile FILE] [-restartprofile FILE]
//	    [-embedder static -model-path DIR]
//	go run ./cmd/ingestbench -write-model DIR [-model-rows 62500] [-model-dims 256]
//
// It copies the source tree into a temporary directory, then measures with
// the server's default configuration (chunking, file size limit, embedded
// store, built-in embedder, one pipeline worker per CPU):
//
//   - full index: from Start until nothing is pending, in files/s and MB/s;
//   - the CPU time (user and system) the full index took, which varies
//     less than its wall time on a busy machine;
//   - the bytes the full index wrote (wchar of /proc/self/io, Linux);
//   - peak RSS of the process (VmHWM on Linux, the peak working set on
//     Windows) after the full index, where the OS gives it;
//   - warm restart: Start over the same data directory and the unchanged
//     copy until nothing is pending, and how many texts it embedded (0);
//     then until the store's in-memory keyword index, built in the
//     background after Open, is in use (keyword searches wait for it);
//   - with -cpuprofile, a CPU profile of the full index only; with
//     -memprofile, a heap profile (allocations) taken right after it;
//     with -restartprofile, a CPU profile of the warm restart until the
//     keyword index is in use;
//   - change-to-searchable latency: write a new file holding a unique
//     word, poll a keyword search every 2ms until it is found; p50, p95
//     and max over -samples files. It includes the watcher's debounce.
//
// With -embedder static it embeds with the Model2Vec model in
// -model-path instead of the built-in embedder. Where no real model can
// be had, -write-model writes one of a given shape (by default 16M
// values, the size of potion-code-16M) whose vocabulary is the source
// tree's most frequent words, and exits: its vectors mean nothing, but
// its tokenisation, lookups and table size cost what a real one's do.
// Write it in its own run, so that writing it does not count in the
// measured process's peak RSS.
//
// It prints a table on stdout; progress goes to stderr. It is not part of
// go test and takes a few minutes on two cores.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/embed/static"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/internal/benchcorpus"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/memlimit"
	"workspace-qdrant-mcp/internal/procstat"
)

func main() {
	src := flag.String("src", "", "source tree to copy and index (default: $(go env GOROOT)/src)")
	debounce := flag.Duration("debounce", 200*time.Millisecond, "watcher debounce (the server's default is 200ms)")
	samples := flag.Int("samples", 20, "change-to-searchable samples")
	keep := flag.Bool("keep", false, "keep the temporary copy and data directory")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the full index to this file")
	flag.StringVar(&restartProfile, "restartprofile", "", "write a CPU profile of the warm restart, until the keyword index is in use, to this file")
	flag.StringVar(&memProfile, "memprofile", "", "write a heap profile taken after the full index to this file")
	flag.StringVar(&embedder, "embedder", "builtin", "builtin, or static with -model-path")
	flag.StringVar(&modelPath, "model-path", "", "a Model2Vec model directory, for -embedder static")
	writeModel := flag.String("write-model", "", "write a synthetic Model2Vec model of -model-rows × -model-dims into this directory and exit")
	rows := flag.Int("model-rows", 62500, "rows of the -write-model model")
	dims := flag.Int("model-dims", 256, "dimensions of the -write-model model")
	flag.IntVar(&workers, "workers", 0, "engine.workers (0: the default, GOMAXPROCS)")
	flag.Parse()
	if *writeModel != "" {
		if *src == "" {
			var err error
			if *src, err = benchcorpus.GorootSrc(); err != nil {
				fmt.Fprintln(os.Stderr, "ingestbench:", err)
				os.Exit(1)
			}
		}
		if err := writeSyntheticModel(*writeModel, *src, *rows, *dims); err != nil {
			fmt.Fprintln(os.Stderr, "ingestbench: write model:", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "wrote a %d × %d model into %s\n", *rows, *dims, *writeModel)
		return
	}
	if embedder != "builtin" && (embedder != "static" || modelPath == "") {
		fmt.Fprintln(os.Stderr, "ingestbench: -embedder is builtin, or static with -model-path")
		os.Exit(2)
	}
	if err := run(*src, *debounce, *samples, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "ingestbench:", err)
		os.Exit(1)
	}
}

// Profile files; "" means no profile.
var cpuProfile, memProfile, restartProfile string

// embedder is "builtin" or "static"; modelPath is the static model's
// directory.
var embedder, modelPath string

// embedderName is the embedder's provider and dimensions, for the report.
var embedderName string

// workers is -workers: engine.workers when above 0.
var workers int

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(src string, debounce time.Duration, samples int, keep bool) error {
	if src == "" {
		var err error
		if src, err = benchcorpus.GorootSrc(); err != nil {
			return err
		}
	}
	if info, err := os.Stat(src); err != nil || !info.IsDir() {
		return fmt.Errorf("source tree %s is missing", src)
	}
	base, err := os.MkdirTemp("", "ingestbench-")
	if err != nil {
		return err
	}
	if keep {
		progress("keeping %s", base)
	} else {
		defer os.RemoveAll(base)
	}
	root, data := filepath.Join(base, "src"), filepath.Join(base, "data")

	progress("copying %s without testdata directories", src)
	begin := time.Now()
	copied, copiedBytes, err := benchcorpus.CopyTree(src, root, nil)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	progress("copied %d files, %.1f MB in %s", copied, mb(copiedBytes), time.Since(begin).Round(time.Millisecond))

	cfg := config.Default()
	// The figures in BENCHMARKS.md are the built-in embedder's; auto (the
	// default) would depend on whether a model can be downloaded.
	cfg.Embedding.Provider = "builtin"
	cfg.Workspace.Roots = []string{root}
	cfg.Workspace.Debounce = config.Duration(debounce)
	cfg.Storage.DataDir = data
	cfg.Logging.Level = "warn"
	if workers > 0 {
		cfg.Engine.Workers = workers
	}
	memlimit.Set(int64(cfg.Engine.MemoryLimitMB) << 20) // as the server does
	if err := cfg.Validate(); err != nil {
		return err
	}
	root = cfg.Workspace.Roots[0]
	ctx := context.Background()

	// Full index.
	progress("full index: %d workers, chunk %d/%d chars, max file %d bytes", cfg.Engine.Workers,
		cfg.Workspace.ChunkChars, cfg.Workspace.ChunkOverlap, cfg.Workspace.MaxFileBytes)
	// CPU time (user and system) varies less than wall time when other
	// processes compete for the CPUs. Every OS the server is built for
	// gives it; where one does not, the run stops rather than report 0.
	cpu0, ok := procstat.CPUTime()
	if !ok {
		return fmt.Errorf("no CPU time of the process on %s", runtime.GOOS)
	}
	written0, writtenOK := writtenBytes()
	stopCPU, err := startCPUProfile(cpuProfile)
	if err != nil {
		return err
	}
	r, err := start(ctx, cfg)
	if err != nil {
		return err
	}
	fullTime := r.waitSettled(time.Now(), 2*time.Second)
	cpu1, _ := procstat.CPUTime()
	fullCPU := cpu1 - cpu0
	peakRSS := peakRSSText()
	written := writtenText(written0, writtenOK)
	if err := stopCPU(); err != nil {
		return err
	}
	if err := writeHeapProfile(memProfile); err != nil {
		return err
	}
	st, err := r.store.Stats(ctx)
	if err != nil {
		return err
	}
	indexedBytes, err := indexedSize(ctx, r.store, root)
	if err != nil {
		return err
	}
	fullEmbedded := r.emb.texts.Load()
	skipped := r.ix.Stats().Skipped
	if err := r.stop(); err != nil {
		return err
	}
	storeBytes := dirSize(data)
	progress("full index done in %s: %d files, %d chunks", fullTime.Round(time.Millisecond), st.Files, st.Chunks)

	// Warm restart over the unchanged copy.
	stopRestartCPU, err := startCPUProfile(restartProfile)
	if err != nil {
		return err
	}
	begin = time.Now()
	r, err = start(ctx, cfg)
	if err != nil {
		return err
	}
	warmTime := r.waitSettled(begin, 2*time.Second)
	warmEmbedded := r.emb.texts.Load()
	progress("warm restart settled in %s (store open %s, indexer started %s), embedded %d texts", warmTime.Round(time.Millisecond),
		r.opened.Round(time.Millisecond), r.started.Round(time.Millisecond), warmEmbedded)
	if err := r.store.WaitKeywordIndex(ctx); err != nil {
		return err
	}
	keywordReady := time.Since(begin)
	if err := stopRestartCPU(); err != nil {
		return err
	}
	progress("warm restart: in-memory keyword index in use after %s", keywordReady.Round(time.Millisecond))

	// Change to searchable.
	var lat []time.Duration
	dir := filepath.Join(root, "ingestbench_changes")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	time.Sleep(debounce + 100*time.Millisecond) // let the watcher take the new directory in
	for i := range samples {
		word := uniqueWord(i)
		p := filepath.Join(dir, fmt.Sprintf("change%02d.go", i))
		body := fmt.Sprintf("package changes\n\n// %s is a word no other file holds.\nfunc F%d() {}\n", word, i)
		t0 := time.Now()
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
		for {
			hits, err := r.store.Search(ctx, storage.Query{Text: word, Mode: storage.ModeKeyword, Limit: 1})
			if err != nil {
				return err
			}
			if len(hits) > 0 && hits[0].Chunk.Path == p {
				break
			}
			if time.Since(t0) > 30*time.Second {
				return fmt.Errorf("%s never became searchable", p)
			}
			time.Sleep(2 * time.Millisecond)
		}
		lat = append(lat, time.Since(t0))
	}
	if err := r.stop(); err != nil {
		return err
	}
	slices.Sort(lat)

	reasons := make([]string, 0, len(skipped))
	for k, v := range skipped {
		reasons = append(reasons, fmt.Sprintf("%s=%d", k, v))
	}
	slices.Sort(reasons)

	fmt.Fprintf(stdout, "ingestbench: %s (copy without testdata), %s/%s, %d CPUs, %s\n", src, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(stdout, "config: workers=%d queue=%d chunk=%d/%d max_file_bytes=%d debounce=%s embedder=%s\n",
		cfg.Engine.Workers, cfg.Engine.QueueCapacity, cfg.Workspace.ChunkChars, cfg.Workspace.ChunkOverlap,
		cfg.Workspace.MaxFileBytes, debounce, embedderName)
	fmt.Fprintln(stdout)
	row := func(k, v string) { fmt.Fprintf(stdout, "| %-34s | %-44s |\n", k, v) }
	row("metric", "value")
	fmt.Fprintf(stdout, "|%s|%s|\n", strings.Repeat("-", 36), strings.Repeat("-", 46))
	row("files in copy", fmt.Sprintf("%d (%.1f MB)", copied, mb(copiedBytes)))
	row("files indexed", fmt.Sprintf("%d (%.1f MB)", st.Files, mb(indexedBytes)))
	row("chunks / texts embedded", fmt.Sprintf("%d / %d", st.Chunks, fullEmbedded))
	row("skipped", strings.Join(reasons, " "))
	row("full index time", fullTime.Round(time.Millisecond).String())
	row("full index throughput", fmt.Sprintf("%.0f files/s, %.2f MB/s", float64(st.Files)/fullTime.Seconds(), mb(indexedBytes)/fullTime.Seconds()))
	row("full index CPU time (user+sys)", fmt.Sprintf("%s (%.0f%% of one core)", fullCPU.Round(time.Millisecond), 100*fullCPU.Seconds()/fullTime.Seconds()))
	row("peak RSS after full index", peakRSS)
	row("full index bytes written (wchar)", written)
	row("store size on disk", fmt.Sprintf("%.0f MB", mb(storeBytes)))
	row("warm restart until settled", warmTime.Round(time.Millisecond).String())
	row("warm restart texts embedded", fmt.Sprint(warmEmbedded))
	row("warm restart keyword index built", keywordReady.Round(time.Millisecond).String())
	row(fmt.Sprintf("change→searchable p50 (n=%d)", len(lat)), pct(lat, 50).Round(time.Millisecond).String())
	row("change→searchable p95", pct(lat, 95).Round(time.Millisecond).String())
	row("change→searchable max", lat[len(lat)-1].Round(time.Millisecond).String())
	return nil
}

// startCPUProfile starts a CPU profile into path, unless path is "", and
// returns the function that stops it.
func startCPUProfile(path string) (func() error, error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// writeHeapProfile writes a heap profile to path, unless path is "".
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC() // up-to-date statistics
	err = pprof.Lookup("heap").WriteTo(f, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// peakRSSText is the peak resident set size in MB, or says that the OS
// does not give it.
func peakRSSText() string {
	b, ok := procstat.PeakRSSBytes()
	if !ok {
		return "not measured on " + runtime.GOOS
	}
	return fmt.Sprintf("%.0f MB", mb(b))
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100 // nearest rank
	return sorted[max(i-1, 0)]
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func uniqueWord(i int) string {
	var b strings.Builder
	b.WriteString("benchzq")
	for range 6 {
		b.WriteByte(byte('a' + i%26))
		i /= 26
	}
	return b.String()
}

// countingEmbedder counts the texts it embeds.
type countingEmbedder struct {
	embed.Embedder
	texts atomic.Int64
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	return c.Embedder.Embed(ctx, texts)
}

// countingTermsEmbedder is a countingEmbedder that keeps the indexer's
// fast path (embed.TermsEmbedder) of the embedder it counts for.
type countingTermsEmbedder struct{ *countingEmbedder }

func (c countingTermsEmbedder) EmbedTerms(ctx context.Context, terms [][]string) ([][]float32, error) {
	c.texts.Add(int64(len(terms)))
	return c.Embedder.(embed.TermsEmbedder).EmbedTerms(ctx, terms)
}

type running struct {
	store *embedded.Store
	emb   *countingEmbedder
	pipe  *pipeline.Pipeline
	ix    *ingest.Indexer
	// opened is how long opening the store took, started how long
	// everything start does took.
	opened, started time.Duration
}

// start opens everything as the engine does.
func start(ctx context.Context, cfg config.Config) (*running, error) {
	log := zerolog.New(os.Stderr).Level(zerolog.WarnLevel)
	begin := time.Now()
	st, err := embedded.Open(ctx, cfg.Storage.DataDir, embedded.Options{Analyzer: analysis.Terms})
	if err != nil {
		return nil, err
	}
	opened := time.Since(begin)
	var e embed.Embedder = embed.NewBuiltin(cfg.Embedding.Dimensions, embed.WithCodeWords())
	if embedder == "static" {
		m, err := static.Load(modelPath, "ingestbench")
		if err != nil {
			_ = st.Close()
			return nil, fmt.Errorf("load static model: %w", err)
		}
		e = m
	}
	info := e.Info()
	embedderName = fmt.Sprintf("%s/%d", info.Provider, info.Dimensions)
	emb := &countingEmbedder{Embedder: e}
	if err := st.EnsureCollection(ctx, cfg.Workspace.Collection, emb.Info().Dimensions); err != nil {
		_ = st.Close()
		return nil, err
	}
	p := pipeline.New(cfg.Engine.Workers, cfg.Engine.QueueCapacity, log)
	p.Start()
	var used embed.Embedder = emb
	if _, ok := e.(embed.TermsEmbedder); ok {
		used = countingTermsEmbedder{emb}
	}
	ix, err := ingest.New(ingest.Deps{Config: cfg, Store: st, Embedder: used, Pipeline: p, Logger: log})
	if err == nil {
		err = ix.Start(ctx)
	}
	if err != nil {
		_, _ = p.Shutdown(ctx)
		_ = st.Close()
		return nil, err
	}
	return &running{store: st, emb: emb, pipe: p, ix: ix, opened: opened, started: time.Since(begin)}, nil
}

// waitSettled polls until nothing is pending and returns the time since
// begin, printing progress every interval.
func (r *running) waitSettled(begin time.Time, every time.Duration) time.Duration {
	next := time.Now().Add(every)
	for {
		s := r.ix.Stats()
		if s.Pending == 0 && !s.Indexing {
			return time.Since(begin)
		}
		if time.Now().After(next) {
			next = next.Add(every)
			progress("  pending %d, embedded %d texts, RSS peak %s", s.Pending, r.emb.texts.Load(), peakRSSText())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *running) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r.ix.Pause()
	err := r.ix.Stop(ctx)
	if _, e := r.pipe.Shutdown(ctx); err == nil {
		err = e
	}
	if e := r.store.Close(); err == nil {
		err = e
	}
	return err
}

// indexedSize sums the sizes of the files the store holds.
func indexedSize(ctx context.Context, st storage.Store, root string) (int64, error) {
	var total int64
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		if _, err := st.GetDocument(ctx, ingest.FileDocID(p)); err != nil {
			return nil
		}
		info, err := de.Info()
		if err == nil {
			total += info.Size()
		}
		return nil
	})
	return total, err
}

func dirSize(dir string) int64 {
	var total int64
	_ = filepath.WalkDir(dir, func(_ string, de fs.DirEntry, err error) error {
		if err == nil && de.Type().IsRegular() {
			if info, err := de.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total
}

// stdout is where this command prints its report: it is a benchmark
// command, not the MCP server.
var stdout io.Writer = os.Stdout // stdout-ok
