package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/cenkalti/backoff/v4"
)

// Errors of the remote embedders. Every error Embed returns for a failed
// request matches exactly one of ErrTransient and ErrPermanent with
// errors.Is, except when the caller's context ended first (then it
// matches the context's error).
var (
	// ErrTransient marks a failure that may pass by itself: the provider
	// is unreachable, timed out, overloaded (HTTP 429) or failing (5xx).
	// Health and recovery treat it as the embedder being down.
	ErrTransient = errors.New("embedding provider unavailable")
	// ErrPermanent marks a request the provider refused (4xx other than
	// 408 and 429: bad key, unknown model, bad input) or answered in a
	// way that cannot be used. Retrying does not help; the configuration
	// must change.
	ErrPermanent = errors.New("embedding request refused")
	// ErrDimensionMismatch marks vectors whose size differs from
	// embedding.dimensions. It is also an ErrPermanent.
	ErrDimensionMismatch = errors.New("embedding dimension mismatch")
)

// IsTransient reports whether err is a remote embedder failure that may
// pass by itself.
func IsTransient(err error) bool { return errors.Is(err, ErrTransient) }

// Defaults of Options.
const (
	DefaultBatchSize      = 64
	DefaultTimeout        = 30 * time.Second
	DefaultConcurrency    = 2
	DefaultMaxRetries     = 4
	DefaultInitialBackoff = 500 * time.Millisecond
	DefaultMaxBackoff     = 10 * time.Second
	DefaultMaxRetryAfter  = 60 * time.Second

	// BytesPerToken is the conservative estimate of how many bytes of
	// text make one token: a text of more than MaxInputTokens*BytesPerToken
	// bytes is truncated before it is sent. Tokenizers average about four
	// bytes a token on English prose and about three on source code, so
	// three errs towards sending less.
	BytesPerToken = 3

	maxResponseBytes = 256 << 20
	maxErrorBytes    = 64 << 10
)

// Options configures a remote embedder (NewOpenAI, NewOllama). Zero values
// take the defaults above.
type Options struct {
	URL        string // base URL: see NewOpenAI and NewOllama
	Model      string
	Dimensions int // expected vector size; every response is checked
	// APIKey is sent as "Authorization: Bearer KEY" when set. It never
	// appears in an error: server messages are scrubbed of it.
	APIKey string
	// BatchSize is the most texts sent in one request.
	BatchSize int
	// MaxInputTokens bounds every text: one longer than
	// MaxInputTokens*BytesPerToken bytes is cut at a rune boundary and
	// counted in Stats.Truncated. 0 means the provider's default.
	MaxInputTokens int
	// Timeout bounds each HTTP request, reading the answer included.
	Timeout time.Duration
	// Concurrency bounds the requests in flight at once, over all calls
	// of Embed.
	Concurrency int
	// MaxRetries is how many times a batch is retried after a transient
	// failure; negative means never.
	MaxRetries int
	// InitialBackoff is the wait before the first retry; each further one
	// waits twice as long (±20% jitter), at most MaxBackoff.
	InitialBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps the wait a 429's Retry-After asks for.
	MaxRetryAfter time.Duration
	// HTTPClient sends the requests; nil means a client of its own.
	HTTPClient *http.Client
	// Sleep waits d or until ctx ends; nil means a timer. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Stats counts a remote embedder's work since it was created.
type Stats struct {
	Requests  int64 `json:"requests"`  // HTTP requests sent, retries included
	Failures  int64 `json:"failures"`  // requests that failed, for any reason
	Retries   int64 `json:"retries"`   // requests that were retries
	Truncated int64 `json:"truncated"` // texts cut to max_input_tokens
	Batches   int64 `json:"batches"`   // batches embedded successfully
	// MeanBatchLatencyMS is the mean duration of the successful requests,
	// each one batch.
	MeanBatchLatencyMS float64 `json:"mean_batch_latency_ms"`
	LastError          string  `json:"last_error,omitempty"`
}

// StatsReporter is implemented by embedders that count their work.
type StatsReporter interface {
	Stats() Stats
}

// wire is one provider's request and response format.
type wire interface {
	provider() string
	path() string // appended to the base URL
	defaultMaxInputTokens() int
	// request returns the JSON body embedding texts.
	request(texts []string) any
	// parse decodes a successful answer for n texts.
	parse(body []byte, n int) ([][]float32, error)
	// errorMessage extracts the server's message (and error code, when
	// the format has one) from an error answer.
	errorMessage(body []byte) (msg, code string)
}

// Remote is an Embedder that calls an HTTP embedding API. Create one with
// NewOpenAI or NewOllama; it is safe for concurrent use.
type Remote struct {
	w        wire
	opts     Options
	endpoint string // full URL of the embedding endpoint
	shown    string // endpoint with any user:password redacted, for errors
	client   *http.Client
	sem      chan struct{}
	maxBytes int

	requests, failures, retries, truncated, batches, latencyNS atomic.Int64
	lastErr                                                    atomic.Value // string
}

func newRemote(w wire, o Options) (*Remote, error) {
	if o.URL == "" {
		return nil, fmt.Errorf("%s embedder: no URL", w.provider())
	}
	u, err := url.Parse(strings.TrimRight(o.URL, "/") + w.path())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s embedder: %q is not an http:// or https:// URL", w.provider(), o.URL)
	}
	if o.Model == "" {
		return nil, fmt.Errorf("%s embedder: no model", w.provider())
	}
	if o.Dimensions <= 0 {
		return nil, fmt.Errorf("%s embedder: dimensions must be positive, got %d", w.provider(), o.Dimensions)
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.BatchSize, DefaultBatchSize)
	def(&o.MaxInputTokens, w.defaultMaxInputTokens())
	def(&o.Concurrency, DefaultConcurrency)
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defD(&o.Timeout, DefaultTimeout)
	defD(&o.InitialBackoff, DefaultInitialBackoff)
	defD(&o.MaxBackoff, DefaultMaxBackoff)
	defD(&o.MaxRetryAfter, DefaultMaxRetryAfter)
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	client := o.HTTPClient
	if client == nil {
		// Timeout applies per request through its context.
		client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	return &Remote{
		w: w, opts: o, endpoint: u.String(), shown: u.Redacted(), client: client,
		sem: make(chan struct{}, o.Concurrency), maxBytes: o.MaxInputTokens * BytesPerToken,
	}, nil
}

// Info describes the model: the provider's name, the configured model and
// the configured dimensions, which every answer is checked against.
func (r *Remote) Info() Info {
	return Info{Provider: r.w.provider(), Model: r.opts.Model, Dimensions: r.opts.Dimensions}
}

// Stats returns the counts so far.
func (r *Remote) Stats() Stats {
	s := Stats{
		Requests: r.requests.Load(), Failures: r.failures.Load(), Retries: r.retries.Load(),
		Truncated: r.truncated.Load(), Batches: r.batches.Load(),
	}
	if s.Batches > 0 {
		s.MeanBatchLatencyMS = float64(r.latencyNS.Load()) / float64(s.Batches) / 1e6
	}
	s.LastError, _ = r.lastErr.Load().(string)
	return s
}

// CloseIdleConnections closes the HTTP client's idle keep-alive
// connections.
func (r *Remote) CloseIdleConnections() { r.client.CloseIdleConnections() }

// Embed returns one vector per text, in order. Texts are sent in batches
// of at most BatchSize, with at most Concurrency requests in flight;
// over-long texts are truncated (see Options.MaxInputTokens). The first
// failing batch cancels the others and its error is returned.
func (r *Remote) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return [][]float32{}, nil
	}
	prepared := make([]string, len(texts))
	for i, t := range texts {
		prepared[i] = r.prepare(t)
	}
	out := make([][]float32, len(texts))
	n := (len(texts) + r.opts.BatchSize - 1) / r.opts.BatchSize
	if n == 1 {
		vecs, err := r.embedBatch(ctx, prepared)
		if err != nil {
			return nil, err
		}
		return vecs, nil
	}
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for b := range n {
		lo := b * r.opts.BatchSize
		hi := min(lo+r.opts.BatchSize, len(texts))
		wg.Go(func() {
			vecs, err := r.embedBatch(bctx, prepared[lo:hi])
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("batch %d of %d (texts %d-%d): %w", b+1, n, lo+1, hi, err)
					cancel()
				}
				mu.Unlock()
				return
			}
			copy(out[lo:hi], vecs)
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// prepare makes a text safe to send: cut to maxBytes at a rune boundary,
// and never empty (some servers refuse an empty input).
func (r *Remote) prepare(t string) string {
	if len(t) > r.maxBytes {
		cut := r.maxBytes
		for cut > 0 && !utf8.RuneStart(t[cut]) {
			cut--
		}
		t = t[:cut]
		r.truncated.Add(1)
	}
	if strings.TrimSpace(t) == "" {
		return " "
	}
	return t
}

// embedBatch sends one batch, retrying transient failures.
func (r *Remote) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	body, err := json.Marshal(r.w.request(texts))
	if err != nil {
		return nil, fmt.Errorf("%s embedder: encode request: %w", r.w.provider(), err)
	}
	var last *RequestError // the last real failure
	sched := r.schedule()
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			r.retries.Add(1)
		}
		vecs, wait, rerr := r.send(ctx, body, len(texts))
		if rerr == nil {
			return vecs, nil
		}
		if ctx.Err() != nil { // cut short by the caller: not a failure
			return nil, r.stopped(ctx, last)
		}
		rerr.Attempts = attempt + 1
		last = rerr
		r.failures.Add(1)
		r.lastErr.Store(rerr.Error())
		if !rerr.Transient || noRetry(ctx) {
			return nil, rerr
		}
		// The schedule advances on every retry, also when the server said
		// how long to wait, so that MaxRetries bounds both.
		delay := sched.NextBackOff()
		if delay == backoff.Stop {
			return nil, rerr
		}
		if wait > 0 {
			delay = wait
		}
		if err := r.opts.Sleep(ctx, delay); err != nil {
			return nil, r.stopped(ctx, last)
		}
	}
}

// schedule returns a batch's retry schedule: InitialBackoff doubling up to
// MaxBackoff, ±20% jitter, at most MaxRetries retries.
func (r *Remote) schedule() backoff.BackOff {
	b := backoff.WithMaxRetries(backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(r.opts.InitialBackoff),
		backoff.WithMaxInterval(r.opts.MaxBackoff),
		backoff.WithMultiplier(2),
		backoff.WithRandomizationFactor(0.2),
		backoff.WithMaxElapsedTime(0),
	), uint64(max(r.opts.MaxRetries, 0)))
	b.Reset()
	return b
}

// stopped is the error of a batch whose context ended: the context's
// error, with the last failure when there was one. A deadline counts as a
// transient failure (the provider did not answer in time); a cancellation
// is the caller's choice and matches neither ErrTransient nor ErrPermanent.
func (r *Remote) stopped(ctx context.Context, last *RequestError) error {
	cause := context.Cause(ctx)
	if last == nil {
		// The request itself was cut short by ctx.
		err := fmt.Errorf("%s embedding request to %s: %w", r.w.provider(), r.shown, cause)
		if errors.Is(cause, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%w)", err, ErrTransient)
		}
		return err
	}
	if !errors.Is(cause, context.DeadlineExceeded) {
		last.Transient = false
		last.canceled = true
	}
	return fmt.Errorf("%w; gave up: %w", last, cause)
}

// Probe sends one short text in one request, without retrying and
// without waiting for one of the Concurrency slots that indexing may hold
// (the health check's probe must not queue behind a full index). It
// returns nil when the provider answered with a usable vector.
func (r *Remote) Probe(ctx context.Context, text string) error {
	body, err := json.Marshal(r.w.request([]string{r.prepare(text)}))
	if err != nil {
		return fmt.Errorf("%s embedder: encode request: %w", r.w.provider(), err)
	}
	r.requests.Add(1)
	if _, _, rerr := r.request(ctx, body, 1); rerr != nil {
		if ctx.Err() != nil {
			return r.stopped(ctx, nil)
		}
		r.failures.Add(1)
		r.lastErr.Store(rerr.Error())
		return rerr
	}
	return nil
}

// send makes one request in one of the Concurrency slots. It returns the
// vectors, or the error and how long the server asked to wait before
// trying again (0: not said).
func (r *Remote) send(ctx context.Context, body []byte, n int) ([][]float32, time.Duration, *RequestError) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, &RequestError{Provider: r.w.provider(), URL: r.shown, Transient: true, Message: "waiting to send", Err: ctx.Err()}
	}
	defer func() { <-r.sem }()
	r.requests.Add(1)
	return r.request(ctx, body, n)
}

// request makes one HTTP request for n texts.
func (r *Remote) request(ctx context.Context, body []byte, n int) ([][]float32, time.Duration, *RequestError) {

	rctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, r.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, 0, r.fail(0, false, "build request", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if r.opts.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+r.opts.APIKey)
	}
	begin := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, 0, r.transportError(ctx, rctx, err)
	}
	defer resp.Body.Close()
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	limit := int64(maxErrorBytes)
	if ok {
		limit = maxResponseBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, 0, r.transportError(ctx, rctx, err)
	}
	if !ok {
		return nil, retryAfter(resp.Header.Get("Retry-After"), r.opts.MaxRetryAfter), r.statusError(resp, data)
	}
	vecs, err := r.w.parse(data, n)
	if err != nil {
		return nil, 0, r.fail(resp.StatusCode, false, "unusable answer", err)
	}
	for i, v := range vecs {
		if len(v) != r.opts.Dimensions {
			return nil, 0, &RequestError{
				Provider: r.w.provider(), URL: r.shown, Status: resp.StatusCode, Err: ErrDimensionMismatch,
				Message: fmt.Sprintf("model %q returned %d-dimensional vectors (text %d of the batch) but embedding.dimensions is %d: "+
					"set embedding.dimensions: %d (an index built at %d dimensions is then rebuilt with engine_restart reindex: true, or use a new storage.data_dir)",
					r.opts.Model, len(v), i+1, r.opts.Dimensions, len(v), r.opts.Dimensions),
			}
		}
	}
	r.batches.Add(1)
	r.latencyNS.Add(int64(time.Since(begin)))
	return vecs, 0, nil
}

// transportError classifies a failure to get an answer: always transient
// (an unreachable or slow provider), worded as a timeout when the
// request's own deadline passed.
func (r *Remote) transportError(ctx, rctx context.Context, err error) *RequestError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the URL
	}
	if ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
		return r.fail(0, true, fmt.Sprintf("no answer within %s (embedding.timeout)", r.opts.Timeout), context.DeadlineExceeded)
	}
	e := r.fail(0, true, "", err)
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		e.Hint = "is the embedding server running, and is embedding.url right?"
	}
	return e
}

// statusError classifies an HTTP error answer.
func (r *Remote) statusError(resp *http.Response, body []byte) *RequestError {
	msg, code := r.w.errorMessage(body)
	if msg == "" {
		msg = strings.TrimSpace(string(body))
		if len(msg) > 300 || !utf8.ValidString(msg) || strings.HasPrefix(msg, "<") {
			msg = "" // an HTML page or binary noise says nothing useful
		}
	}
	s := resp.StatusCode
	transient := s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500
	if code == "insufficient_quota" {
		transient = false // OpenAI's 429 for an exhausted quota: waiting does not help
	}
	e := r.fail(s, transient, msg, nil)
	switch s {
	case http.StatusUnauthorized, http.StatusForbidden:
		e.Hint = "check the API key in the variable named by embedding.api_key_env"
	case http.StatusNotFound:
		e.Hint = "check embedding.url and embedding.model"
	}
	return e
}

func (r *Remote) fail(status int, transient bool, msg string, err error) *RequestError {
	if r.opts.APIKey != "" {
		msg = strings.ReplaceAll(msg, r.opts.APIKey, "[redacted]")
	}
	return &RequestError{Provider: r.w.provider(), URL: r.shown, Status: status, Transient: transient, Message: msg, Err: err}
}

// RequestError is a failed embedding request. It matches ErrTransient or
// ErrPermanent with errors.Is, and unwraps to its cause (a network error,
// context.DeadlineExceeded for a timeout, ErrDimensionMismatch).
type RequestError struct {
	Provider  string
	URL       string // the endpoint, credentials redacted
	Status    int    // HTTP status; 0 when there was no answer
	Message   string // the server's message or what went wrong, never the key
	Hint      string // what to check, when known
	Attempts  int
	Transient bool
	Err       error

	canceled bool // the caller gave up; neither transient nor permanent
}

func (e *RequestError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s embedding request to %s failed", e.Provider, e.URL)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (%d attempts)", e.Attempts)
	}
	if e.Status != 0 && (e.Status < 200 || e.Status > 299) {
		fmt.Fprintf(&b, ": HTTP %d %s", e.Status, http.StatusText(e.Status))
	}
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
		if e.Err != nil && e.Err != context.DeadlineExceeded && e.Err != ErrDimensionMismatch {
			b.WriteString(": " + e.Err.Error())
		}
	case e.Err != nil:
		b.WriteString(": " + e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// Is matches ErrTransient or ErrPermanent by classification.
func (e *RequestError) Is(target error) bool {
	switch target {
	case ErrTransient:
		return e.Transient && !e.canceled
	case ErrPermanent:
		return !e.Transient && !e.canceled
	}
	return false
}

func (e *RequestError) Unwrap() error { return e.Err }

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
// It returns 0 when absent or unparsable, and at most limit.
func retryAfter(h string, limit time.Duration) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseFloat(h, 64); err == nil {
		d = time.Duration(secs * float64(time.Second))
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	} else {
		return 0
	}
	if d <= 0 {
		return time.Millisecond // "now": still yield a little
	}
	return min(d, limit)
}

// noRetryKey marks a context whose Embed calls do not retry.
type noRetryKey struct{}

// WithoutRetry returns a context whose Embed calls make each batch's
// request once: a transient failure is returned at once instead of after
// the retry schedule. Startup's test embedding and the health probe use
// it, so that an unreachable provider is seen in one request timeout.
func WithoutRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRetryKey{}, true)
}

func noRetry(ctx context.Context) bool { b, _ := ctx.Value(noRetryKey{}).(bool); return b }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
