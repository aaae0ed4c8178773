package ingest_test

import (
	"strings"
	"testing"
)

// Lost file events are never silent: the watcher check fails, naming the
// reason, until the rescan they trigger has found and indexed everything.
func TestLostEventsShowUntilRescanned(t *testing.T) {
	root, data := newDirs(t)
	writeFile(t, root, "a.go", goSource("a", "lostalpha"))
	e := startEnv(t, testConfig(t, root, data))
	e.waitSettled()
	if err := e.ix.Check(); err != nil {
		t.Fatalf("Check before any loss: %v", err)
	}
	e.ix.LoseEvents("event_overflow")
	waitFor(t, "the rescan to catch up", func() bool { return e.ix.Check() == nil })

	// While what the rescan found is still pending, the loss still shows.
	e.ix.Pause() // no more dispatch: the rescan's finding stays pending
	writeFile(t, root, "b.go", goSource("b", "lostbeta"))
	e.ix.LoseEvents("watch_limit")
	waitFor(t, "the rescan to find b.go", func() bool { return e.ix.Stats().Pending > 0 })
	if err := e.ix.Check(); err == nil || !strings.Contains(err.Error(), "watch_limit") {
		t.Fatalf("Check with the rescan's work pending = %v, want an error naming watch_limit", err)
	}
}
