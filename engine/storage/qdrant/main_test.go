package qdrant_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine of the double, a
// client or the engine outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
