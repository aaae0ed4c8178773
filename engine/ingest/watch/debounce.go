package watch

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// debouncer delays keys until they have been quiet for a fixed delay and
// then hands them, one at a time, to a single delivery goroutine (run).
//
// Every touch moves a key to the back of a queue with due = now + delay.
// Because the delay is the same for every key, the queue stays sorted by
// due time, so one timer for the queue's front suffices: touch is O(1) and
// no goroutine or timer exists per key. A key touched again before it is
// due is deduplicated and its timer restarts.
type debouncer struct {
	delay time.Duration
	wake  chan struct{} // capacity 1: "the queue or the pause state changed"

	mu     sync.Mutex
	queue  list.List // of *pending, sorted by due
	byKey  map[string]*list.Element
	paused bool
}

type pending struct {
	key string
	due time.Time
}

func newDebouncer(delay time.Duration) *debouncer {
	return &debouncer{
		delay: delay,
		wake:  make(chan struct{}, 1),
		byKey: make(map[string]*list.Element),
	}
}

// touch starts or restarts key's timer.
func (d *debouncer) touch(key string) {
	due := time.Now().Add(d.delay)
	d.mu.Lock()
	if e, ok := d.byKey[key]; ok {
		e.Value.(*pending).due = due
		d.queue.MoveToBack(e)
	} else {
		d.byKey[key] = d.queue.PushBack(&pending{key: key, due: due})
	}
	d.mu.Unlock()
	d.signal()
}

// setPaused stops or restarts delivery. Keys keep being queued (and
// deduplicated) while paused; those already due are delivered on resume.
func (d *debouncer) setPaused(paused bool) {
	d.mu.Lock()
	d.paused = paused
	d.mu.Unlock()
	d.signal()
}

func (d *debouncer) isPaused() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.paused
}

// pendingDue reports how many keys are queued and whether all of them are
// due at now (tests use it to know that a paused debouncer is holding back
// deliveries rather than still waiting for timers).
func (d *debouncer) pendingDue(now time.Time) (n int, allDue bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	back := d.queue.Back()
	return d.queue.Len(), back == nil || !back.Value.(*pending).due.After(now)
}

func (d *debouncer) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// pop removes and returns the first due key. When there is none, wait is
// how long until the front key is due, or 0 when nothing is queued or
// delivery is paused.
func (d *debouncer) pop(now time.Time) (key string, ok bool, wait time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	front := d.queue.Front()
	if d.paused || front == nil {
		return "", false, 0
	}
	p := front.Value.(*pending)
	if wait := p.due.Sub(now); wait > 0 {
		return "", false, wait
	}
	d.queue.Remove(front)
	delete(d.byKey, p.key)
	return p.key, true, 0
}

// run calls deliver for each key as its timer fires, on the calling
// goroutine and one key at a time, until ctx ends. It owns the only timer:
// once run has returned, nothing is delivered any more.
func (d *debouncer) run(ctx context.Context, deliver func(key string)) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for ctx.Err() == nil {
		key, ok, wait := d.pop(time.Now())
		if ok {
			deliver(key)
			continue
		}
		var fired <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			fired = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-fired:
		}
	}
}
