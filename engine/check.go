package engine

import (
	"context"
	"errors"
	"time"

	"workspace-qdrant-mcp/engine/storage"
)

// Check is one component's health.
type Check struct {
	Name      string  `json:"name"`   // one of the Check names below
	Status    string  `json:"status"` // "pass" or "fail"
	LatencyMS float64 `json:"latency_ms"`
	Message   string  `json:"message,omitempty"`
	// Err is why the check failed, nil when it passed. Message is its
	// text, perhaps with more said; Err is for errors.Is and TimedOut.
	Err error `json:"-"`
	// Reconnect says the component's connection is lost for good
	// (storage.ErrConnectionLost): only an engine restart, which opens
	// it again, mends it.
	Reconnect bool `json:"reconnect,omitempty"`
}

// TimedOut reports whether the check failed because its context's
// deadline passed: the component hung rather than answered.
func (c Check) TimedOut() bool {
	return c.Status == CheckFail && errors.Is(c.Err, context.DeadlineExceeded)
}

// Check statuses.
const (
	CheckPass = "pass"
	CheckFail = "fail"
)

// Check names: the components Checks reports on. Health, recovery and the
// tools match checks by these names.
const (
	// CheckEngine is the lifecycle itself: it passes while running.
	CheckEngine = "engine"
	// CheckStorage is the vector store (an indexer's).
	CheckStorage = "storage"
	// CheckEmbedder is the embedding provider (an indexer's).
	CheckEmbedder = "embedder"
	// CheckPipeline passes while the processing pipeline accepts tasks.
	CheckPipeline = "pipeline"
	// CheckWatcher is the workspace's file watcher.
	CheckWatcher = "watcher"
	// CheckIndexer names a reader's check of the indexer, which stands for
	// its storage: it reaches the store only through the indexer.
	CheckIndexer = "indexer"
)

// timed runs one check, bounded by ctx. A failure that comes once ctx's
// deadline has passed counts as a timeout (see Check.TimedOut) even when
// the component's error does not say so.
func timed(ctx context.Context, name string, fn func() error) Check {
	begin := time.Now()
	err := fn()
	c := Check{Name: name, Status: CheckPass, LatencyMS: ms(time.Since(begin))}
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
			err = deadlineError{err}
		}
		c.Status, c.Message, c.Err = CheckFail, err.Error(), err
		c.Reconnect = errors.Is(err, storage.ErrConnectionLost)
	}
	return c
}

// deadlineError is a check's error that came once its deadline had
// passed: its text is the component's, and it is context.DeadlineExceeded
// for errors.Is.
type deadlineError struct{ error }

func (e deadlineError) Unwrap() []error { return []error{e.error, context.DeadlineExceeded} }
