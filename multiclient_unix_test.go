//go:build unix

package main

// A stopped process (SIGSTOP) exists only on Unix.

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

// An indexer that is alive but silent (SIGSTOP) keeps its lock: a
// reader's calls end after engine.peer_timeout with an error naming it,
// its status and health say the indexer does not answer, and once the
// indexer runs again the reader answers again, still a reader.
func TestReaderWithStoppedIndexer(t *testing.T) {
	fx := newFixture(t, fixtureOptions{autostart: true, peerTimeout: "2s", extraConfig: "embedding:\n  timeout: 1s\n"})
	a, b := startPair(t, fx)
	procs := []*proc{a, b}
	b.waitFound(t, "quokkaflux", "README.md")

	if err := a.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			if err := a.cmd.Process.Signal(syscall.SIGCONT); err != nil {
				t.Error(err)
			}
		}
	}
	defer resume()
	r := b.call(t, "search", map[string]any{"query": "quokkaflux"})
	if !r.isError || !strings.Contains(r.text, fmt.Sprintf("indexer (pid %d)", a.pid())) || !strings.Contains(r.text, "engine.peer_timeout") {
		t.Fatalf("search on a reader of a stopped indexer: %s, want an error naming pid %d and engine.peer_timeout", r.text, a.pid())
	}
	st := b.mustCall(t, "engine_status", nil)
	idx, _ := st.obj["indexer"].(map[string]any)
	if st.str("state") != "running" || st.str("role") != "reader" || idx["reachable"] != false || idx["pid"] != float64(a.pid()) {
		t.Errorf("reader status with the indexer stopped: state %s, role %s, indexer %v", st.str("state"), st.str("role"), idx)
	}
	h := b.mustCall(t, "engine_health", nil)
	if h.str("overall_status") != "UNHEALTHY" || !strings.Contains(h.text, `"name":"indexer","status":"fail"`) {
		t.Errorf("reader health with the indexer stopped: %s", h.text)
	}

	resume()
	b.waitFound(t, "quokkaflux", "README.md")
	checkRoles(t, procs, a)
	stopAll(t, procs)
	checkIndex(t, fx)
}
