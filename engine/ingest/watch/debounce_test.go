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

// wantAfter lets d of the bubble's time pass, waits until the bubble is
// idle, and checks that the keys delivered so far, when, are want.
func (k *keyLog) wantAfter(t *testing.T, d time.Duration, when string, want ...string) {
	t.Helper()
	time.Sleep(d)
	synctest.Wait()
	if got := k.snapshot(); !slices.Equal(got, want) {
		t.Fatalf("%s delivered %v; want %v", when, got, want)
	}
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
		log.wantAfter(t, 100*time.Millisecond, "after the burst", "/f")
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
		log.wantAfter(t, 10*time.Millisecond, "after 25ms", "/b")
		log.wantAfter(t, 10*time.Millisecond, "after 35ms", "/b", "/a")
	})
}

func TestDebouncerPauseResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, log, _ := startDebouncer(t, 20*time.Millisecond)
		d.setPaused(true)
		d.touch("/a")
		d.touch("/b")
		d.touch("/a")
		log.wantAfter(t, time.Second, "while paused")
		if n, due := d.pendingDue(time.Now()); n != 2 || !due {
			t.Fatalf("pendingDue = %d, %v; want 2 due keys", n, due)
		}
		d.setPaused(false)
		log.wantAfter(t, 0, "after resume", "/b", "/a")
	})
}

func TestDebouncerStopsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, log, stop := startDebouncer(t, 20*time.Millisecond)
		d.touch("/a")
		stop()
		log.wantAfter(t, time.Second, "after cancel")
	})
}
