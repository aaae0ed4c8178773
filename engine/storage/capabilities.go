package storage

import "reflect"

// CreationReporter is implemented by a Store that can tell whether it
// created a collection in its life rather than found it (the Qdrant
// store), so that the engine can tell an index that must be rebuilt from
// one it can trust.
type CreationReporter interface {
	Created(name string) bool
}

// Capabilities are the optional interfaces a Store may implement besides
// Store; callers find them with a type assertion. A Store that wraps
// another (internal/faults) implements each one exactly when the store it
// wraps does, so that code behind the wrapper takes the same paths.
var Capabilities = []reflect.Type{
	reflect.TypeFor[BatchReplacer](),
	reflect.TypeFor[CreationReporter](),
	reflect.TypeFor[HeadLister](),
}
