package ingest_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
)

// oldChunker is a store that drops what chunks of older rules lacked:
// the names they define. It writes one document at a time (it is no
// storage.BatchReplacer).
type oldChunker struct{ storage.Store }

func withoutDefines(chunks []storage.Chunk) []storage.Chunk {
	out := make([]storage.Chunk, len(chunks))
	for i, c := range chunks {
		c.Metadata = maps.Clone(c.Metadata)
		delete(c.Metadata, ingest.MetaDefines)
		out[i] = c
	}
	return out
}

func (s oldChunker) ReplaceDocument(ctx context.Context, doc storage.Document, chunks []storage.Chunk) error {
	return s.Store.ReplaceDocument(ctx, doc, withoutDefines(chunks))
}

// definesOf returns the defines metadata of the chunks of path's document.
func (e *env) definesOf(path string) []string {
	e.t.Helper()
	d, err := e.store.GetDocument(context.Background(), ingest.FileDocID(path))
	if err != nil {
		e.t.Fatalf("get document %s: %v", path, err)
	}
	var out []string
	for _, c := range d.Chunks {
		out = append(out, c.Metadata[ingest.MetaDefines])
	}
	return out
}

// TestNewChunkerRechunksOnce: an index whose ledger was stamped by an
// older chunker (its identity lacks chunk.Version), or by an older
// analysis of keyword terms (it lacks analysis.Version, which only the
// built-in embedder's name would otherwise carry), has every file cut
// again at the next start, once, reusing the stored vectors; one stamped
// by this chunker skips unchanged files.
func TestNewChunkerRechunksOnce(t *testing.T) {
	for _, part := range []string{fmt.Sprintf(" chunker=%d", chunk.Version), fmt.Sprintf(" analysis=%d", analysis.Version)} {
		t.Run(strings.TrimSpace(part), func(t *testing.T) { testRechunksOnce(t, part) })
	}
}

func testRechunksOnce(t *testing.T, part string) {
	root, data := newDirs(t)
	p := writeFile(t, root, "a.go", goSource("a", "rechunkword"))
	cfg := testConfig(t, root, data)

	old := startEnvWith(t, cfg, func(s storage.Store) storage.Store { return oldChunker{s} })
	old.waitSettled()
	old.stop()

	same := startEnv(t, cfg)
	same.waitSettled()
	if got := same.definesOf(p); strings.Join(got, "") != "" {
		t.Fatalf("an unchanged file was cut again with the same chunker: defines %q", got)
	}
	same.stop()

	// Stamp the ledger as an index built before that part was named.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Exec(`UPDATE meta SET value = replace(value, ?, '') WHERE key = 'identity' AND instr(value, ?) > 0`, part, part)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("identity rows stamped: %d, %v", n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	e := startEnv(t, cfg)
	e.waitSettled()
	if got, want := e.definesOf(p), []string{"Frechunkword"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("after an upgrade of the chunker, defines = %q, want %q", got, want)
	}
	if n := e.emb.texts.Load(); n != 0 {
		t.Errorf("cutting again embedded %d texts; the vectors of unchanged chunk texts should be reused", n)
	}
	if logs := strings.Join(e.logs.errors(), "\n"); !strings.Contains(logs, "every file is indexed again") {
		t.Errorf("the start after an upgrade of the chunker did not say it indexes every file again; logs:\n%s", logs)
	}
}

// TestDefinesSurviveEnrichment: a file's chunks keep the names they
// define when a language server adds its symbols to them.
func TestDefinesSurviveEnrichment(t *testing.T) {
	root, data := newDirs(t)
	word := token("dfn", 5)
	p := writeFile(t, root, "a.go", goSource("pkg", word))
	g := newGateEnricher()
	g.open()
	e := startEnrichEnv(t, root, data, g)
	e.waitSymbol(t, "the symbols to arrive", p, "func F"+word)
	if got := e.definesOf(p); len(got) != 1 || got[0] != "F"+word {
		t.Errorf("defines after enrichment = %q, want [F%s]", got, word)
	}
}
