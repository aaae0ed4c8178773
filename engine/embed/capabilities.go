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
