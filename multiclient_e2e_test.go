package main

// Several clients on one workspace: each launches its own server on the
// same configuration and data directory. These tests run real processes.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage/embedded"
)

// takeoverWithin is how long a reader may take to become the indexer:
// it tries the lock every 500 ms, then starts (a -race build is slow).
const takeoverWithin = 30 * time.Second

func (p *proc) pid() int { return p.cmd.Process.Pid }

// role returns the process's role and the pid of the indexer it names.
func (p *proc) role(t testing.TB) (string, int) {
	t.Helper()
	st := p.mustCall(t, "engine_status", nil)
	idx, _ := st.obj["indexer"].(map[string]any)
	pid, _ := idx["pid"].(float64)
	return st.str("role"), int(pid)
}

// searchPaths returns the base names of the files a keyword search finds.
func (p *proc) searchPaths(t testing.TB, query string) []string {
	t.Helper()
	r := p.mustCall(t, "search", map[string]any{"query": query, "mode": "keyword", "limit": 10})
	res, _ := r.obj["results"].([]any)
	var paths []string
	for _, x := range res {
		hit, _ := x.(map[string]any)
		path, _ := hit["path"].(string)
		paths = append(paths, filepath.Base(path))
	}
	return paths
}

// waitFound waits until a keyword search for word on p finds exactly the
// one file name.
func (p *proc) waitFound(t testing.TB, word, name string) {
	t.Helper()
	var got []string
	p.eventually(t, callTimeout, fmt.Sprintf("%s to find %s", word, name), func() bool {
		got = p.searchPaths(t, word)
		return slices.Equal(got, []string{name})
	})
}

// checkRoles fails unless indexer is the one indexer and every other
// process is its reader.
func checkRoles(t testing.TB, procs []*proc, indexer *proc) {
	t.Helper()
	for _, p := range procs {
		role, pid := p.role(t)
		want := "reader"
		if p == indexer {
			want = "indexer"
		}
		if role != want || pid != indexer.pid() {
			t.Fatalf("pid %d: role %s naming indexer %d, want %s naming %d", p.pid(), role, pid, want, indexer.pid())
		}
	}
}

// writeFile writes a workspace file.
func writeFile(t testing.TB, fx *fixture, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(fx.workspace, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startPair starts two servers on fx: a, the indexer, once its index is
// current, then b, its reader.
func startPair(t testing.TB, fx *fixture) (a, b *proc) {
	t.Helper()
	a = spawn(t, fx, "-config", fx.config)
	a.initialize(t)
	a.waitIdle(t)
	b = spawn(t, fx, "-config", fx.config)
	b.initialize(t)
	b.waitState(t, "running")
	checkRoles(t, []*proc{a, b}, a)
	return a, b
}

// stopAll ends every process still running, by closing its stdin.
func stopAll(t testing.TB, procs []*proc) {
	t.Helper()
	for _, p := range procs {
		select {
		case <-p.exited:
			continue
		default:
		}
		p.closeStdin(t)
		if !p.waitExit(30 * time.Second) {
			t.Fatalf("pid %d did not exit after stdin closed", p.pid())
		}
	}
}

// checkIndex opens the store the servers left and checks it: the
// integrity check passes, and the index holds every workspace file exactly
// once, with exactly the chunks a fresh split of its content gives.
func checkIndex(t testing.TB, fx *fixture) {
	t.Helper()
	ctx := context.Background()
	dataDir := filepath.Join(filepath.Dir(fx.config), "data")
	st, err := embedded.Open(ctx, dataDir, embedded.Options{Analyzer: analysis.Terms})
	if err != nil {
		t.Fatalf("open the store the servers left: %v", err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(fx.workspace)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Files != len(entries) {
		t.Errorf("the index holds %d files, the workspace %d", stats.Files, len(entries))
	}
	root, err := filepath.EvalSymlinks(fx.workspace)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		path := filepath.Join(root, e.Name())
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := st.GetDocument(ctx, ingest.FileDocID(path))
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		want := chunk.Split(string(content), chunk.Options{MaxChars: 1500, OverlapChars: 200, Language: chunk.Language(path)})
		if len(doc.Chunks) != len(want) {
			t.Errorf("%s: %d chunks indexed, a fresh split gives %d", e.Name(), len(doc.Chunks), len(want))
		}
	}
}

// Two servers: the second is a reader that sees what the first indexes;
// stopping the reader's engine leaves the indexer alone; when the indexer
// exits, the reader takes over and indexes an edit made meanwhile.
func TestTwoServersOneIndexer(t *testing.T) {
	fx := newFixture(t, fixtureOptions{autostart: true})
	a, b := startPair(t, fx)
	procs := []*proc{a, b}
	for _, p := range procs {
		p.waitFound(t, "quokkaflux", "README.md")
	}

	// A note added through the reader is stored once, by the indexer.
	note := b.mustCall(t, "add_document", map[string]any{"content": "the pelican note", "title": "pelican"})
	got := a.mustCall(t, "get_document", map[string]any{"id": note.str("id")})
	if got.str("title") != "pelican" {
		t.Fatalf("the indexer's get_document of the reader's note: %s", got.text)
	}

	// Lifecycle tools act on their own process.
	b.mustCall(t, "engine_stop", nil)
	if role, _ := a.role(t); role != "indexer" || a.mustCall(t, "engine_status", nil).str("state") != "running" {
		t.Fatalf("the indexer after the reader's engine_stop: role %s", role)
	}
	if r := b.call(t, "search", map[string]any{"query": "quokkaflux"}); !r.isError {
		t.Fatalf("a stopped reader answered a search: %s", r.text)
	}
	b.mustCall(t, "engine_start", nil)
	checkRoles(t, procs, a)

	// The indexer exits; an edit lands before the reader can take over.
	a.closeStdin(t)
	writeFile(t, fx, "heron.go", "package birds\n\n// Heron wades in the kingfisherwing marsh.\nfunc Heron() {}\n")
	if !a.waitExit(30 * time.Second) {
		t.Fatal("the indexer did not exit after stdin closed")
	}
	b.eventually(t, takeoverWithin, "the reader to become the indexer", func() bool {
		role, pid := b.role(t)
		return role == "indexer" && pid == b.pid()
	})
	b.waitIdle(t)
	b.waitFound(t, "kingfisherwing", "heron.go")
	stopAll(t, procs)
	checkIndex(t, fx)
}

// Three servers: every one sees the same files and an edit exactly once;
// SIGKILL of the indexer leads to a takeover by one reader, which the
// other follows, and an edit made right after the kill is not lost.
func TestThreeServersIndexerKilled(t *testing.T) {
	fx := newFixture(t, fixtureOptions{autostart: true})
	first := fx.spawnIdle(t)
	procs := []*proc{first}
	for range 2 {
		p := spawn(t, fx, "-config", fx.config)
		p.initialize(t)
		p.waitState(t, "running")
		procs = append(procs, p)
	}
	checkRoles(t, procs, first)
	writeFile(t, fx, "heron.go", "package birds\n\n// Heron wades in the kingfisherwing marsh.\nfunc Heron() {}\n")
	for _, p := range procs {
		p.waitFound(t, "quokkaflux", "README.md")
		p.waitFound(t, "kingfisherwing", "heron.go")
	}

	first.waitIdle(t)
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, fx, "egret.go", "package birds\n\n// Egret shows its snowyplume at dawn.\nfunc Egret() {}\n")
	<-first.exited
	survivors := procs[1:]
	var next *proc
	survivors[0].eventually(t, takeoverWithin, "a reader to become the indexer", func() bool {
		for _, p := range survivors {
			if role, pid := p.role(t); role == "indexer" && pid == p.pid() {
				next = p
				return true
			}
		}
		return false
	})
	for _, p := range survivors {
		p.eventually(t, takeoverWithin, "every survivor to name the new indexer", func() bool {
			_, pid := p.role(t)
			return pid == next.pid()
		})
	}
	checkRoles(t, survivors, next)
	next.waitIdle(t)
	for _, p := range survivors {
		p.waitFound(t, "snowyplume", "egret.go")
		p.waitFound(t, "kingfisherwing", "heron.go")
	}
	stopAll(t, procs)
	checkIndex(t, fx)
}
