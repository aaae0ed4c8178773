// Package memlimit gives the Go runtime a soft memory limit that follows
// the live heap: the server's resident size is otherwise about twice what
// its index holds, since the collector lets the heap double between
// collections (GOGC=100).
package memlimit

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// floorNum/floorDen sets the least limit against the live heap: never
// below 1.4 times what the last collection found live, so that a heap
// larger than the configured limit is collected as with GOGC=40 (GOGC=50
// cost a full index a fifth more CPU, BENCHMARKS.md) and never
// continuously, as a fixed limit below the live heap would.
const floorNum, floorDen = 7, 5

// Limit returns the limit in force for base bytes and a live heap of
// live bytes: base, or 1.4 × live when that is more.
func Limit(base, live int64) int64 { return max(base, live/floorDen*floorNum) }

var (
	base  atomic.Int64 // the limit Set gave
	armed atomic.Bool  // whether the finalizer chain runs
)

// Set applies a soft memory limit of b bytes, raised after every
// collection to Limit(b, live heap). It does nothing when b <= 0 or when
// the GOMEMLIMIT environment variable is set (the user's own limit
// stands), and reports whether it applied the limit. A later call
// replaces the limit. The collections raise it through a finalizer: no
// goroutine of its own.
func Set(b int64) bool {
	if b <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return false
	}
	base.Store(b)
	debug.SetMemoryLimit(b)
	if armed.CompareAndSwap(false, true) {
		arm()
	}
	return true
}

// sentinel is unreachable as soon as it is made, so the next collection
// finalizes it; it holds a pointer so that it is never one of the tiny
// objects that share a block (whose finalizers may never run).
type sentinel struct{ _ *byte }

func arm() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		debug.SetMemoryLimit(Limit(base.Load(), liveHeap()))
		arm()
	})
}

// liveHeap returns the bytes of heap the last collection marked live.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}
