package qdrant

import (
	"errors"
	"fmt"

	pb "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"workspace-qdrant-mcp/engine/storage"
)

// ErrTransient marks a failure that may pass by itself: Qdrant is
// unreachable (codes.Unavailable), did not answer in time
// (codes.DeadlineExceeded) or is overloaded (codes.ResourceExhausted).
// Retrying the same call later may succeed. Compare with errors.Is, or use
// IsTransient.
var ErrTransient = errors.New("qdrant temporarily unavailable")

// IsTransient reports whether err is a Qdrant failure that may pass by
// itself; every other error is permanent and retrying will not help.
func IsTransient(err error) bool { return errors.Is(err, ErrTransient) }

// transientError is a gRPC error classified as transient: it matches
// ErrTransient and unwraps to the gRPC error.
type transientError struct{ err error }

func (e *transientError) Error() string   { return e.err.Error() }
func (e *transientError) Unwrap() []error { return []error{e.err, ErrTransient} }

// classify marks transient gRPC errors; others are returned as they are.
func classify(err error) error {
	if err == nil || IsTransient(err) {
		return err
	}
	var exhausted *pb.QdrantResourceExhaustedError
	if errors.As(err, &exhausted) {
		return &transientError{err}
	}
	if st, ok := status.FromError(err); ok {
		switch st.Code() {
		case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted:
			return &transientError{err}
		}
	}
	return err
}

// isNotFound reports whether err is Qdrant's answer for a missing
// collection.
func isNotFound(err error) bool {
	st, ok := status.FromError(err)
	return ok && st.Code() == codes.NotFound
}

// collectionErr classifies an error of a request on a collection:
// NotFound becomes storage.ErrNotFound.
func collectionErr(name string, err error) error {
	if isNotFound(err) {
		return fmt.Errorf("collection %s: %w (%w)", name, storage.ErrNotFound, err)
	}
	return classify(err)
}
