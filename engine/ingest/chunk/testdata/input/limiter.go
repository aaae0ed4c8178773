// Package limiter implements a token-bucket rate limiter keyed by client,
// with an HTTP middleware that rejects clients over their limit.
//
// It is test input for the chunker: ordinary Go with doc comments, blank
// lines between declarations, and functions of varied length.
package limiter

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// ErrLimited is returned by Wait when the context ends before a token is
// available.
var ErrLimited = errors.New("limiter: rate limited")

// DefaultBurst is the bucket size used when Config.Burst is zero.
const DefaultBurst = 10

// Config configures a Limiter.
type Config struct {
	// Rate is the number of tokens added to each bucket per second.
	Rate float64
	// Burst is the size of each bucket; zero means DefaultBurst.
	Burst int
	// IdleTimeout is how long an unused bucket is kept before it is
	// forgotten; zero means ten minutes.
	IdleTimeout time.Duration
	// Now returns the current time; nil means time.Now. Tests replace it.
	Now func() time.Time
}

// bucket is the state of one client's token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

// Limiter hands out tokens to clients, each from its own bucket.
//
// A Limiter is safe for concurrent use by multiple goroutines.
type Limiter struct {
	cfg Config

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

// New returns a Limiter configured by cfg. It panics if cfg.Rate is not
// positive, since such a limiter would never hand out a token.
func New(cfg Config) *Limiter {
	if cfg.Rate <= 0 {
		panic(fmt.Sprintf("limiter: rate %v is not positive", cfg.Rate))
	}
	if cfg.Burst == 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{cfg: cfg, buckets: make(map[string]*bucket)}
}

// Allow reports whether the client may act now, taking a token from its
// bucket if so.
func (l *Limiter) Allow(client string) bool {
	ok, _ := l.reserve(client)
	return ok
}

// Reserve takes a token from the client's bucket if one is available and
// otherwise reports how long the client must wait for one.
func (l *Limiter) Reserve(client string) (ok bool, wait time.Duration) {
	return l.reserve(client)
}

func (l *Limiter) reserve(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()

	now := l.cfg.Now()
	l.sweep(now)

	b, found := l.buckets[client]
	if !found {
		b = &bucket{tokens: float64(l.cfg.Burst), last: now}
		l.buckets[client] = b
	}

	// Refill the bucket for the time that passed since it was last used,
	// up to its size.
	elapsed := now.Sub(b.last).Seconds()
	b.tokens = min(float64(l.cfg.Burst), b.tokens+elapsed*l.cfg.Rate)
	b.last = now

	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	missing := 1 - b.tokens
	return false, time.Duration(missing / l.cfg.Rate * float64(time.Second))
}

// sweep forgets the buckets that have been idle for longer than the idle
// timeout. It runs at most once per timeout, so its cost is spread over
// many calls. The caller holds l.mu.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.cfg.IdleTimeout {
		return
	}
	for client, b := range l.buckets {
		if now.Sub(b.last) >= l.cfg.IdleTimeout {
			delete(l.buckets, client)
		}
	}
	l.swept = now
}

// Len returns the number of clients the limiter currently tracks.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// KeyFunc extracts the client key of a request.
type KeyFunc func(r *http.Request) string

// RemoteIP is a KeyFunc that keys requests by the IP address of the
// remote end of the connection, ignoring its port.
func RemoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Middleware wraps next so that requests from clients over their limit
// are answered with 429 Too Many Requests and a Retry-After header
// instead of reaching next.
func (l *Limiter) Middleware(key KeyFunc, next http.Handler) http.Handler {
	if key == nil {
		key = RemoteIP
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait := l.Reserve(key(r))
		if !ok {
			seconds := int(wait.Seconds() + 0.999)
			w.Header().Set("Retry-After", strconv.Itoa(seconds))
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Stats summarises a limiter's state for monitoring.
type Stats struct {
	Clients int     // clients tracked
	Full    int     // clients whose bucket is full
	Empty   int     // clients with less than one token
	Average float64 // mean tokens per bucket
}

// Stats returns a snapshot of the limiter's buckets, refilled to the
// current time without changing them.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()

	now := l.cfg.Now()
	var s Stats
	var total float64
	for _, b := range l.buckets {
		tokens := min(float64(l.cfg.Burst), b.tokens+now.Sub(b.last).Seconds()*l.cfg.Rate)
		switch {
		case tokens >= float64(l.cfg.Burst):
			s.Full++
		case tokens < 1:
			s.Empty++
		}
		total += tokens
		s.Clients++
	}
	if s.Clients > 0 {
		s.Average = total / float64(s.Clients)
	}
	return s
}

// String formats the stats on one line, for logs.
func (s Stats) String() string {
	return fmt.Sprintf("clients=%d full=%d empty=%d avg=%.2f", s.Clients, s.Full, s.Empty, s.Average)
}

// Reset forgets every bucket, so that every client starts again with a
// full one.
func (l *Limiter) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.buckets)
	l.swept = time.Time{}
}
