package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"workspace-qdrant-mcp/engine/embed"
)

// scriptedEmbedder fails while err is set and counts its calls and probes.
type scriptedEmbedder struct {
	mu            sync.Mutex
	err           error
	calls, probes int
}

func (s *scriptedEmbedder) Info() embed.Info { return embed.Info{Provider: "test", Dimensions: 2} }

func (s *scriptedEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return nil, s.err
	}
	return make([][]float32, len(texts)), nil
}

func (s *scriptedEmbedder) Probe(context.Context, string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.probes++
	return s.err
}

func (s *scriptedEmbedder) set(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// The embedder check uses the outcome of the requests made since the last
// check and probes only when there were none; the tracker knows when the
// provider is down and calls up when it answers again.
func TestTrackedEmbedderPassiveCheck(t *testing.T) {
	inner := &scriptedEmbedder{}
	var fails, ups int
	tr := &trackedEmbedder{inner: inner, onFail: func(context.Context, error) { fails++ }, up: func() { ups++ }}
	ctx := context.Background()
	if err := tr.check(ctx); err != nil || inner.probes != 1 {
		t.Fatalf("check with no traffic = %v after %d probes, want a passing probe", err, inner.probes)
	}
	if _, err := tr.Embed(ctx, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if err := tr.check(ctx); err != nil || inner.probes != 1 {
		t.Errorf("check after a good request = %v after %d probes, want a pass without a probe", err, inner.probes)
	}
	down := fmt.Errorf("dial: %w", embed.ErrTransient)
	inner.set(down)
	if _, err := tr.Embed(ctx, []string{"a"}); !errors.Is(err, embed.ErrTransient) {
		t.Fatal(err)
	}
	if last, isDown := tr.Down(); !isDown || !strings.Contains(last, "dial") || fails != 1 {
		t.Errorf("Down() = %q, %v after a failed request, %d failures reported", last, isDown, fails)
	}
	if err := tr.check(ctx); err == nil || inner.probes != 1 {
		t.Errorf("check after a failed request = %v after %d probes, want a failure without a probe", err, inner.probes)
	}
	if err := tr.check(ctx); err == nil || inner.probes != 2 {
		t.Errorf("check with no traffic while down = %v after %d probes, want a failed probe", err, inner.probes)
	}
	inner.set(nil)
	if err := tr.check(ctx); err != nil || ups != 1 {
		t.Errorf("check once back = %v, %d ups, want a pass and one up", err, ups)
	}
	if _, isDown := tr.Down(); isDown {
		t.Error("still down after a passing probe")
	}
	// A refused request (not an outage) does not make it down.
	inner.set(fmt.Errorf("bad key: %w", embed.ErrPermanent))
	_, _ = tr.Embed(ctx, []string{"a"})
	if _, isDown := tr.Down(); isDown {
		t.Error("down after a refused request")
	}
}

// termsScripted is a scriptedEmbedder that also takes terms.
type termsScripted struct{ *scriptedEmbedder }

func (s termsScripted) EmbedTerms(ctx context.Context, terms [][]string) ([][]float32, error) {
	return s.Embed(ctx, make([]string, len(terms)))
}

// The run's embedder takes terms exactly when its provider does, and a
// failure through EmbedTerms is recorded as one through Embed is.
func TestTrackedEmbedderKeepsTerms(t *testing.T) {
	if _, ok := (&trackedEmbedder{inner: &scriptedEmbedder{}}).withTerms().(embed.TermsEmbedder); ok {
		t.Error("an embedder without EmbedTerms gained it")
	}
	inner := termsScripted{&scriptedEmbedder{}}
	var fails int
	tr := &trackedEmbedder{inner: inner, onFail: func(context.Context, error) { fails++ }}
	te, ok := tr.withTerms().(embed.TermsEmbedder)
	if !ok {
		t.Fatal("an embedder with EmbedTerms lost it")
	}
	inner.set(fmt.Errorf("dial: %w", embed.ErrTransient))
	if _, err := te.EmbedTerms(t.Context(), [][]string{{"a"}}); !errors.Is(err, embed.ErrTransient) {
		t.Fatal(err)
	}
	if _, down := tr.Down(); !down || fails != 1 || inner.calls != 1 {
		t.Errorf("after a failed EmbedTerms: down %v, %d failures reported, %d calls", down, fails, inner.calls)
	}
}
