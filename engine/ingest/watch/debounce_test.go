package watch

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// keyLog records delivered keys with their fake-clock times.
type keyLog struct {
	mu    sync.Mutex
	keys  []string
	times []time.Time
}

func (k *keyLog) deliver(key string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys = append(k.keys, key)
	k.times = append(k.times, time.Now())
}

func (k *keyLog) snapshot() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.keys)
}

// startDebouncer runs a debouncer inside the synctest bubble until the test
// function returns, or until stop, which cancels the run and waits for it.
func startDebouncer(t *testing.T, delay time.Duration) (d *debouncer, log *keyLog, stop func()) {
	t.Helper()
	d = newDebouncer(delay)
	log = &keyLog{}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.run(ctx, log.deliver)
	}()
	stop = sync.OnceFunc(func() {
		cancel()
		<-done
	})
	t.Cleanup(stop)
	return d, log, stop
}

func TestDebouncerCoalescesBurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, log, _ := startDebouncer(t, 20*time.Millisecond)
		start := time.Now()
		for range 50 {
			d.touch("/f")
			time.Sleep(time.Millisecond)
		}
		lastTouch := start.Add(49 * time.Millisecond)
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if got := log.snapshot(); !slices.Equal(got, []string{"/f"}) {
			t.Fatalf("delivered %v; want exactly [/f]", got)
		}
		log.mu.Lock()
		at := log.times[0].Sub(lastTouch)
		log.mu.Unlock()
		if at != 20*time.Millisecond {
			t.Errorf("delivered %v after the last touch; want the 20ms delay", at)
		}
	})
}

func TestDebouncerIndependentKeysInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, log, _ := startDebouncer(t, 20*time.Millisecond)
		d.touch("/a")
		time.Sleep(5 * time.Millisecond)
		d.touch("/b")
		time.Sleep(10 * time.Millisecond)
		d.touch("/a") // restarts /a: now due after /b
		time.Sleep(10 * time.Millisecond)
		synctest.Wait()
		if got := log.snapshot(); !slices.Equal(got, []string{"/b"}) {
			t.Fatalf("after 25ms delivered %v; want [/b]", got)
		}
		time.Sleep(10 * time.Millisecond)
		synctest.Wait()
		if got := log.snapshot(); !slices.Equal(got, []string{"/b", "/a"}) {
			t.Fatalf("delivered %v; want [/b /a]", got)
		}
	})
}

func TestDebouncerPauseResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, log, _ := startDebouncer(t, 20*time.Millisecond)
		d.setPaused(true)
		d.touch("/a")
		d.touch("/b")
		d.touch("/a")
		time.Sleep(time.Second)
		synctest.Wait()
		if got := log.snapshot(); len(got) != 0 {
			t.Fatalf("delivered %v while paused", got)
		}
		if n, due := d.pendingDue(time.Now()); n != 2 || !due {
			t.Fatalf("pendingDue = %d, %v; want 2 due keys", n, due)
		}
		d.setPaused(false)
		synctest.Wait()
		if got := log.snapshot(); !slices.Equal(got, []string{"/b", "/a"}) {
			t.Fatalf("after resume delivered %v; want [/b /a]", got)
		}
	})
}

func TestDebouncerStopsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, log, stop := startDebouncer(t, 20*time.Millisecond)
		d.touch("/a")
		stop()
		time.Sleep(time.Second)
		synctest.Wait()
		if got := log.snapshot(); len(got) != 0 {
			t.Fatalf("delivered %v after cancel", got)
		}
	})
}
