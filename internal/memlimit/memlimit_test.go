package memlimit

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	for _, c := range []struct{ base, live, want int64 }{
		{200 << 20, 100 << 20, 200 << 20},
		{200 << 20, 150 << 20, 210 << 20},
		{200 << 20, 0, 200 << 20},
	} {
		if got := Limit(c.base, c.live); got != c.want {
			t.Errorf("Limit(%d, %d) = %d, want %d", c.base, c.live, got, c.want)
		}
	}
}

// Set applies the limit, raises it past a live heap larger than the base
// after the next collection, and is ignored when GOMEMLIMIT is set.
func TestSet(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	if Set(1 << 20) {
		t.Fatal("Set applied a limit over GOMEMLIMIT")
	}
	t.Setenv("GOMEMLIMIT", "")
	if Set(0) {
		t.Fatal("Set applied a limit of 0")
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	const base = 1 << 20 // below the test binary's live heap
	keep := make([]byte, 8<<20)
	if !Set(base) {
		t.Fatal("Set did not apply the limit")
	}
	// Each collection finalizes one sentinel, whose finalizer (on the
	// runtime's goroutine) sets the limit and arms the next.
	var got, live int64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		runtime.GC()
		live = liveHeap()
		if got = debug.SetMemoryLimit(-1); got != base {
			break
		}
	}
	runtime.KeepAlive(keep)
	if live < 8<<20 || got < live || got == base {
		t.Errorf("limit %d after collections with %d bytes live; want 1.4 × live", got, live)
	}
}
