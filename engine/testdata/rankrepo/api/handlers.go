package api

import "example.com/rankrepo/throttle"

// serve passes the Limiter on: the Limiter of the route, else a new
// Limiter; every Limiter is shared. Limiter, Limiter, Limiter.
func serve(l *throttle.Limiter) *throttle.Limiter { return l }
