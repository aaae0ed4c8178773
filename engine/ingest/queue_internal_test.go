package ingest

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
)

// The queue's life of a path: dirty, taken in flight, dirtied again while
// in flight (it goes round again), failed (until takeFailed), cancelled
// (dirty again); pause stops handing out.
func TestWorkQueue(t *testing.T) {
	q := newWorkQueue()
	q.add([]string{"/a", "/b"})
	if d, f, x := q.counts(); d != 2 || f != 0 || x != 0 {
		t.Fatalf("counts after add = %d, %d, %d", d, f, x)
	}
	got := q.take(1) // two dirty, one worker: one path at a time
	if len(got) != 1 {
		t.Fatalf("take = %v, want one path", got)
	}
	p := got[0]
	q.add([]string{p}) // changed again while in flight
	if d, f, _ := q.counts(); d != 1 || f != 1 {
		t.Errorf("a path in flight dirtied again is not dirty twice: counts %d, %d", d, f)
	}
	if again := q.finish(p, false, false); !again {
		t.Error("finish of a path dirtied in flight: again = false")
	}
	if d, f, _ := q.counts(); d != 2 || f != 0 {
		t.Errorf("after finish: %d dirty, %d in flight; want 2, 0", d, f)
	}
	all := q.take(1)
	all = append(all, q.take(1)...)
	slices.Sort(all)
	if !slices.Equal(all, []string{"/a", "/b"}) {
		t.Fatalf("take = %v", all)
	}
	q.finish("/a", false, true) // failed
	q.finish("/b", true, true)  // cancelled: dirty again, not failed
	if d, f, x := q.counts(); d != 1 || f != 0 || x != 1 {
		t.Errorf("counts = %d, %d, %d; want /b dirty and /a failed", d, f, x)
	}
	if failed := q.takeFailed(); !slices.Equal(failed, []string{"/a"}) {
		t.Errorf("takeFailed = %v", failed)
	}
	q.pause()
	if got := q.take(1); got != nil || !q.halted() {
		t.Errorf("take while paused = %v", got)
	}
}

// Stop refuses new tasks and waitIdle waits for the running ones.
func TestWorkQueueStopWaitsForTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newWorkQueue()
		if !q.enter() {
			t.Fatal("enter refused before stop")
		}
		q.stop()
		if q.enter() {
			t.Fatal("enter admitted a task after stop")
		}
		idle := make(chan struct{})
		go func() { q.waitIdle(); close(idle) }()
		synctest.Wait()
		select {
		case <-idle:
			t.Fatal("waitIdle returned while a task runs")
		default:
		}
		q.leave()
		synctest.Wait()
		select {
		case <-idle:
		default:
			t.Fatal("waitIdle did not return once the task left")
		}
	})
}

// The enrichment queue keeps one version per path, in the order first
// queued, and counts the running ones as pending.
func TestEnrichQueue(t *testing.T) {
	e := newEnrichQueue()
	e.put("/a", "h1")
	e.put("/b", "h2")
	e.put("/a", "h3") // a newer version replaces the queued one, in place
	e.put("/c", "h4")
	e.drop("/c")
	if n, p := e.queued(), e.pending(); n != 2 || p != 2 {
		t.Fatalf("queued %d, pending %d; want 2, 2", n, p)
	}
	path, hash, ok := e.take()
	if !ok || path != "/a" || hash != "h3" {
		t.Errorf("take = %s %s %v, want /a h3", path, hash, ok)
	}
	if n, p := e.queued(), e.pending(); n != 1 || p != 2 {
		t.Errorf("while /a runs: queued %d, pending %d; want 1, 2", n, p)
	}
	e.done()
	if path, _, _ := e.take(); path != "/b" {
		t.Errorf("take = %s, want /b", path)
	}
	e.done()
	if _, _, ok := e.take(); ok || e.pending() != 0 {
		t.Errorf("take from an empty queue: ok %v, pending %d", ok, e.pending())
	}
}

// Paths are handed out in path order, each exactly once, also when some
// become dirty meanwhile (behind the sorted ones: they wait for the next
// sort) or stop being dirty.
func TestWorkQueueTakesInPathOrder(t *testing.T) {
	q := newWorkQueue()
	var want []string
	for i := range 300 {
		want = append(want, fmt.Sprintf("/w/%03d", (i*7)%300)) // shuffled
	}
	q.add(want)
	first := q.take(2) // 300 dirty, 2 workers: a full batch
	if len(first) != maxBatchFiles || !slices.IsSorted(first) || first[0] != "/w/000" {
		t.Fatalf("first batch %v, want the %d first paths in order", first, maxBatchFiles)
	}
	q.add([]string{"/a"}) // before every path taken, after the sort
	var got []string
	for {
		batch := q.take(2)
		if batch == nil {
			break
		}
		if !slices.IsSorted(batch) {
			t.Fatalf("batch %v is not in path order", batch)
		}
		got = append(got, batch...)
	}
	if got[len(got)-1] != "/a" {
		t.Errorf("a path dirtied after the sort came at %d of %d, want last", slices.Index(got, "/a"), len(got))
	}
	all := append(first, got...)
	slices.Sort(all)
	slices.Sort(want)
	if want = append([]string{"/a"}, want...); !slices.Equal(all, want) {
		t.Errorf("took %d paths, want each of %d once", len(all), len(want))
	}
}
