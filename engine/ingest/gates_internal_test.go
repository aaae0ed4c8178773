package ingest

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// A path's lock waits for its holder; another path's does not.
func TestPathLocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newPathLocks()
		l.lock("/a")
		var got atomic.Bool
		go func() {
			l.lock("/a")
			got.Store(true)
			l.unlock("/a")
		}()
		l.lock("/b") // another path is free
		synctest.Wait()
		if got.Load() {
			t.Fatal("a second lock of /a was taken while the first was held")
		}
		l.unlock("/a")
		synctest.Wait()
		if !got.Load() {
			t.Fatal("the waiting lock of /a was not taken after the unlock")
		}
		l.unlock("/b")
	})
}
