package enginetest

import (
	"context"
	"slices"
	"strings"
)

// Hold is what a test's embedder calls to hold back the embedding of
// chosen texts: when one of texts contains word, it waits until release
// is closed, or ctx ends (then its error). It reports whether it held.
func Hold(ctx context.Context, texts []string, word string, release <-chan struct{}) (held bool, err error) {
	if !slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(t, word) }) {
		return false, nil
	}
	select {
	case <-release:
		return true, nil
	case <-ctx.Done():
		return true, ctx.Err()
	}
}
