// Package throttle caps the calls in flight and lets extra calls wait.
package throttle

import "net/http"

// Throttle caps the calls in flight at limit.
func Throttle(limit int) func(http.Handler) http.Handler {
	return ThrottleWithOpts(Opts{Limit: limit})
}

// ThrottleBacklog also lets extra calls wait in a backlog.
func ThrottleBacklog(limit, backlog int) func(http.Handler) http.Handler {
	return ThrottleWithOpts(Opts{Limit: limit, Backlog: backlog})
}

// Opts holds the limit and the backlog's size.
type Opts struct {
	Limit, Backlog int
}

// ThrottleWithOpts caps the calls in flight: an extra call waits for a
// token while the backlog has room; other extra calls are refused.
func ThrottleWithOpts(o Opts) func(http.Handler) http.Handler {
	tokens := make(chan struct{}, o.Limit)
	backlog := make(chan struct{}, o.Limit+o.Backlog)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case backlog <- struct{}{}:
			default:
				http.Error(w, "busy", http.StatusTooManyRequests)
				return
			}
			defer func() { <-backlog }()
			tokens <- struct{}{}
			defer func() { <-tokens }()
			next.ServeHTTP(w, r)
		})
	}
}
