package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/rank"
	"workspace-qdrant-mcp/internal/config"
)

// rankRepo indexes testdata/rankrepo, a small repository written so that
// each ranking rule decides one query, and returns the engine and root.
func rankRepo(t *testing.T) (*Manager, string) {
	t.Helper()
	ws := t.TempDir()
	err := filepath.WalkDir("testdata/rankrepo", func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("testdata/rankrepo", p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(ws, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(ws, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return startIndexed(t, ws, func(cfg *config.Config) { cfg.LSP.Enabled = false })
}

// Each rule decides one query of the fixture: with every rule on, the
// expected result is first and names the rule; with that one rule off,
// it is not.
func TestRankingRules(t *testing.T) {
	m, root := rankRepo(t)
	without := func(off func(*rank.Rules)) *rank.Rules {
		r := rank.AllRules
		off(&r)
		return &r
	}
	tests := []struct {
		name  string
		req   SearchRequest
		off   func(*rank.Rules)
		first string // path:substring of the expected first result
		rule  string
	}{
		{"definition first for a symbol", SearchRequest{Query: "Limiter"},
			func(r *rank.Rules) { r.Definitions = false }, "throttle/bucket.go:type Limiter struct", rank.RuleDefinition},
		{"query words in the path", SearchRequest{Query: "session cookie encode"},
			func(r *rank.Rules) { r.Paths = false }, "session/cookie.go:func Encode", rank.RulePath},
		{"implementation over its test", SearchRequest{Query: "exponential backoff between retry attempts"},
			func(r *rank.Rules) { r.Satellites = false }, "retry/retry.go:func Backoff", ""},
		{"a coherent file over a stray match", SearchRequest{Query: "journal replay checkpoint"},
			func(r *rank.Rules) { r.Files = false }, "wal/log.go:func step", rank.RuleFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []string{"hybrid", "keyword"} {
				req := tt.req
				req.Mode, req.Limit = mode, 5
				got := search(t, m, req)
				if len(got) == 0 || !isResult(got[0], root, tt.first) || (tt.rule != "" && !slices.Contains(got[0].Rules, tt.rule)) {
					t.Errorf("%s, all rules: first %s, want %s moved by %q", mode, describeResults(got, root), tt.first, tt.rule)
				}
				req.Rules = without(tt.off)
				if got := search(t, m, req); len(got) > 0 && isResult(got[0], root, tt.first) {
					t.Errorf("%s, rule off: %s is still first: the rule decides nothing here", mode, tt.first)
				}
			}
		})
	}
}

// A satellite file is pushed down and named; a query that asks for tests
// keeps it, and so does a path filter.
func TestRankingSatelliteAsked(t *testing.T) {
	m, root := rankRepo(t)
	got := search(t, m, SearchRequest{Query: "exponential backoff between retry attempts", Limit: 5})
	for _, r := range got {
		if strings.HasSuffix(r.Path, "retry_test.go") && !slices.Contains(r.Rules, "satellite:test") {
			t.Errorf("the test file's rules %v do not name satellite:test", r.Rules)
		}
	}
	for _, req := range []SearchRequest{
		{Query: "test exponential backoff between retry attempts", Limit: 5},
		{Query: "exponential backoff between retry attempts", Limit: 5, PathGlob: "retry/**"},
	} {
		got := search(t, m, req)
		if len(got) == 0 || !isResult(got[0], root, "retry/retry_test.go:TestBackoff") {
			t.Errorf("%+v: first %s, want the test", req, describeResults(got, root))
		}
	}
}

// One slot per file: with no per-file cap, a file's later chunks decay so
// that another file's match comes second; each result counts the file's
// other hits.
func TestRankingOnePerFile(t *testing.T) {
	m, root := rankRepo(t)
	req := SearchRequest{Query: "compaction merges sorted runs", Limit: 3, MaxPerFile: -1, Mode: "keyword"}
	got := search(t, m, req)
	if len(got) < 2 || !isResult(got[0], root, "store/levels.go:") || !isResult(got[1], root, "store/gc.go:") {
		t.Errorf("first two %s, want levels.go then gc.go", describeResults(got, root))
	}
	req.Rules = &rank.Rules{Definitions: true, Paths: true, Files: true, Satellites: true}
	if got := search(t, m, req); len(got) < 2 || !isResult(got[1], root, "store/levels.go:") {
		t.Errorf("rule off: first two %s, want two chunks of levels.go", describeResults(got, root))
	}
	req.MaxPerFile, req.Rules = 0, nil // the default: one per file
	got = search(t, m, req)
	if len(got) == 0 || !isResult(got[0], root, "store/levels.go:") || got[0].MoreInFile < 3 {
		t.Errorf("default cap: %s, more_in_file %d, want levels.go with at least 3 more", describeResults(got, root), got[0].MoreInFile)
	}
}

// A symbol query finds the file named after the symbol (Scheduler), or
// the member in the file named after its qualifier (Scheduler.Drain) or
// after both (Sequence+windowedPairs.kt),
// even when neither leg ranks that file's chunks among the 2 candidates
// it fetches.
func TestRankingFileNamedAfterSymbol(t *testing.T) {
	m, root := rankRepo(t)
	tuning := DefaultTuning
	tuning.Prefetch = 2
	for query, want := range map[string]string{
		"Scheduler":       "sched/scheduler.go:type Scheduler struct",
		"Scheduler.Drain": "sched/scheduler.go:func (s *Scheduler) Drain()",
		// An extension in a file named Receiver+member, as Kotlin and Swift
		// name them (Objective-C's categories too).
		"Sequence.windowedPairs": "ext/Sequence+windowedPairs.kt:fun <T> Sequence<T>.windowedPairs()",
	} {
		req := SearchRequest{Query: query, Limit: 5, Mode: "keyword", Tuning: &tuning}
		got := search(t, m, req)
		if len(got) == 0 || !isResult(got[0], root, want) || !slices.Contains(got[0].Rules, "definition") {
			t.Errorf("%s: first %s, want %s, by its definition", query, describeResults(got, root), want)
		}
		req.Rules = &rank.Rules{Paths: true, Files: true, Satellites: true, OnePerFile: true}
		for _, r := range search(t, m, req) {
			if rel, _, _ := strings.Cut(want, ":"); isResult(r, root, rel+":") {
				t.Errorf("%s: without the definition rule the legs' 2 candidates include %s: the lookup is not what found it", query, rel)
			}
		}
	}
}

// A symbol query finds its definition by the name the chunk defines,
// even when the symbol's word is so common in the workspace that neither
// leg ranks the defining chunk among the candidates it fetches, and no
// file is named after it: Validate, defined in check/instance.go, said
// more often by check/fields.go and check/rules.go.
func TestRankingDefinitionByName(t *testing.T) {
	m, root := rankRepo(t)
	tuning := DefaultTuning
	tuning.Prefetch = 2
	want := "check/instance.go:type Validate struct"
	for _, mode := range []string{"keyword", "hybrid"} {
		req := SearchRequest{Query: "Validate", Limit: 2, Mode: mode, Tuning: &tuning}
		got := search(t, m, req)
		if len(got) == 0 || !isResult(got[0], root, want) || !slices.Contains(got[0].Rules, "definition") {
			t.Errorf("%s: first %s, want %s, by its definition", mode, describeResults(got, root), want)
		}
		req.Rules = &rank.Rules{Paths: true, Files: true, Satellites: true, OnePerFile: true}
		for _, r := range search(t, m, req) {
			if isResult(r, root, want) {
				t.Errorf("%s: without the definition rule the legs' candidates include the definition: the lookup is not what found it", mode)
			}
		}
	}
}

// A qualified symbol's top-level definition counts fully where its
// qualifier is named, in the chunk's text when not in its path: the
// ranking reads that text, which a search otherwise leaves in the store.
// render.Render is emit/page.go's (package render), not paint/canvas.go's,
// which says Render more often.
func TestRankingQualifierInText(t *testing.T) {
	m, root := rankRepo(t)
	want := "emit/page.go:func Render(w io.Writer"
	for _, mode := range []string{"keyword", "hybrid"} {
		got := search(t, m, SearchRequest{Query: "render.Render", Limit: 3, Mode: mode})
		if len(got) == 0 || !isResult(got[0], root, want) || !slices.Contains(got[0].Rules, "definition") {
			t.Errorf("%s: first %s, want %s, by its definition", mode, describeResults(got, root), want)
		}
	}
}

// isResult reports whether r is in the file at rel and holds text, given
// as "rel:text".
func isResult(r SearchResult, root, want string) bool {
	rel, text, _ := strings.Cut(want, ":")
	return rank.Relative(r.Path, []string{root}) == rel && strings.Contains(r.Text, text)
}

func describeResults(rs []SearchResult, root string) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(rank.Relative(r.Path, []string{root}))
		b.WriteString(strings.Join(append([]string{""}, r.Rules...), " "))
	}
	return "[" + b.String() + "]"
}

// find_related compares one chunk with the rest of the workspace: the
// file written like the source comes first, the source's own file is left
// out unless asked for, and a line outside the file is refused by name.
func TestFindRelated(t *testing.T) {
	m, root := rankRepo(t)
	ctx := context.Background()
	src := filepath.Join(root, "api", "handlers.go")
	resp, err := m.FindRelated(ctx, RelatedRequest{Ref: DocumentRef{Path: src}, Line: 7, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Source.Path != src || resp.Source.StartLine > 7 || resp.Source.EndLine < 7 {
		t.Errorf("source %+v, want the chunk of %s holding line 7", resp.Source, src)
	}
	if len(resp.Results) == 0 || !isResult(resp.Results[0], root, "api/middleware.go:func limit") {
		t.Errorf("related to %s: %s, want api/middleware.go first", src, describeResults(resp.Results, root))
	}
	for _, r := range resp.Results {
		if r.Path == src {
			t.Errorf("the source's own file is among the results: %+v", r)
		}
	}

	levels := filepath.Join(root, "store", "levels.go")
	resp, err = m.FindRelated(ctx, RelatedRequest{Ref: DocumentRef{Path: levels}, Line: 3, Limit: 5, SameFile: true, MaxPerFile: -1})
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for _, r := range resp.Results {
		if r.Path == levels {
			same++
			if r.StartLine <= resp.Source.EndLine && r.EndLine >= resp.Source.StartLine {
				t.Errorf("same_file returned the source chunk or one overlapping it: %d-%d", r.StartLine, r.EndLine)
			}
		}
	}
	if same == 0 {
		t.Errorf("same_file: no other chunk of levels.go among %s", describeResults(resp.Results, root))
	}

	_, err = m.FindRelated(ctx, RelatedRequest{Ref: DocumentRef{Path: src}, Line: 9999, Limit: 5})
	if !errors.Is(err, ErrLineOutside) || !strings.Contains(err.Error(), "line 9999") {
		t.Errorf("line 9999: %v, want ErrLineOutside naming the line", err)
	}
	if le, ok := errors.AsType[*LineError](err); !ok || le.Line != 9999 || le.First != 1 || le.Last < le.First || le.Last >= 9999 {
		t.Errorf("line 9999: %#v, want a *LineError with the line and the lines the chunks cover", err)
	}
}
