package ingest_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/lsp"
	"workspace-qdrant-mcp/internal/enginetest"
)

// gateEnricher is a fake language server: for Go files it gives each
// chunk the symbol "func F<word>" of the word its text mentions, but
// only once released (or when its context ends, with nothing).
type gateEnricher struct {
	mu      sync.Mutex
	release chan struct{}
	calls   atomic.Int64
}

func newGateEnricher() *gateEnricher { return &gateEnricher{release: make(chan struct{})} }

func (g *gateEnricher) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.release:
	default:
		close(g.release)
	}
}

func (g *gateEnricher) Handles(path, language string) bool { return language == "go" }

var funcName = regexp.MustCompile(`func (F\w+)\(`)

func (g *gateEnricher) Enrich(ctx context.Context, path, language, text string, spans []lsp.Span) []map[string]string {
	g.calls.Add(1)
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil
	}
	m := funcName.FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	out := make([]map[string]string, len(spans))
	for i := range spans {
		out[i] = map[string]string{lsp.MetaSymbol: "func " + m[1]}
	}
	return out
}

func startEnrichEnv(t *testing.T, root, data string, g *gateEnricher) *env {
	t.Helper()
	return startEnvDeps(t, testConfig(t, root, data), nil, nil, func(d *ingest.Deps) { d.Enricher = g })
}

// waitSymbol waits, as what, until path's chunks all have the symbol
// want.
func (e *env) waitSymbol(t testing.TB, what, path, want string) {
	t.Helper()
	waitFor(t, what, func() bool {
		got := e.symbolsOf(path)
		return len(got) == 1 && got[0] == want
	})
}

// symbolsOf returns the distinct MetaSymbol values of path's chunks ("" for
// a chunk without one).
func (e *env) symbolsOf(path string) []string {
	d, err := e.store.GetDocument(context.Background(), ingest.FileDocID(path))
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range d.Chunks {
		s := c.Metadata[lsp.MetaSymbol]
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// TestEnrichmentDoesNotHoldIndexingUp: files are indexed and searchable
// while the enricher is blocked; once it is released the chunks carry
// its symbols, and nothing more was embedded for them.
func TestEnrichmentDoesNotHoldIndexingUp(t *testing.T) {
	root, data := newDirs(t)
	var goFiles []string
	for i := range 5 {
		goFiles = append(goFiles, writeFile(t, root, "pkg/f"+string(rune('a'+i))+".go", goSource("pkg", token("enr", i))))
	}
	notes := writeFile(t, root, "notes.md", "# notes\n\n"+token("md", 1)+"\n")
	g := newGateEnricher()
	e := startEnrichEnv(t, root, data, g)
	defer g.open() // before the env's cleanup stops it
	e.waitSettled()
	for i, p := range goFiles {
		if got := e.keywordPaths(token("enr", i)); len(got) != 1 || got[0] != p {
			t.Fatalf("search %s = %v before enrichment, want %s", token("enr", i), got, p)
		}
	}
	if got := e.keywordPaths(token("md", 1)); len(got) != 1 || got[0] != notes {
		t.Fatalf("search notes = %v", got)
	}
	if n := e.ix.Stats().EnrichPending; n != len(goFiles) {
		t.Fatalf("enrich_pending = %d while the enricher is blocked, want %d", n, len(goFiles))
	}
	waitFor(t, "the enricher to be asked", func() bool { return g.calls.Load() > 0 })
	embedded := e.emb.texts.Load()
	g.open()
	waitFor(t, "enrichment to finish", func() bool { return e.ix.Stats().EnrichPending == 0 })
	for i, p := range goFiles {
		want := "func F" + token("enr", i)
		if got := e.symbolsOf(p); len(got) != 1 || got[0] != want {
			t.Errorf("%s symbols = %q, want %q on every chunk", p, got, want)
		}
	}
	if got := e.symbolsOf(notes); len(got) != 1 || got[0] != "" {
		t.Errorf("notes.md symbols = %q, want none", got)
	}
	if n := e.emb.texts.Load(); n != embedded {
		t.Errorf("enrichment embedded %d more texts, want none", n-embedded)
	}
	if got := e.keywordPaths(token("enr", 0)); len(got) != 1 || got[0] != goFiles[0] {
		t.Errorf("search after enrichment = %v", got)
	}
}

// holdEmbedder holds every embedding request with a text containing word
// until release is closed.
type holdEmbedder struct {
	*countingEmbedder
	word    string
	release chan struct{}
}

func (h *holdEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if _, err := enginetest.Hold(ctx, texts, h.word, h.release); err != nil {
		return nil, err
	}
	return h.countingEmbedder.Embed(ctx, texts)
}

// TestEnrichmentAfterIndexing: a file to enrich is indexed while another
// file's embedding is held; the enricher is first asked only once that
// other file is written too, so a full index never shares the CPU with a
// language server.
func TestEnrichmentAfterIndexing(t *testing.T) {
	root, data := newDirs(t)
	word, slowWord := token("eai", 1), token("slow", 2)
	p := writeFile(t, root, "a.go", goSource("pkg", word))
	slow := writeFile(t, root, "slow.txt", slowWord+"\n")
	hold := make(chan struct{})
	g := newGateEnricher()
	g.open()
	var e *env
	var mu sync.Mutex
	var sawSlow []bool // at each call of the enricher, whether slow.txt was written
	rec := &recordingEnricher{gateEnricher: g, before: func() {
		mu.Lock()
		defer mu.Unlock()
		sawSlow = append(sawSlow, e.hasDoc(slow))
	}}
	release := sync.OnceFunc(func() { close(hold) })
	defer release() // before the env's cleanup stops it
	e = startEnvDeps(t, testConfig(t, root, data), nil, func(c *countingEmbedder) embed.Embedder {
		return &holdEmbedder{countingEmbedder: c, word: slowWord, release: hold}
	}, func(d *ingest.Deps) { d.Enricher = rec })
	waitFor(t, "a.go to be searchable", func() bool {
		got := e.keywordPaths(word)
		return len(got) == 1 && got[0] == p
	})
	release()
	e.waitSymbol(t, "the symbols of a.go", p, "func F"+word)
	mu.Lock()
	defer mu.Unlock()
	if len(sawSlow) == 0 || !sawSlow[0] {
		t.Fatalf("the enricher was asked while slow.txt was still being indexed (written at each call: %v)", sawSlow)
	}
}

// recordingEnricher calls before at the start of each enrichment.
type recordingEnricher struct {
	*gateEnricher
	before func()
}

func (r *recordingEnricher) Enrich(ctx context.Context, path, language, text string, spans []lsp.Span) []map[string]string {
	r.before()
	return r.gateEnricher.Enrich(ctx, path, language, text, spans)
}

// TestChangeWhileEnrichmentPending: a file changed while the enrichment
// of its previous version is under way ends with the new text and the
// new version's symbols, never the old ones.
func TestChangeWhileEnrichmentPending(t *testing.T) {
	root, data := newDirs(t)
	oldWord, newWord := token("old", 7), token("new", 9)
	p := writeFile(t, root, "a.go", goSource("pkg", oldWord))
	// A copy keeps the old version's vectors in the store, so that only
	// the version check stops the stale enrichment.
	cp := writeFile(t, root, "copy.txt", goSource("pkg", oldWord))
	g := newGateEnricher()
	e := startEnrichEnv(t, root, data, g)
	defer g.open()
	e.waitSettled()
	waitFor(t, "the enricher to hold the old version", func() bool { return g.calls.Load() == 1 })
	writeFile(t, root, "a.go", goSource("pkg", newWord)+"\n// more\n")
	waitFor(t, "the new version to be searchable", func() bool {
		got := e.keywordPaths(newWord)
		old := e.keywordPaths(oldWord)
		return len(got) == 1 && got[0] == p && len(old) == 1 && old[0] == cp
	})
	e.waitSettled()
	g.open()
	waitFor(t, "enrichment to finish", func() bool { return e.ix.Stats().EnrichPending == 0 })
	text := e.docText(p)
	if strings.Contains(text, oldWord) || !strings.Contains(text, newWord) {
		t.Fatalf("document text = %q, want the new version only", text)
	}
	if got := e.symbolsOf(p); len(got) != 1 || got[0] != "func F"+newWord {
		t.Fatalf("symbols = %q, want func F%s", got, newWord)
	}
	if got := e.keywordPaths(oldWord); len(got) != 1 || got[0] != cp {
		t.Fatalf("old word found in %v, want only %s", got, cp)
	}
}

// TestEnrichmentResumesAfterRestart: enrichment abandoned by a stop is
// done at the next start, although the file did not change.
func TestEnrichmentResumesAfterRestart(t *testing.T) {
	root, data := newDirs(t)
	word := token("rst", 3)
	p := writeFile(t, root, "a.go", goSource("pkg", word))
	g := newGateEnricher()
	e := startEnrichEnv(t, root, data, g)
	e.waitSettled()
	waitFor(t, "the enricher to be asked", func() bool { return g.calls.Load() == 1 })
	if got := e.symbolsOf(p); len(got) != 1 || got[0] != "" {
		t.Fatalf("symbols before the stop = %q, want none", got)
	}
	e.stop() // the enricher never answers: it sees its context end

	g2 := newGateEnricher()
	g2.open()
	e2 := startEnrichEnv(t, root, data, g2)
	e2.waitSymbol(t, "the symbols to arrive after the restart", p, "func F"+word)
	e2.waitSettled()
	if n := e2.emb.texts.Load(); n != 0 {
		t.Errorf("restart embedded %d texts, want none", n)
	}
}
