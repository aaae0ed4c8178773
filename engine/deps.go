package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/workspace"
)

// ErrComponentDown refuses an operation that needs a dependency that does
// not answer now (the embedder, the store) while the engine keeps serving
// everything else. The message names the component and what to do.
var ErrComponentDown = workspace.ErrComponentDown

// ErrUnreachable marks a start that failed because a dependency did not
// answer (an embedding provider or a Qdrant that is down), as opposed to
// one the configuration must fix: recovery retries such a start with its
// backoff.
var ErrUnreachable = errors.New("dependency unreachable")

// unreachable reports whether an error means a dependency does not answer
// (see workspace.Unreachable).
var unreachable = workspace.Unreachable

// Components whose outages the engine rides out.
const (
	ComponentEmbedder = CheckEmbedder
	ComponentStorage  = CheckStorage
)

// Failure is a dependency failing a real request: a tool call or an
// indexing task. SubscribeFailures delivers them, so that the health
// monitor can check at once instead of at its next interval.
type Failure struct {
	Component string
	Err       error
}

// SubscribeFailures calls fn whenever a request to a dependency fails
// because it did not answer, on the goroutine that saw it. fn must not
// block. The returned function unsubscribes.
func (m *Manager) SubscribeFailures(fn func(Failure)) (unsubscribe func()) {
	return m.failures.add(fn)
}

// reportFailure tells the failure subscribers, unless err is the caller's
// own cancellation.
func (m *Manager) reportFailure(ctx context.Context, component string, err error) {
	if err == nil || errors.Is(context.Cause(ctx), context.Canceled) || errors.Is(err, context.Canceled) {
		return
	}
	m.failures.send(Failure{Component: component, Err: err})
}

// trackedEmbedder is the run's embedder as everything in the engine uses
// it: it keeps the outcome of real requests, so that the health check is
// passive while there is traffic (see check), knows when the provider is
// down (so that searches skip the semantic leg at once instead of waiting
// through the retry schedule), reports failures and calls up when the
// provider answers again after an outage.
type trackedEmbedder struct {
	inner  embed.Embedder
	onFail func(ctx context.Context, err error) // a request failed: the provider does not answer
	up     func()                               // the provider answers again after being down

	mu        sync.Mutex
	lastOK    time.Time
	lastFail  time.Time
	lastErr   string
	down      bool
	checkedAt time.Time
}

func (t *trackedEmbedder) Info() embed.Info { return t.inner.Info() }

// Embed embeds through the provider and records the outcome. While the
// provider is known to be down, each batch is sent once, without the
// retry schedule, so that work fails fast and stays pending.
func (t *trackedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return t.track(ctx, func(ctx context.Context) ([][]float32, error) { return t.inner.Embed(ctx, texts) })
}

// track runs one request to the provider, without retries while it is
// known to be down, and records its outcome.
func (t *trackedEmbedder) track(ctx context.Context, request func(context.Context) ([][]float32, error)) ([][]float32, error) {
	if _, down := t.Down(); down {
		ctx = embed.WithoutRetry(ctx)
	}
	vecs, err := request(ctx)
	t.record(ctx, err)
	return vecs, err
}

// trackedTermsEmbedder is a trackedEmbedder whose embedder takes terms
// (embed.TermsEmbedder), which it keeps for the indexer.
type trackedTermsEmbedder struct{ *trackedEmbedder }

// EmbedTerms embeds through the provider and records the outcome, as
// Embed does.
func (t trackedTermsEmbedder) EmbedTerms(ctx context.Context, terms [][]string) ([][]float32, error) {
	return t.track(ctx, func(ctx context.Context) ([][]float32, error) {
		return t.inner.(embed.TermsEmbedder).EmbedTerms(ctx, terms)
	})
}

// withTerms returns t as the embedder the run uses: with EmbedTerms when
// its provider has it.
func (t *trackedEmbedder) withTerms() embed.Embedder {
	if _, ok := t.inner.(embed.TermsEmbedder); ok {
		return trackedTermsEmbedder{t}
	}
	return t
}

// record keeps a request's outcome. A caller's cancellation says nothing
// about the provider and a refused request (ErrPermanent) does not make it
// down.
func (t *trackedEmbedder) record(ctx context.Context, err error) {
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(context.Cause(ctx), context.Canceled) || !unreachable(err)) {
		return
	}
	if err != nil && t.onFail != nil {
		defer t.onFail(ctx, err)
	}
	t.mu.Lock()
	now := time.Now()
	cameBack := false
	if err == nil {
		t.lastOK, cameBack, t.down = now, t.down, false
	} else {
		t.lastFail, t.lastErr, t.down = now, err.Error(), true
	}
	t.mu.Unlock()
	if cameBack && t.up != nil {
		t.up()
	}
}

// Down returns the last failure while the provider is known to be down.
func (t *trackedEmbedder) Down() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lastErr, t.down
}

// check is the embedder's health check. Real requests answered since the
// previous check decide it without a call (the latest outcome wins); with
// no such traffic it probes with one short text, sent at once without
// waiting for the concurrency slots indexing holds and without retrying.
func (t *trackedEmbedder) check(ctx context.Context) error {
	t.mu.Lock()
	since := t.checkedAt
	t.checkedAt = time.Now()
	ok, fail, msg := t.lastOK.After(since), t.lastFail.After(since), t.lastErr
	failLater := t.lastFail.After(t.lastOK)
	t.mu.Unlock()
	switch {
	case fail && failLater:
		return fmt.Errorf("requests since the last check failed: %s", msg)
	case ok:
		return nil
	}
	err := t.probe(ctx)
	t.record(ctx, err)
	t.mu.Lock()
	t.checkedAt = time.Now() // the probe's outcome is not traffic for the next check
	t.mu.Unlock()
	return err
}

// probe sends one text: through the provider's Probe when it has one,
// else one Embed call without retries.
func (t *trackedEmbedder) probe(ctx context.Context) error {
	if p, ok := t.inner.(embed.Prober); ok {
		return p.Probe(ctx, probeText)
	}
	_, err := t.inner.Embed(embed.WithoutRetry(ctx), []string{probeText})
	return err
}

// Resume hands again to the pipeline the indexing work that failed while
// a dependency was down (it is pending in the ledger), without a restart.
// It is what the recovery does once the dependency answers again.
func (m *Manager) Resume(_ context.Context, reason string) error {
	r := m.currentRun()
	if r == nil || m.State() != StateRunning {
		return fmt.Errorf("%w: resume pending work: the engine is %s", ErrNotRunning, m.State())
	}
	m.resume(r, reason)
	return nil
}

func (m *Manager) resume(r *run, reason string) {
	if ix, ok := r.indexer.(interface{ Retry() }); ok {
		m.log.Info().Str("reason", reason).Msg("resuming indexing work left pending by the outage")
		ix.Retry()
	}
}

// embedderOutage reports why the run's embedder is known to be down, and
// whether it is.
func (r *run) embedderOutage() (string, bool) {
	if r.embed == nil {
		return "", false
	}
	return r.embed.Down()
}
