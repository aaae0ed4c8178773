//go:build tools

// This file pins modules chosen for work that is planned but not yet
// written (the Qdrant backend), so that go.mod records the versions known
// to work here. It is never compiled.
package main

import (
	_ "github.com/qdrant/go-client/qdrant"
)
