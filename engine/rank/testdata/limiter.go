// Package limiter caps how many requests are served at once; extra
// requests wait in a queue until a slot is free or their wait in the
// queue times out, and requests past the queue are refused.
package limiter

import (
	"context"
	"errors"
	"time"
)

// ErrQueueFull is returned to requests that find the queue full.
var ErrQueueFull = errors.New("limiter: the queue of waiting requests is full")

// ErrQueueTimeout is returned when a request waited in the queue longer
// than the limiter's timeout.
var ErrQueueTimeout = errors.New("limiter: request waited too long in the queue")

// Limiter caps the requests in flight; extra requests wait in a queue.
type Limiter struct {
	slots   chan struct{} // one token per request in flight
	queue   chan struct{} // one token per request in flight or waiting
	timeout time.Duration // how long a request waits in the queue
}

// Acquire takes a slot, or takes a place in the queue and blocks until a
// slot frees up.
func (l *Limiter) Acquire(ctx context.Context) error {
	select {
	case l.queue <- struct{}{}:
	default:
		return ErrQueueFull
	}
	timer := time.NewTimer(l.timeout)
	defer timer.Stop()
	for {
		select {
		case l.slots <- struct{}{}:
			return nil
		case <-timer.C:
			<-l.queue
			return ErrQueueTimeout
		case <-ctx.Done():
			<-l.queue
			return ctx.Err()
		}
	}
}
