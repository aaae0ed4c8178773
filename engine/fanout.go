package engine

import (
	"slices"
	"sync"
)

// fanout delivers values to subscribers, in the order they subscribed.
// Subscribers run on the sender's goroutine and must not block.
type fanout[T any] struct {
	mu   sync.Mutex
	next int
	subs []subscriber[T] // in subscription order
}

type subscriber[T any] struct {
	id int
	fn func(T)
}

// add subscribes fn and returns the function that unsubscribes it.
func (f *fanout[T]) add(fn func(T)) (remove func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.next
	f.next++
	f.subs = append(f.subs, subscriber[T]{id: id, fn: fn})
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.subs = slices.DeleteFunc(f.subs, func(s subscriber[T]) bool { return s.id == id })
	}
}

// send calls every subscriber with v, in subscription order.
func (f *fanout[T]) send(v T) {
	f.mu.Lock()
	subs := slices.Clone(f.subs)
	f.mu.Unlock()
	for _, s := range subs {
		s.fn(v)
	}
}
