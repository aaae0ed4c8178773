// Command eval measures search quality the way users meet it: questions
// phrased as people ask them, over published source of real projects in
// several languages, scored by NDCG@10 against files (and line spans)
// labelled by reading the code.
//
//	go run ./eval [-repos gin,flask] [-modes hybrid,keyword] [-cache DIR]
//	    [-out eval/results/latest.json] [-baseline eval/results/baseline.json]
//	    [-save-baseline] [-check] [-v] [-tune JSON] [-rules JSON] [-max-per-file N] [-query Q]
//	    [-diagnose KIND] [-dump FILE]
//
// repos.json lists the repositories and where their source comes from:
// the Go module proxy (go mod download), the npm registry (npm pack),
// Debian's archive (apt-get download of a package that ships source, such
// as librust-*-dev, ruby-*, php-* or python3-*) or Debian's source pool
// (a source package's upstream tarball, checked by its sha256).
// questions/<repo>.json
// holds each repository's questions, of three kinds: natural-language
// ("how does X work"), architecture ("where is Y wired") and symbol (an
// identifier). They were written by reading the code, never from search
// results.
//
// Each repository is fetched once into the cache (default: the user cache
// directory's workspace-qdrant-mcp/eval), indexed there with the server's
// engine and default configuration (language servers off and the built-in
// embedder unless -embedder says otherwise, so results do not depend on
// what a machine has installed or can download), and every question is sent
// to engine.Manager.Search with limit 10 and otherwise default settings,
// as the search tool sends it. The index is kept and only reconciled by
// the next run.
//
// Scoring: relevance is binary; a result matches a label when the paths
// match and, if the label has a line span, the lines overlap; each label
// counts once, at its first matching result; NDCG@10 divides by the ideal
// DCG of min(10, labels). Means are taken per repository first, then
// over repositories (per kind, per language, overall). recall@5 is the
// share of a question's labels matched in the top 5, MRR@10 the mean of
// 1/rank of the first matching result, files@10 the distinct files among
// the top 10. The row "hybrid, files" gives the same NDCG@10 with each
// question's labels reduced to their distinct files, lines ignored: the
// part of a miss that is the right file showing another of its chunks,
// and a score comparable with evaluations whose labels are files.
//
// Per-question results go to -out; when -baseline exists, the questions
// whose hybrid NDCG@10 rose or fell against it are listed. -save-baseline
// writes the results to the baseline instead. Tables go to stdout,
// progress to stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/rank"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
)

// stdout is where this command prints its report: it is an evaluation
// command, not the MCP server.
var stdout io.Writer = os.Stdout // stdout-ok

type options struct {
	dir, cache, only, modes, out, baseline string
	tune, rules, query, embedder           string
	perFile, chunkChars                    int
	saveBaseline, verbose, check           bool
	diagnose, dump                         string
	dumped                                 *[]Dumped
	diagnoses                              *[]Diagnosis // what -diagnose found, over the repositories

	tuning  *engine.Tuning
	ruleSet *rank.Rules
}

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", "eval", "the directory holding repos.json and questions/")
	flag.StringVar(&o.cache, "cache", "", "where repositories and their indexes are kept (default: user cache dir/workspace-qdrant-mcp/eval)")
	flag.StringVar(&o.only, "repos", "", "comma-separated repositories to run (default: all)")
	flag.StringVar(&o.modes, "modes", "hybrid,keyword,semantic", "comma-separated search modes")
	flag.StringVar(&o.out, "out", "eval/results/latest.json", "where to write per-question results")
	flag.StringVar(&o.baseline, "baseline", "eval/results/baseline.json", "per-question results to compare with")
	flag.BoolVar(&o.saveBaseline, "save-baseline", false, "write the results to -baseline")
	flag.StringVar(&o.tune, "tune", "", `JSON object of ranking weights over the defaults, e.g. {"satellite_factor": 0.7} (see engine/rank.Tuning)`)
	flag.StringVar(&o.rules, "rules", "", `JSON object of ranking rules over all on, e.g. {"OnePerFile": false} (see engine/rank.Rules)`)
	flag.IntVar(&o.perFile, "max-per-file", 0, "results per file (0: the search tool's default)")
	flag.StringVar(&o.embedder, "embedder", "builtin", "embedding.provider for the indexes: builtin (the default, so that results do not depend on a model download), static or auto")
	flag.IntVar(&o.chunkChars, "chunk-chars", 0, "workspace.chunk_chars for the index (0: the default; other sizes get indexes of their own)")
	flag.StringVar(&o.query, "query", "", "ask only this query of the -repos and print its results, scores and rules")
	flag.BoolVar(&o.check, "check", false, "only fetch the repositories and check their questions' labels; search nothing")
	flag.StringVar(&o.diagnose, "diagnose", "", "for each question of this kind (natural, architecture, symbol or all), print where its label ranks, in the first of -modes; search nothing else")
	flag.StringVar(&o.dump, "dump", "", "write every question's candidates (no cap per file), with their legs and rules, as JSON to this file; search nothing else")
	flag.BoolVar(&o.verbose, "v", false, "print each question's scores and top results on stderr")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// Result is one question's outcome in one mode.
type Result struct {
	ID       string  `json:"id"`
	Repo     string  `json:"repo"`
	Language string  `json:"language"`
	Kind     string  `json:"kind"`
	Mode     string  `json:"mode"`
	TookMS   float64 `json:"took_ms"`
	Scores
	Top []string `json:"top,omitempty"` // hybrid only: "path:start-end", or "note <title>"
}

func run(ctx context.Context, o options) error {
	repos, err := loadRepos(filepath.Join(o.dir, "repos.json"))
	if err != nil {
		return err
	}
	if o.only != "" {
		want := strings.Split(o.only, ",")
		repos = slices.DeleteFunc(repos, func(r Repo) bool { return !slices.Contains(want, r.Name) })
		if len(repos) == 0 {
			return fmt.Errorf("-repos %s names no repository of repos.json", o.only)
		}
	}
	if o.tune != "" {
		t := engine.DefaultTuning
		if err := json.Unmarshal([]byte(o.tune), &t); err != nil {
			return fmt.Errorf("-tune: %w", err)
		}
		o.tuning = &t
	}
	if o.rules != "" {
		r := rank.AllRules
		if err := json.Unmarshal([]byte(o.rules), &r); err != nil {
			return fmt.Errorf("-rules: %w", err)
		}
		o.ruleSet = &r
	}
	modes := strings.Split(o.modes, ",")
	for _, m := range modes {
		if m != storage.ModeHybrid && m != storage.ModeKeyword && m != storage.ModeSemantic {
			return fmt.Errorf("-modes: %q is not hybrid, keyword or semantic", m)
		}
	}
	if o.cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("no cache directory: give -cache: %w", err)
		}
		o.cache = filepath.Join(dir, "workspace-qdrant-mcp", "eval")
	}
	o.diagnoses = new([]Diagnosis)
	o.dumped = new([]Dumped)
	var results []Result
	for _, r := range repos {
		rs, err := evalRepo(ctx, o, r, modes)
		if err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
		results = append(results, rs...)
	}
	if o.diagnose != "" {
		printDiagnoses(stdout, *o.diagnoses)
		return nil
	}
	if o.dump != "" {
		return writeDump(o.dump, *o.dumped)
	}
	if o.check || o.query != "" {
		return nil
	}
	report(stdout, results, modes)
	out := o.out
	if o.saveBaseline {
		out = o.baseline
	} else if base, err := readResults(o.baseline); err == nil {
		compare(stdout, base, results)
	} else if !os.IsNotExist(err) {
		return err
	}
	return writeResults(out, results)
}

func evalRepo(ctx context.Context, o options, r Repo, modes []string) ([]Result, error) {
	qs, err := loadQuestions(filepath.Join(o.dir, "questions", r.Name+".json"))
	if err != nil {
		return nil, err
	}
	root := filepath.Join(o.cache, "repos", r.Name+"@"+r.Version)
	progress("%s: fetching %s %s@%s", r.Name, r.Source, r.Package, r.Version)
	if err := fetch(r, root); err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if err := qs.check(root); err != nil {
		return nil, err
	}
	if o.check {
		progress("%s: %d questions, every label found", r.Name, len(qs.Questions))
		return nil, nil
	}
	cfg := config.Default()
	cfg.Workspace.Roots = []string{root}
	cfg.Workspace.Ignore = append(cfg.Workspace.Ignore, r.Ignore...)
	cfg.Storage.DataDir = filepath.Join(o.cache, "index", r.Name+"@"+r.Version)
	if o.chunkChars > 0 {
		cfg.Workspace.ChunkChars = o.chunkChars
		cfg.Storage.DataDir += fmt.Sprintf("-chunk%d", o.chunkChars)
	}
	cfg.LSP.Enabled = false
	cfg.Embedding.Provider = o.embedder
	if o.embedder != "builtin" {
		cfg.Storage.DataDir += "-" + o.embedder
	}
	cfg.Logging.Level = "warn"
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	root = cfg.Workspace.Roots[0]
	m := engine.New(cfg, engine.Options{Logger: zerolog.New(os.Stderr).Level(zerolog.WarnLevel)})
	begin := time.Now()
	if err := m.Start(ctx); err != nil {
		return nil, err
	}
	defer func() {
		_, _ = m.Stop(context.Background(), engine.StopOptions{})
		m.Wait()
	}()
	if err := m.WaitIndexed(ctx, nil); err != nil {
		return nil, err
	}
	st := m.Status(ctx)
	progress("%s: %d files indexed in %s; %d questions", r.Name, st.Index.Files, time.Since(begin).Round(time.Millisecond), len(qs.Questions))
	if o.query != "" {
		return nil, explain(ctx, m, root, o, modes)
	}
	if o.diagnose != "" {
		var ds []Diagnosis
		for _, q := range qs.Questions {
			if o.diagnose != "all" && q.Kind != o.diagnose {
				continue
			}
			d, err := diagnose(ctx, m, root, modes[0], q, o)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", q.ID, err)
			}
			ds = append(ds, d)
		}
		*o.diagnoses = append(*o.diagnoses, ds...)
		return nil, nil
	}
	if o.dump != "" {
		for _, q := range qs.Questions {
			if err := dumpQuestion(ctx, m, root, r.Name, modes[0], q, o); err != nil {
				return nil, fmt.Errorf("%s: %w", q.ID, err)
			}
		}
		return nil, nil
	}
	var results []Result
	for _, q := range qs.Questions {
		for _, mode := range modes {
			resp, err := m.Search(ctx, engine.SearchRequest{Query: q.Query, Limit: 10, Mode: mode,
				Tuning: o.tuning, Rules: o.ruleSet, MaxPerFile: o.perFile})
			switch {
			case errors.Is(err, engine.ErrEmptyQuery):
				// The product answers such a question with an error, so it
				// scores as one answered with nothing: #we{}, an Erlang
				// record named by a stop word.
				fmt.Fprintf(os.Stderr, "eval: %s %s: %v: scored as no results\n", q.ID, mode, err)
			case err != nil:
				return nil, fmt.Errorf("%s %s: %w", q.ID, mode, err)
			}
			hits := make([]Hit, len(resp.Results))
			var top []string
			for i, res := range resp.Results {
				hits[i] = Hit{Path: relative(root, res.Path), Start: res.StartLine, End: res.EndLine}
				if mode == storage.ModeHybrid {
					top = append(top, describe(hits[i], res))
				}
			}
			res := Result{ID: q.ID, Repo: r.Name, Language: r.Language, Kind: q.Kind, Mode: mode,
				TookMS: resp.TookMS, Scores: score(hits, q.Labels), Top: top}
			if o.verbose {
				fmt.Fprintf(os.Stderr, "%-8s %-22s ndcg %.2f  %s\n", mode, q.ID, res.NDCG, q.Query)
			}
			results = append(results, res)
		}
	}
	return results, nil
}

// describe names a hit: its path and lines, or a note's title (-query
// shows the rules that moved each result).
func describe(h Hit, res engine.SearchResult) string {
	s := fmt.Sprintf("%s:%d-%d", h.Path, h.Start, h.End)
	if res.Kind != storage.KindFile {
		s = "note " + res.Title
	}
	return s
}

func relative(root, p string) string {
	if rel, err := filepath.Rel(root, p); err == nil {
		return filepath.ToSlash(rel)
	}
	return p
}

func loadQuestions(path string) (QuestionSet, error) {
	var qs QuestionSet
	data, err := os.ReadFile(path)
	if err != nil {
		return qs, fmt.Errorf("read questions: %w", err)
	}
	if err := json.Unmarshal(data, &qs); err != nil {
		return qs, fmt.Errorf("parse %s: %w", path, err)
	}
	return qs, nil
}

func readResults(path string) ([]Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rs []Result
	if err := json.Unmarshal(data, &rs); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return rs, nil
}

func writeResults(path string, rs []Result) error {
	data, err := json.MarshalIndent(rs, "", " ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// explain prints the results of -query in each mode, with the ranks,
// scores and rules behind them.
func explain(ctx context.Context, m *engine.Manager, root string, o options, modes []string) error {
	for _, mode := range modes {
		resp, err := m.Search(ctx, engine.SearchRequest{Query: o.query, Limit: 10, Mode: mode,
			Tuning: o.tuning, Rules: o.ruleSet, MaxPerFile: o.perFile})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %q\n", mode, o.query)
		for i, r := range resp.Results {
			fmt.Fprintf(stdout, "%2d %.4f kw %3d sem %3d more %2d %s:%d-%d %v\n", i+1, r.Score, r.KeywordRank, r.SemanticRank,
				r.MoreInFile, relative(root, r.Path), r.StartLine, r.EndLine, r.Rules)
		}
	}
	return nil
}
