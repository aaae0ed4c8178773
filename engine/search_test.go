package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// searchWorkspace starts a real engine (embedded store, built-in
// embedder) over a small workspace and returns it with the workspace.
func searchWorkspace(t *testing.T) (*Manager, string) {
	t.Helper()
	ws := t.TempDir()
	var big strings.Builder
	big.WriteString("package garden\n\n")
	for i := range 16 {
		// Marigold sections alternate with long filler sections, so their
		// chunks never overlap or touch and are not merged.
		if i%2 == 0 {
			fmt.Fprintf(&big, "// Water%d waters marigold bed %d every morning.\nfunc Water%d() {\n", i, i, i)
		} else {
			fmt.Fprintf(&big, "// Filler%d does other things.\nfunc Filler%d() {\n", i, i)
		}
		for j := range 40 {
			fmt.Fprintf(&big, "\tpour(%d, %d) // soil moisture and sunlight for the plants\n", i, j)
		}
		big.WriteString("}\n\n")
	}
	files := map[string]string{
		"garden.go":      big.String(),
		"garden_test.go": "package garden\n\n// TestMarigold checks the marigold bed.\nfunc TestMarigold() {}\n",
		"bloom.py":       "# marigold blooms in summer\ndef bloom():\n    return 'marigold'\n",
		"other.go":       "package other\n\n// Unrelated code about tulips.\nfunc Tulip() {}\n",
	}
	enginetest.WriteFiles(t, ws, files)
	return startIndexed(t, ws, func(cfg *config.Config) { cfg.Engine.Workers = 2 })
}

// startIndexed starts a real engine over the workspace ws, with the
// default configuration changed by edit, and waits until ws is indexed.
func startIndexed(t *testing.T, ws string, edit func(*config.Config)) (*Manager, string) {
	t.Helper()
	cfg := config.Default()
	cfg.Workspace.Roots = []string{ws}
	cfg.Storage.DataDir = t.TempDir()
	edit(&cfg)
	return runIndexed(t, cfg, Options{Logger: zerolog.Nop()}), cfg.Workspace.Roots[0]
}

// runIndexed validates cfg, starts an engine on it with opts, stopped when
// the test ends, and waits until its workspace is indexed.
func runIndexed(t *testing.T, cfg config.Config, opts Options) *Manager {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	m := New(cfg, opts)
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = m.Stop(context.Background(), StopOptions{})
		m.Wait()
	})
	if err := m.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return m
}

func search(t *testing.T, m *Manager, req SearchRequest) []SearchResult {
	t.Helper()
	if req.Limit == 0 {
		req.Limit = 20
	}
	resp, err := m.Search(context.Background(), req)
	if err != nil {
		t.Fatalf("Search(%+v): %v", req, err)
	}
	if resp.TookMS <= 0 {
		t.Errorf("took_ms = %v", resp.TookMS)
	}
	return resp.Results
}

func countPath(results []SearchResult, base string) int {
	n := 0
	for _, r := range results {
		if filepath.Base(r.Path) == base {
			n++
		}
	}
	return n
}

func TestSearchFiltersAndShape(t *testing.T) {
	m, ws := searchWorkspace(t)
	ctx := context.Background()

	t.Run("max_per_file", func(t *testing.T) {
		if n := countPath(search(t, m, SearchRequest{Query: "marigold bed", MaxPerFile: -1}), "garden.go"); n <= DefaultMaxPerFile {
			t.Fatalf("without a cap garden.go gave %d results; the test needs more than %d", n, DefaultMaxPerFile)
		}
		if n := countPath(search(t, m, SearchRequest{Query: "marigold bed"}), "garden.go"); n != DefaultMaxPerFile {
			t.Errorf("default cap: garden.go gave %d results, want %d", n, DefaultMaxPerFile)
		}
		res := search(t, m, SearchRequest{Query: "marigold bed", MaxPerFile: 1})
		if n := countPath(res, "garden.go"); n != 1 {
			t.Errorf("max_per_file 1: garden.go gave %d results", n)
		}
		if n := countPath(res, "bloom.py"); n != 1 {
			t.Errorf("max_per_file 1: bloom.py gave %d results, want 1", n)
		}
	})

	t.Run("ranks and scores", func(t *testing.T) {
		res := search(t, m, SearchRequest{Query: "marigold", Mode: storage.ModeHybrid})
		if len(res) == 0 || res[0].KeywordRank == 0 || res[0].SemanticRank == 0 || res[0].KeywordScore <= 0 || res[0].SemanticScore <= 0 {
			t.Fatalf("hybrid top result %+v lacks a leg's rank or score", res)
		}
		for _, r := range search(t, m, SearchRequest{Query: "marigold", Mode: storage.ModeKeyword}) {
			if r.KeywordRank == 0 || r.SemanticRank != 0 || r.SemanticScore != 0 {
				t.Errorf("keyword result %s ranks kw %d sem %d", r.Path, r.KeywordRank, r.SemanticRank)
			}
		}
		for _, r := range search(t, m, SearchRequest{Query: "marigold", Mode: storage.ModeSemantic}) {
			if r.SemanticRank == 0 || r.KeywordRank != 0 {
				t.Errorf("semantic result %s ranks kw %d sem %d", r.Path, r.KeywordRank, r.SemanticRank)
			}
		}
	})

	// A result's metadata says what its chunk declares and, for the later
	// chunk of a long function, which function it continues; what the
	// index keeps for ranking alone (facts) is not shown.
	t.Run("metadata", func(t *testing.T) {
		within := 0
		for _, r := range search(t, m, SearchRequest{Query: "soil moisture sunlight", MaxPerFile: -1, Limit: 50}) {
			if _, ok := r.Metadata["facts"]; ok {
				t.Errorf("%s:%d shows the facts: %v", r.Path, r.StartLine, r.Metadata)
			}
			if r.Path != filepath.Join(ws, "garden.go") {
				continue
			}
			if _, ok := r.Metadata["defines"]; !ok {
				t.Errorf("%s:%d has no defines: %v", r.Path, r.StartLine, r.Metadata)
			}
			if w := r.Metadata["within"]; w != "" {
				within++
				if !strings.HasPrefix(w, "Water") && !strings.HasPrefix(w, "Filler") || r.Metadata["defines"] == w {
					t.Errorf("%s:%d-%d: within %q, defines %q", r.Path, r.StartLine, r.EndLine, w, r.Metadata["defines"])
				}
			}
		}
		if within == 0 {
			t.Error("no chunk of garden.go's long functions says which function it continues")
		}
	})

	t.Run("language", func(t *testing.T) {
		res := search(t, m, SearchRequest{Query: "marigold", Language: "python"})
		if len(res) == 0 {
			t.Fatal("no python result")
		}
		for _, r := range res {
			if r.Language != "python" {
				t.Errorf("language filter let %s (%s) through", r.Path, r.Language)
			}
		}
	})

	t.Run("path_glob", func(t *testing.T) {
		res := search(t, m, SearchRequest{Query: "marigold", PathGlob: "**/*_test.go"})
		if len(res) == 0 {
			t.Fatal("no test file found")
		}
		for _, r := range res {
			if !strings.HasSuffix(r.Path, "_test.go") {
				t.Errorf("glob **/*_test.go let %s through", r.Path)
			}
		}
		res = search(t, m, SearchRequest{Query: "marigold", PathGlob: "!**/*_test.go", MaxPerFile: -1})
		if len(res) == 0 {
			t.Fatal("negated glob found nothing")
		}
		for _, r := range res {
			if strings.HasSuffix(r.Path, "_test.go") {
				t.Errorf("glob !**/*_test.go let %s through", r.Path)
			}
		}
	})

	t.Run("score thresholds per leg", func(t *testing.T) {
		high := 0.99
		if res := search(t, m, SearchRequest{Query: "marigold", Mode: storage.ModeSemantic, ScoreThreshold: &high}); len(res) != 0 {
			t.Errorf("semantic search with threshold 0.99 found %d results", len(res))
		}
		// In hybrid mode the semantic leg drops everything, the keyword
		// leg still answers, re-ranked alone.
		res := search(t, m, SearchRequest{Query: "marigold", ScoreThreshold: &high})
		if len(res) == 0 {
			t.Fatal("hybrid search with a semantic threshold found nothing")
		}
		for _, r := range res {
			if r.SemanticRank != 0 || r.KeywordRank == 0 {
				t.Errorf("result %s kept semantic rank %d above the threshold", r.Path, r.SemanticRank)
			}
		}
		all := search(t, m, SearchRequest{Query: "marigold", Mode: storage.ModeKeyword, MaxPerFile: -1})
		if len(all) < 3 {
			t.Fatalf("keyword search found %d results", len(all))
		}
		cut := 0.0
		for _, r := range all {
			cut = max(cut, r.KeywordScore)
		}
		kept := search(t, m, SearchRequest{Query: "marigold", Mode: storage.ModeKeyword, MaxPerFile: -1, MinKeywordScore: &cut})
		if len(kept) == 0 || len(kept) >= len(all) {
			t.Errorf("min_keyword_score %v kept %d of %d results", cut, len(kept), len(all))
		}
		for _, r := range kept {
			if r.KeywordScore < cut {
				t.Errorf("kept result with keyword score %v below %v", r.KeywordScore, cut)
			}
		}
	})

	t.Run("context_lines", func(t *testing.T) {
		res := search(t, m, SearchRequest{Query: "Water4 marigold", Mode: storage.ModeKeyword, ContextLines: 2, PathGlob: "garden.go"})
		if len(res) == 0 {
			t.Fatal("nothing found")
		}
		data, err := os.ReadFile(filepath.Join(ws, "garden.go"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(data), "\n")
		for _, r := range res {
			wantBefore := strings.Join(lines[max(r.StartLine-3, 0):r.StartLine-1], "")
			wantAfter := strings.Join(lines[r.EndLine:min(r.EndLine+2, len(lines))], "")
			if r.ContextBefore != wantBefore || r.ContextAfter != wantAfter || r.ContextNote != "" {
				t.Errorf("lines %d-%d: context %q / %q (note %q), want %q / %q", r.StartLine, r.EndLine,
					r.ContextBefore, r.ContextAfter, r.ContextNote, wantBefore, wantAfter)
			}
		}
		if res := search(t, m, SearchRequest{Query: "marigold", ContextLines: 0}); len(res) > 0 && res[0].ContextBefore+res[0].ContextAfter != "" {
			t.Error("context given without context_lines")
		}
	})

	t.Run("notes carry title and metadata", func(t *testing.T) {
		if _, err := m.AddDocument(ctx, AddDocumentRequest{Content: "The zinnia seeds arrive in May.", Title: "Seeds",
			Metadata: map[string]string{"topic": "garden"}}); err != nil {
			t.Fatal(err)
		}
		res := search(t, m, SearchRequest{Query: "zinnia seeds", Collection: NotesCollection})
		if len(res) != 1 || res[0].Title != "Seeds" || res[0].Metadata["topic"] != "garden" || res[0].Kind != storage.KindNote {
			t.Fatalf("note results %+v", res)
		}
	})

	t.Run("unknown collection", func(t *testing.T) {
		_, err := m.Search(ctx, SearchRequest{Query: "zinnia", Limit: 5, Collection: "nope"})
		if !errors.Is(err, storage.ErrNotFound) || !strings.HasPrefix(err.Error(), `collection "nope": `) || !strings.Contains(err.Error(), "list_collections") {
			t.Errorf("Search in a collection that does not exist = %v, want ErrNotFound naming it and list_collections", err)
		}
	})

	t.Run("empty query", func(t *testing.T) {
		for _, q := range []string{"", "the of and", "?!"} {
			if _, err := m.Search(ctx, SearchRequest{Query: q, Limit: 5}); !errors.Is(err, ErrEmptyQuery) {
				t.Errorf("Search(%q) = %v, want ErrEmptyQuery", q, err)
			}
		}
	})
}

// The same text in several files (a package copied for each release)
// takes one result, which names the other places; the slot goes to the
// next distinct hit.
func TestSearchShowsATextOnce(t *testing.T) {
	ws := t.TempDir()
	retry := "package retry\n\n// Retry retries a failed upload with exponential backoff, doubling the wait each time.\nfunc Retry() {}\n"
	enginetest.WriteFiles(t, ws, map[string]string{
		"v1/retry/retry.go": retry,
		"v2/retry/retry.go": retry,
		"upload.go":         "package upload\n\n// upload sends a file; a failed upload is reported.\nfunc upload() {}\n",
	})
	m, _ := startIndexed(t, ws, func(*config.Config) {})
	res := search(t, m, SearchRequest{Query: "failed upload retried with exponential backoff", Limit: 2})
	if len(res) != 2 || filepath.Base(res[0].Path) != "retry.go" || filepath.Base(res[1].Path) != "upload.go" {
		t.Fatalf("got %d results, want one retry.go, then upload.go: %+v", len(res), res)
	}
	other := filepath.Join(ws, "v1", "retry", "retry.go")
	if res[0].Path == other {
		other = filepath.Join(ws, "v2", "retry", "retry.go")
	}
	if c := res[0].Copies; len(c) != 1 || c[0].Path != other || c[0].ID == "" || c[0].StartLine != 1 {
		t.Errorf("%s copies = %+v, want the one in %s", res[0].Path, c, other)
	}
	if len(res[1].Copies) != 0 {
		t.Errorf("upload.go copies = %+v, want none", res[1].Copies)
	}
}

// find_related shows a text once too: two copies of code like the
// source's take one result, which names the other.
func TestFindRelatedShowsATextOnce(t *testing.T) {
	ws := t.TempDir()
	retry := "package retry\n\n// Retry retries a failed upload with exponential backoff, doubling the wait each time.\nfunc Retry() {}\n"
	enginetest.WriteFiles(t, ws, map[string]string{
		"upload.go":         "package upload\n\n// retryUpload retries a failed upload, doubling the wait each time.\nfunc retryUpload() {}\n",
		"v1/retry/retry.go": retry,
		"v2/retry/retry.go": retry,
	})
	m, _ := startIndexed(t, ws, func(*config.Config) {})
	resp, err := m.FindRelated(context.Background(), RelatedRequest{Ref: DocumentRef{Path: filepath.Join(ws, "upload.go")}, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Results) != 1 || filepath.Base(resp.Results[0].Path) != "retry.go" || len(resp.Results[0].Copies) != 1 {
		t.Fatalf("related to upload.go: %+v, want one retry.go naming its copy", resp.Results)
	}
	if c := resp.Results[0].Copies[0]; c.Path == resp.Results[0].Path || filepath.Base(c.Path) != "retry.go" {
		t.Errorf("copy %+v, want the other retry.go", c)
	}
}
