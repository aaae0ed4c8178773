// Package inflight counts operations under way and lets a shutdown wait
// for them.
package inflight

import (
	"context"
	"sync"
)

// Counter counts operations in flight. Its zero value is not ready: use
// New.
type Counter struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed while n == 0
}

// New returns a Counter with nothing in flight.
func New() *Counter {
	c := &Counter{zero: make(chan struct{})}
	close(c.zero)
	return c
}

// Enter counts one more operation; the caller must call Leave.
func (c *Counter) Enter() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		c.zero = make(chan struct{})
	}
	c.n++
}

// Leave ends one operation.
func (c *Counter) Leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n == 0 {
		close(c.zero)
	}
}

// N returns how many operations are in flight.
func (c *Counter) N() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Wait blocks until nothing is in flight or ctx ends; it returns how many
// operations were still in flight then.
func (c *Counter) Wait(ctx context.Context) int {
	c.mu.Lock()
	zero := c.zero
	c.mu.Unlock()
	select {
	case <-zero:
	case <-ctx.Done():
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
