package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/peer"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// peerConfig is one workspace and data directory for several Managers of
// this process: the indexer lock is per open file, so two Managers
// contend for it exactly as two processes do.
func peerConfig(t *testing.T) config.Config {
	t.Helper()
	old := lockPollEvery
	lockPollEvery = 20 * time.Millisecond
	t.Cleanup(func() { lockPollEvery = old })
	cfg := workspaceConfig(t, map[string]string{"marigold.go": "package garden\n\n// Marigold blooms in summer.\nfunc Marigold() {}\n"})
	cfg.LSP.Enabled = false
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func startPeer(t *testing.T, cfg config.Config) *Manager {
	t.Helper()
	m := New(cfg, Options{Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
	if err := m.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		_, _ = m.Stop(context.Background(), StopOptions{})
		m.Wait()
	})
	return m
}

// indexerAndReader starts two engines on cfg's data directory: the first
// is the indexer, the second its reader.
func indexerAndReader(t *testing.T, cfg config.Config) (indexer, reader *Manager) {
	t.Helper()
	a := startPeer(t, cfg)
	return a, readerOf(t, a, cfg)
}

// readerOf starts a reader of indexer, which runs on cfg's data directory.
func readerOf(t *testing.T, indexer *Manager, cfg config.Config) *Manager {
	t.Helper()
	b := startPeer(t, cfg)
	if role(indexer) != RoleIndexer || role(b) != RoleReader {
		t.Fatalf("roles %s and %s, want indexer and reader", role(indexer), role(b))
	}
	return b
}

// startIndexedPeer starts an engine on cfg and waits until its initial
// index is done.
func startIndexedPeer(t *testing.T, cfg config.Config) *Manager {
	t.Helper()
	m := startPeer(t, cfg)
	if err := m.WaitIndexed(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return m
}

func role(m *Manager) string { return m.Status(context.Background()).Role }

func waitRole(t *testing.T, m *Manager, want string) {
	t.Helper()
	enginetest.Eventually(t, "role "+want, 20*time.Second, func() bool { return role(m) == want })
}

func findPaths(t *testing.T, m *Manager, query string) []string {
	t.Helper()
	resp, err := m.Search(context.Background(), SearchRequest{Query: query, Limit: 5, Mode: storage.ModeKeyword})
	if err != nil {
		t.Fatalf("Search(%q): %v", query, err)
	}
	var paths []string
	for _, r := range resp.Results {
		paths = append(paths, filepath.Base(r.Path))
	}
	return paths
}

// The second engine on a data directory is a reader: every workspace
// operation reaches the indexer's store, errors keep their sentinels, and
// what only the indexer may do is refused with a reason.
func TestReaderForwardsToIndexer(t *testing.T) {
	cfg := peerConfig(t)
	ctx := context.Background()
	a := startIndexedPeer(t, cfg)
	b := readerOf(t, a, cfg)
	st := b.Status(ctx)
	if st.Indexer == nil || st.Indexer.PID != os.Getpid() || st.Indexer.Self || !st.Indexer.Reachable || st.Index.Files != 1 {
		t.Fatalf("reader status: indexer %+v, index %+v", st.Indexer, st.Index)
	}
	if err := b.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := findPaths(t, b, "marigold"); len(got) != 1 || got[0] != "marigold.go" {
		t.Fatalf("reader search found %v", got)
	}

	added, err := b.AddDocument(ctx, AddDocumentRequest{Content: "the zinnia note", Title: "zinnia"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := a.GetDocument(ctx, DocumentRef{ID: added.ID})
	if err != nil || doc.Title != "zinnia" {
		t.Fatalf("the indexer reads the reader's note: %+v, %v", doc, err)
	}
	for name, m := range map[string]*Manager{"indexer": a, "reader": b} {
		page, err := m.ListNotesPage(ctx, NotesQuery{})
		notes := page.Notes
		if err != nil || len(notes) != 1 || notes[0] != (Note{ID: added.ID, Collection: NotesCollection, Title: "zinnia"}) {
			t.Errorf("%s: ListNotesPage = %+v, %v; want the zinnia note alone", name, notes, err)
		}
	}
	if _, n, err := b.DeleteDocument(ctx, DocumentRef{ID: added.ID}); err != nil || n != 1 {
		t.Fatalf("reader delete: %d chunks, %v", n, err)
	}
	if _, err := b.GetDocument(ctx, DocumentRef{ID: added.ID}); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("reader get of a deleted note: %v, want ErrNotFound", err)
	}
	if _, err := b.GetDocument(ctx, DocumentRef{Path: "/etc/passwd"}); !errors.Is(err, ErrOutsideWorkspace) {
		t.Fatalf("reader get outside the workspace: %v, want ErrOutsideWorkspace", err)
	}
	// A reindex rebuilds the workspace collection from the files alone, so
	// no note goes in there, from either process.
	// A note is no larger than a file may be.
	for name, m := range map[string]*Manager{"indexer": a, "reader": b} {
		req := AddDocumentRequest{Content: "a note among the files", Collection: a.cfg.Workspace.Collection}
		if _, err := m.AddDocument(ctx, req); !errors.Is(err, ErrWorkspaceCollection) || !strings.Contains(err.Error(), `"notes"`) {
			t.Errorf("%s: a note into the workspace collection: %v, want ErrWorkspaceCollection naming the notes collection", name, err)
		}
		big := AddDocumentRequest{Content: strings.Repeat("x", int(a.cfg.Workspace.MaxFileBytes)+1)}
		if _, err := m.AddDocument(ctx, big); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "workspace.max_file_bytes") {
			t.Errorf("%s: a note over workspace.max_file_bytes: %v, want ErrTooLarge naming the key", name, err)
		}
	}
	colls, err := b.ListCollections(ctx)
	if err != nil || len(colls) == 0 {
		t.Fatalf("reader list: %v, %v", colls, err)
	}
	if err := b.Reindex(ctx); !errors.Is(err, ErrReader) {
		t.Fatalf("reindex on a reader: %v, want ErrReader", err)
	}
	if checks := b.Checks(ctx); len(checks) != 2 || checks[1].Name != CheckIndexer || checks[1].Status != CheckPass {
		t.Fatalf("reader checks: %+v", checks)
	}

	// Stopping the reader leaves the indexer alone; restarting the
	// indexer keeps its role.
	if _, err := b.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := a.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if role(a) != RoleIndexer || a.State() != StateRunning {
		t.Fatalf("indexer after the reader stopped and a restart: %s, %s", role(a), a.State())
	}
}

// When the indexer stops, a reader takes over, reconciles the workspace
// (an edit made while no one indexed is found) and the old indexer comes
// back as a reader.
func TestReaderTakesOver(t *testing.T) {
	cfg := peerConfig(t)
	ctx := context.Background()
	a := startPeer(t, cfg)
	b := startPeer(t, cfg)
	if role(b) != RoleReader {
		t.Fatalf("second engine is %s", role(b))
	}
	if _, err := a.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	// Written while no engine indexes: the watch of a is gone, and b may
	// not have taken over yet.
	if err := os.WriteFile(filepath.Join(cfg.Workspace.Roots[0], "tulip.go"), []byte("package garden\n\n// Tulip is planted in autumn.\nfunc Tulip() {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitRole(t, b, RoleIndexer)
	if err := b.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := findPaths(t, b, "tulip"); len(got) != 1 || got[0] != "tulip.go" {
		t.Fatalf("after the takeover, search for the edit found %v", got)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if role(a) != RoleReader {
		t.Fatalf("the old indexer came back as %s, want reader", role(a))
	}
	if got := findPaths(t, a, "tulip"); len(got) != 1 {
		t.Fatalf("through the new indexer, search found %v", got)
	}
	var reasons []string
	for _, tr := range b.Status(ctx).Transitions {
		reasons = append(reasons, string(tr.Origin)+" "+tr.Reason)
	}
	if !slices.ContainsFunc(reasons, func(r string) bool { return strings.HasPrefix(r, "takeover takeover: the indexer (pid") }) {
		t.Fatalf("no transition of the takeover among %q", reasons)
	}
}

// Calls that readers make while the indexer goes are answered: on the
// reader that takes over, once it runs as the indexer; on the others, by
// the new indexer. Each write is stored once.
func TestReaderCallsDuringTakeover(t *testing.T) {
	cfg := peerConfig(t)
	ctx := context.Background()
	a := startIndexedPeer(t, cfg)
	readers := []*Manager{startPeer(t, cfg), startPeer(t, cfg)}
	if _, err := a.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2*len(readers))
	for i, m := range readers {
		go func() {
			_, err := m.AddDocument(ctx, AddDocumentRequest{Content: "the ibis note", Title: fmt.Sprint("ibis ", i)})
			errs <- err
		}()
		go func() {
			_, err := m.Search(ctx, SearchRequest{Query: "marigold", Limit: 5})
			errs <- err
		}()
	}
	for range 2 * len(readers) {
		if err := <-errs; err != nil {
			t.Errorf("a reader's call while the indexer changed: %v", err)
		}
	}
	var indexers int
	for _, m := range readers {
		if role(m) == RoleIndexer {
			indexers++
		}
	}
	if indexers != 1 {
		t.Fatalf("%d indexers among the readers after the takeover", indexers)
	}
	colls, err := readers[0].ListCollections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range colls {
		if c.Name == NotesCollection && c.Documents != 2 {
			t.Errorf("%d notes stored, want 2", c.Documents)
		}
	}
}

// A reader whose configuration names another workspace than the
// indexer's says so in its status.
func TestReaderNotesAnotherWorkspace(t *testing.T) {
	cfg := peerConfig(t)
	startPeer(t, cfg)
	other := cfg.Clone()
	other.Workspace.Roots = []string{t.TempDir()}
	b := startPeer(t, other)
	st := b.Status(context.Background())
	if st.Role != RoleReader || st.Indexer == nil || !strings.Contains(st.Indexer.Note, "workspace.roots") {
		t.Fatalf("reader of another workspace: role %s, indexer %+v", st.Role, st.Indexer)
	}
	same := startPeer(t, cfg)
	if note := same.Status(context.Background()).Indexer.Note; note != "" {
		t.Fatalf("reader of the same workspace has a note: %s", note)
	}
}

// An indexer that takes calls and never answers (stopped, deadlocked)
// ends each forwarded call after engine.peer_timeout with an error that
// says so, and the call is not sent again: a write may have been applied.
func TestReaderReportsSilentIndexer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "silent.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(io.Discard, c) }) // reads the request, never answers
		}
	})
	defer func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}()

	l := newLink(peer.Dial(path, wireErrors), peer.Holder{PID: 4242, Socket: path}, 100*time.Millisecond)
	defer l.client.Close()
	for _, method := range []peer.Method{peer.MethodSearch, peer.MethodAddDocument} {
		err := l.call(t.Context(), method, nil, nil)
		if !errors.Is(err, errNoAnswer) || !strings.Contains(err.Error(), "pid 4242") || !strings.Contains(err.Error(), "engine.peer_timeout") {
			t.Errorf("%s to a silent indexer: %v, want errNoAnswer naming the pid and engine.peer_timeout", method.Name, err)
		}
		if info := l.info(); info.Reachable || !strings.Contains(info.Error, "no answer to "+method.Name) {
			t.Errorf("after %s: indexer info %+v, want unreachable with no answer", method.Name, info)
		}
	}
	mu.Lock()
	n := len(conns)
	mu.Unlock()
	if n != 2 {
		t.Errorf("the silent indexer got %d connections for 2 calls, want each sent once", n)
	}
}

// Overlapping restarts and recoveries of the indexer each keep the
// indexer lock from their stop to their start: a live reader, trying the
// lock all the while, never takes over, and the indexer stays the
// indexer.
func TestOverlappingRestartsKeepTheLock(t *testing.T) {
	cfg := peerConfig(t)
	lockPollEvery = time.Millisecond // the reader tries the lock all the time
	ctx := context.Background()
	a, b := indexerAndReader(t, cfg)
	var mu sync.Mutex
	var takeovers []string
	unsub := b.Subscribe(func(tr Transition) {
		if strings.HasPrefix(tr.Reason, "takeover") {
			mu.Lock()
			takeovers = append(takeovers, tr.Reason)
			mu.Unlock()
		}
	})
	defer unsub()
	for range 3 {
		errs := make(chan error, 3)
		go func() { errs <- a.Restart(ctx) }()
		go func() { errs <- a.Recover(ctx, "recovery: test") }()
		go func() { errs <- a.Restart(ctx) }()
		for range 3 {
			if err := <-errs; err != nil {
				t.Errorf("an overlapping restart failed: %v", err)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(takeovers) > 0 || role(a) != RoleIndexer || role(b) != RoleReader {
		t.Fatalf("after overlapping restarts: roles %s and %s, takeovers %q; want indexer and reader, none",
			role(a), role(b), takeovers)
	}
}

// The admission hook refuses on the indexer what it refuses, whether a
// tool of the indexer or a reader asks: the reader's error carries the
// indexer's message and wraps ErrDegraded. What the hook admits, and a
// search with ranking overrides on a reader, answer as before.
func TestAdmissionHookCoversForwardedCalls(t *testing.T) {
	ctx := context.Background()
	a, b := indexerAndReader(t, peerConfig(t))
	var mu sync.Mutex
	var seen []Op
	a.SetAdmission(func(op Op) error {
		mu.Lock()
		seen = append(seen, op)
		mu.Unlock()
		if slices.Contains(op.Needs, ComponentEmbedder) {
			return fmt.Errorf("%w: embedder is down (injected)", ErrDegraded)
		}
		return nil
	})
	for name, m := range map[string]*Manager{"indexer": a, "reader": b} {
		_, err := m.Search(ctx, SearchRequest{Query: "marigold", Limit: 5, Mode: storage.ModeSemantic})
		if !errors.Is(err, ErrDegraded) || !strings.Contains(err.Error(), "engine degraded: embedder is down (injected)") {
			t.Errorf("%s: semantic search refused by the hook: %v, want ErrDegraded with its message", name, err)
		}
		if _, err := m.AddDocument(ctx, AddDocumentRequest{Content: "a refused note"}); !errors.Is(err, ErrDegraded) {
			t.Errorf("%s: add_document refused by the hook: %v, want ErrDegraded", name, err)
		}
		if _, err := m.Search(ctx, SearchRequest{Query: "marigold", Limit: 5, Mode: storage.ModeKeyword}); err != nil {
			t.Errorf("%s: a keyword search, which the hook admits: %v", name, err)
		}
	}
	mu.Lock()
	if len(seen) != 6 || seen[0].Name != peer.MethodSearch.Name || seen[1].Name != peer.MethodAddDocument.Name || !seen[1].Write {
		t.Errorf("the hook saw %+v, want 6 operations, searches and writes named", seen)
	}
	mu.Unlock()
	a.SetAdmission(nil)
	if _, err := b.Search(ctx, SearchRequest{Query: "marigold", Limit: 5, Mode: storage.ModeSemantic}); err != nil {
		t.Errorf("a semantic search once the hook is removed: %v", err)
	}
	_, err := b.Search(ctx, SearchRequest{Query: "marigold", Limit: 5, Tuning: &DefaultTuning})
	if !errors.Is(err, ErrReader) || !strings.Contains(err.Error(), "ranking overrides") {
		t.Errorf("a reader's search with a tuning override: %v, want ErrReader naming the overrides", err)
	}
}

// A reader's find_related of a line that no chunk holds fails as the
// indexer's does: ErrLineOutside, and a *LineError with the same lines
// and text, rebuilt from the detail that crossed the socket.
func TestReaderFindRelatedLineOutside(t *testing.T) {
	ctx := context.Background()
	cfg := peerConfig(t)
	a, b := indexerAndReader(t, cfg)
	if err := a.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	req := RelatedRequest{Ref: DocumentRef{Path: filepath.Join(cfg.Workspace.Roots[0], "marigold.go")}, Line: 9999, Limit: 5}
	_, want := a.FindRelated(ctx, req)
	wantLE, ok := errors.AsType[*LineError](want)
	if !ok {
		t.Fatalf("indexer: %v, want a *LineError", want)
	}
	_, err := b.FindRelated(ctx, req)
	if !errors.Is(err, ErrLineOutside) || err.Error() != want.Error() {
		t.Errorf("reader: %v, want ErrLineOutside with the indexer's text %q", err, want)
	}
	if le, ok := errors.AsType[*LineError](err); !ok || *le != *wantLE {
		t.Errorf("reader: %#v, want the *LineError %+v", err, *wantLE)
	}
	if _, ok := errors.AsType[*peer.RemoteError](err); !ok {
		t.Errorf("reader: %#v, want it to remain a *peer.RemoteError", err)
	}
}
