package embed

import (
	"context"
	"reflect"
)

// Prober is implemented by an embedder with a cheaper health probe than
// Embed: one short text, sent at once, without retries (the remote
// embedders).
type Prober interface {
	Probe(ctx context.Context, text string) error
}

// IdleCloser is implemented by an embedder that keeps connections open
// between requests (the remote embedders): the engine closes the idle
// ones when it stops.
type IdleCloser interface {
	CloseIdleConnections()
}

// TermsEmbedder is implemented by an embedder whose vectors are built
// from a text's analysis.Terms (the built-in embedder). The indexer
// analyses every chunk for the keyword index anyway, and hands those
// terms over instead of having the text analysed a second time.
// EmbedTerms(ctx, [][]string{analysis.Terms(t)}) returns exactly what
// Embed(ctx, []string{t}) returns.
//
// It is a fast path, not a capability: a wrapper need not forward it,
// since calling Embed instead gives the same vectors.
type TermsEmbedder interface {
	EmbedTerms(ctx context.Context, terms [][]string) ([][]float32, error)
}

var _ TermsEmbedder = (*Builtin)(nil)

// Capabilities are the optional interfaces an Embedder may implement
// besides Embedder; callers find them with a type assertion. An Embedder
// that wraps another (internal/faults) implements each one exactly when
// the embedder it wraps does, so that code behind the wrapper takes the
// same paths.
var Capabilities = []reflect.Type{
	reflect.TypeFor[StatsReporter](),
	reflect.TypeFor[Prober](),
	reflect.TypeFor[IdleCloser](),
}

var (
	_ StatsReporter = (*Remote)(nil)
	_ Prober        = (*Remote)(nil)
	_ IdleCloser    = (*Remote)(nil)
)
