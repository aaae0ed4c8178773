package api

import "example.com/rankrepo/throttle"

// limit wraps a handler with a Limiter: one Limiter per client, a shared
// Limiter otherwise. Limiter, Limiter.
func limit(l *throttle.Limiter) *throttle.Limiter { return l }
