package workspace

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/qdrant"
)

// Unreachable reports whether an error means a dependency does not answer
// (down, hung, overloaded, its connection refused, reset or lost), rather
// than a refused request.
func Unreachable(err error) bool {
	var ne net.Error
	return embed.IsTransient(err) || errors.Is(err, qdrant.ErrTransient) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, storage.ErrConnectionLost)
}

// refuseEmbedder is the error of an operation that needs the embedder
// while it is down, or nil when it is not known to be down.
func (l *Local) refuseEmbedder(what string) error {
	if l.EmbedderOutage == nil {
		return nil
	}
	if last, down := l.EmbedderOutage(); down {
		return EmbedderDown(what, errors.New(last))
	}
	return nil
}

// StorageDown explains that what needs the store, which err shows not to
// answer.
func StorageDown(backend, what string, err error) error {
	return fmt.Errorf("%w: %s needs the %s store, which does not answer (%v); indexing work stays pending and is done once it answers again: "+
		"engine_health shows storage passing then", ErrComponentDown, what, backend, err)
}

// EmbedderDown explains that what needs the embedder, which err shows to
// be unreachable.
func EmbedderDown(what string, err error) error {
	return fmt.Errorf("%w: %s needs the embedder, which is unreachable (%v); it is retried automatically: "+
		"engine_health shows the embedder passing once it answers again", ErrComponentDown, what, err)
}

// ms is a duration in milliseconds, as the answers show it.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
