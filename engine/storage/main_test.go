package storage_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The conformance suite starts stores and an in-process gRPC server:
// each must stop every goroutine it started.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
