// Command searcheval measures search quality on real code: how often the
// search tool finds the file that answers a developer's question, compared
// with a grep baseline over the same files.
//
//	go run ./cmd/searcheval [-src DIR] [-queries FILE] [-names FILE] [-only net,strings,...]
//	    [-work DIR] [-tune JSON] [-modes hybrid,keyword,semantic] [-copies N]
//	    [-cpuprofile FILE] [-symbols] [-v]
//
// It copies $(go env GOROOT)/src without its testdata directories (or
// only the listed top-level directories, for quick iterations), indexes
// the copy with the server's engine and default configuration, and sends
// every question of the query set (testdata/queries.json: a question and
// the one file, relative to the source root, that best answers it) to
// engine.Manager.Search in each mode with limit 10 and max_per_file 1.
// Queries whose file is not in the copy are left out.
//
// Metrics are file-level: a query's rank is the rank of its file among
// the distinct files of the results. recall@5 is the share of queries
// whose file ranks 5 or better; MRR@10 is the mean of 1/rank, counting
// files below rank 10 as not found. Latency is the search's took_ms
// (server side, without JSON encoding), p50, p95 and p99; each mode also
// has a row for the questions of 8 to 20 words alone.
//
// Symbol names, as a developer types them to find a definition
// (`WaitGroup`, `Once.Do`, `strconv.ParseFloat`; testdata/symbols.json,
// -names), are searched too and scored in a row of their own per mode,
// so that the questions' rows stay comparable with earlier figures and
// a symbol lookup's cost (file-name and definition lookups) is measured
// apart. The grep baseline answers the questions only.
//
// The grep baseline lowercases the question, drops English stop words,
// and runs ripgrep once per question (whole words, case-insensitive,
// fixed strings, every match counted) over the same copy, keeping only
// the files the engine indexed; files are ranked by
// Σ (1+ln tf)·ln(N/df). Without rg it says how to install it and scans
// the files in Go, counting the same way.
//
// With -work DIR the copy and the index are kept in DIR and reused by the
// next run (which then only reconciles the index), so several tunings
// (-tune, a JSON array of engine.Tuning objects; fields left out keep
// their defaults) can be compared on one index.
//
// With -symbols it also waits, after the index is ready (searchable),
// until the language servers' symbol enrichment has drained, and says
// when: time-to-searchable and time-to-symbols from Start.
//
// With -copies N the tree is copied N times, each copy a root of its
// own, so that the cost of a search can be measured against the size of
// the corpus; queries are scored against the first copy only, so the
// quality columns then undercount (a copy's file is another path).
//
// A mode's searches warm the store's caches for the next mode's; with
// -modes one mode per run, each is measured from a fresh start.
//
// The table goes to stdout, progress to stderr. It is not part of go test:
// indexing all of GOROOT/src takes a few minutes on two cores.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/benchcorpus"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/memlimit"
)

func main() {
	var o options
	flag.StringVar(&o.src, "src", "", "source tree (default: $(go env GOROOT)/src)")
	flag.StringVar(&o.queries, "queries", "cmd/searcheval/testdata/queries.json", "query set")
	flag.StringVar(&o.names, "names", "cmd/searcheval/testdata/symbols.json", "symbol-name query set, scored in rows of its own (empty: none)")
	flag.StringVar(&o.only, "only", "", "copy only these comma-separated top-level directories of the source tree")
	flag.StringVar(&o.work, "work", "", "keep the copy and the index in this directory and reuse them")
	flag.StringVar(&o.tune, "tune", "", "JSON array of engine.Tuning objects to compare (default: the engine's tuning)")
	flag.BoolVar(&o.verbose, "v", false, "list each query's rank per method on stderr")
	flag.BoolVar(&o.noGrep, "nogrep", false, "skip the grep baseline")
	flag.StringVar(&o.modes, "modes", "hybrid,keyword,semantic", "comma-separated search modes to run, in order")
	flag.BoolVar(&o.symbols, "symbols", false, "after the index is ready, wait until symbol enrichment has drained and say when")
	flag.IntVar(&o.copies, "copies", 1, "index this many copies of the tree, each under its own root (for cost against corpus size)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the searches (not the indexing) to this file")
	flag.StringVar(&o.memprofile, "memprofile", "", "write a heap profile (allocations sampled every 4 kB; focus on engine.(*Manager).Search for the searches') to this file")
	flag.Parse()
	if o.memprofile != "" {
		runtime.MemProfileRate = 4096
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "searcheval:", err)
		os.Exit(1)
	}
}

type options struct {
	src, queries, names, only, work, tune, modes, cpuprofile, memprofile string
	verbose, noGrep, symbols                                             bool
	copies                                                               int
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(o options) error {
	var err error
	if o.src == "" {
		if o.src, err = benchcorpus.GorootSrc(); err != nil {
			return err
		}
	}
	queries, err := loadQueries(o.queries, o.src)
	if err != nil {
		return err
	}
	if o.names != "" {
		names, err := loadQueries(o.names, o.src)
		if err != nil {
			return err
		}
		for i := range names {
			names[i].name = true
		}
		queries = append(queries, names...)
	}
	tunings, err := parseTunings(o.tune)
	if err != nil {
		return err
	}

	base := o.work
	if base == "" {
		if base, err = os.MkdirTemp("", "searcheval-"); err != nil {
			return err
		}
		defer os.RemoveAll(base)
	}
	root, data := filepath.Join(base, "src"), filepath.Join(base, "data")
	var include func(string) bool
	if o.only != "" {
		dirs := strings.Split(o.only, ",")
		include = func(top string) bool { return contains(dirs, top) }
	}
	roots := []string{root}
	for i := 2; i <= o.copies; i++ {
		roots = append(roots, filepath.Join(base, fmt.Sprintf("src%d", i)))
	}
	for _, r := range roots {
		if _, err := os.Stat(r); errors.Is(err, fs.ErrNotExist) {
			progress("copying %s without testdata directories to %s", o.src, r)
			n, b, err := benchcorpus.CopyTree(o.src, r, include)
			if err != nil {
				return fmt.Errorf("copy: %w", err)
			}
			progress("copied %d files, %.1f MB", n, float64(b)/(1<<20))
		} else {
			progress("reusing the copy in %s", r)
		}
	}

	cfg := config.Default()
	// The figures in BENCHMARKS.md are the built-in embedder's; auto (the
	// default) would depend on whether a model can be downloaded.
	cfg.Embedding.Provider = "builtin"
	cfg.Workspace.Roots = roots
	cfg.Storage.DataDir = data
	cfg.Logging.Level = "warn"
	memlimit.Set(int64(cfg.Engine.MemoryLimitMB) << 20) // as the server does
	if err := cfg.Validate(); err != nil {
		return err
	}
	root = cfg.Workspace.Roots[0]
	ctx := context.Background()
	m := engine.New(cfg, engine.Options{Logger: zerolog.New(os.Stderr).Level(zerolog.WarnLevel)})
	begin := time.Now()
	if err := m.Start(ctx); err != nil {
		return err
	}
	defer func() {
		_, _ = m.Stop(context.Background(), engine.StopOptions{})
		m.Wait()
	}()
	last := time.Now()
	if err := m.WaitIndexed(ctx, func(done, total int) {
		if time.Since(last) > 5*time.Second {
			last = time.Now()
			progress("  indexed %d of %d files", done, total)
		}
	}); err != nil {
		return err
	}
	st := m.Status(ctx)
	progress("index ready in %s: %d files", time.Since(begin).Round(time.Millisecond), st.Index.Files)
	if o.symbols {
		for st.Index.EnrichPending > 0 {
			time.Sleep(100 * time.Millisecond)
			st = m.Status(ctx)
		}
		progress("symbols ready in %s (enrichment queue empty)", time.Since(begin).Round(time.Millisecond))
	}

	files, err := indexedFiles(ctx, m, root)
	if err != nil {
		return err
	}
	var kept []Query
	for _, q := range queries {
		if files[q.File] {
			kept = append(kept, q)
		}
	}
	if len(kept) == 0 {
		return fmt.Errorf("no query's file is in the index")
	}
	progress("%d of %d queries have their file in the index (%d files)", len(kept), len(queries), len(files))

	type row struct {
		name string
		s    *scores
	}
	var rows []row
	if o.cpuprofile != "" {
		stop, err := startProfile(o.cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if o.memprofile != "" {
		defer writeHeapProfile(o.memprofile)
	}
	for ti, t := range tunings {
		for _, mode := range strings.Split(o.modes, ",") {
			s, sl, sn := &scores{}, &scores{}, &scores{}
			name := mode
			if len(tunings) > 1 {
				name = fmt.Sprintf("%s (tuning %d)", mode, ti+1)
			}
			for _, q := range kept {
				resp, err := m.Search(ctx, engine.SearchRequest{Query: q.Query, Limit: 10, Mode: mode, MaxPerFile: 1, Tuning: t})
				took := time.Duration(resp.TookMS * float64(time.Millisecond)) // server side, as took_ms
				if err != nil {
					return fmt.Errorf("%s %q: %w", mode, q.Query, err)
				}
				ranked := make([]string, len(resp.Results))
				for i, r := range resp.Results {
					ranked[i] = relative(root, r.Path)
				}
				rank := rankOf(ranked, q.File)
				switch {
				case q.name:
					sn.add(rank, took)
				case long(q.Query):
					sl.add(rank, took)
					fallthrough
				default:
					s.add(rank, took)
				}
				if o.verbose {
					fmt.Fprintf(os.Stderr, "%-22s rank %2d  %4.1f ms  %-45s  top: %s\n", name, rank, resp.TookMS, q.File, first(ranked))
				}
			}
			rows = append(rows, row{name, s}, row{name + ", questions of 8–20 words", sl})
			if len(sn.ranks) > 0 {
				rows = append(rows, row{name + ", symbol names", sn})
			}
		}
	}

	grepName := ""
	if !o.noGrep {
		g := &grepper{root: root, files: files}
		if g.rg, err = exec.LookPath("rg"); err != nil {
			g.rg = ""
			progress("ripgrep (rg) is not installed: using a Go scan that counts the same way; " +
				"install it with `apt-get install -y ripgrep` (Debian, Ubuntu) or `brew install ripgrep` for the real baseline")
			grepName = "grep baseline (Go scan, tf-idf)"
		} else {
			grepName = "grep baseline (ripgrep, tf-idf)"
		}
		s := &scores{}
		for _, q := range kept {
			if q.name {
				continue // the grep baseline is for questions
			}
			ranked, took, err := g.search(q.Query)
			if err != nil {
				return err
			}
			rank := rankOf(ranked[:min(len(ranked), 10)], q.File)
			s.add(rank, took)
			if o.verbose {
				fmt.Fprintf(os.Stderr, "%-22s rank %2d  %-45s  top: %s\n", "grep", rank, q.File, first(ranked))
			}
		}
		rows = append(rows, row{grepName, s})
	}

	corpus := o.src
	if o.only != "" {
		corpus += " (only " + o.only + ")"
	}
	names := ""
	if o.names != "" {
		names = ", " + o.names
	}
	fmt.Fprintf(stdout, "searcheval: %s without testdata: %d files indexed, %d chunks; %d queries (%s%s)\n",
		corpus, len(files), st.Index.Chunks, len(kept), o.queries, names)
	fmt.Fprintf(stdout, "machine: %s/%s, %d CPUs, %s; limit 10, max_per_file 1\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintln(stdout, "| method | queries | recall@5 | MRR@10 | p50 latency | p95 latency | p99 latency |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(stdout, "| %s | %d | %.2f | %.2f | %s | %s | %s |\n", r.name, len(r.s.ranks), r.s.recallAt(5), r.s.mrrAt(10),
			fmtMS(r.s.latency(50)), fmtMS(r.s.latency(95)), fmtMS(r.s.latency(99)))
	}
	return nil
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// startProfile starts a CPU profile written to path; stop ends it.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeHeapProfile writes the heap profile, allocations included, to
// path, saying on stderr when it cannot.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err == nil {
		err = errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "searcheval: heap profile: %v\n", err)
	}
}

// long reports whether a question has 8 to 20 words, as a developer's
// question in plain language has.
func long(query string) bool {
	n := len(strings.Fields(query))
	return n >= 8 && n <= 20
}

func first(ranked []string) string {
	if len(ranked) == 0 {
		return "(nothing)"
	}
	return ranked[0]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func relative(root, p string) string {
	if rel, err := filepath.Rel(root, p); err == nil {
		return filepath.ToSlash(rel)
	}
	return p
}

// loadQueries reads the query set and checks that every file exists in
// the source tree.
func loadQueries(path, src string) ([]Query, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var qs []Query
	if err := json.Unmarshal(b, &qs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, q := range qs {
		if _, err := os.Stat(filepath.Join(src, q.File)); err != nil {
			return nil, fmt.Errorf("%s: query %q: %w", path, q.Query, err)
		}
	}
	return qs, nil
}

// parseTunings reads -tune: a JSON array of tunings, each starting from
// the defaults. Without it there is one: nil, the engine's default.
func parseTunings(s string) ([]*engine.Tuning, error) {
	if s == "" {
		return []*engine.Tuning{nil}, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, fmt.Errorf("-tune: %w", err)
	}
	out := make([]*engine.Tuning, len(raw))
	for i, r := range raw {
		t := engine.DefaultTuning
		if err := json.Unmarshal(r, &t); err != nil {
			return nil, fmt.Errorf("-tune %d: %w", i+1, err)
		}
		out[i] = &t
	}
	return out, nil
}

// indexedFiles returns the files of the index, relative to root.
func indexedFiles(ctx context.Context, m *engine.Manager, root string) (map[string]bool, error) {
	files := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		if _, err := m.GetDocument(ctx, engine.DocumentRef{Path: p}); err == nil {
			files[relative(root, p)] = true
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return nil
	})
	return files, err
}

// stdout is where this command prints its report: it is a benchmark
// command, not the MCP server.
var stdout io.Writer = os.Stdout // stdout-ok
