//go:build unix

package main

// A stopped process (SIGSTOP) exists only on Unix.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitStopped waits until the process pid is stopped. A SIGSTOP is
// delivered, not obeyed, when kill returns: each thread of the process
// stops when it next takes the signal, and on a loaded machine one of
// them can still answer a call meanwhile.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !processStopped(t, pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d not stopped 10s after SIGSTOP", pid)
		}
		time.Sleep(time.Millisecond)
	}
}

// processStopped reports whether pid is in the stopped state: from
// /proc/PID/stat where there is one, from ps elsewhere.
func processStopped(t *testing.T, pid int) bool {
	t.Helper()
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// pid (comm) state ...: comm may hold spaces and parentheses.
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		return len(bytes.TrimSpace(rest)) > 0 && bytes.TrimSpace(rest)[0] == 'T'
	}
	out, err := exec.Command("ps", "-o", "stat=", "-p", fmt.Sprint(pid)).Output()
	if err != nil {
		t.Fatalf("state of process %d: %v", pid, err)
	}
	return strings.HasPrefix(strings.TrimSpace(string(out)), "T")
}

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
	waitStopped(t, a.pid())
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
