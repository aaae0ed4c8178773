package engine

import "sync"

// fanout delivers values to subscribers, in subscription order of calls.
// Subscribers run on the sender's goroutine and must not block.
type fanout[T any] struct {
	mu   sync.Mutex
	next int
	fns  map[int]func(T)
}

// add subscribes fn and returns the function that unsubscribes it.
func (f *fanout[T]) add(fn func(T)) (remove func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fns == nil {
		f.fns = map[int]func(T){}
	}
	id := f.next
	f.next++
	f.fns[id] = fn
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.fns, id)
	}
}

// send calls every subscriber with v.
func (f *fanout[T]) send(v T) {
	f.mu.Lock()
	fns := make([]func(T), 0, len(f.fns))
	for _, fn := range f.fns {
		fns = append(fns, fn)
	}
	f.mu.Unlock()
	for _, fn := range fns {
		fn(v)
	}
}
