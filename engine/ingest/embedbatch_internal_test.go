package ingest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"workspace-qdrant-mcp/engine/embed"
)

// recordingEmbedder returns a one-dimensional vector per text (its
// length) and records each call's texts; err, when set, fails every call.
type recordingEmbedder struct {
	mu    sync.Mutex
	calls [][]string
	err   error
}

func (e *recordingEmbedder) Info() embed.Info { return embed.Info{Provider: "test", Dimensions: 1} }

func (e *recordingEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, slices.Clone(texts))
	if e.err != nil {
		return nil, e.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = []float32{float32(len(t))}
	}
	return out, nil
}

// The batcher sends full batches whichever tasks filled them, holds an
// unfilled batch while another task may still add texts, and sends it
// once every task waits (here: once the other task has left).
func TestEmbedBatcherFillsAcrossTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := &recordingEmbedder{}
		b := newEmbedBatcher(e, 4)
		ctx := t.Context()
		b.enter() // task A
		b.enter() // task B
		a := b.submit([]string{"a", "aa", "aaa"})
		b.sendFull(ctx)
		if len(e.calls) != 0 {
			t.Fatalf("sent %v with 3 texts pending of a batch of 4", e.calls)
		}
		var bVecs [][]float32
		var bErr error
		done := make(chan struct{})
		j := b.submit([]string{"bbbb", "bbbbb", "bbbbbb"})
		go func() { // task B waits for its texts
			defer close(done)
			bVecs, bErr = b.wait(ctx, j)
		}()
		synctest.Wait()
		// B's wait sent the full batch (A's three texts and B's first);
		// B's other two wait, as A may add more.
		if want := [][]string{{"a", "aa", "aaa", "bbbb"}}; !slices.EqualFunc(e.calls, want, slices.Equal) {
			t.Fatalf("calls %v, want %v", e.calls, want)
		}
		vecs, err := b.wait(ctx, a)
		if err != nil || len(vecs) != 3 || vecs[2][0] != 3 {
			t.Fatalf("A's vectors %v, %v", vecs, err)
		}
		b.leave() // A ends: only B is left, and it waits
		<-done
		if bErr != nil || len(bVecs) != 3 || bVecs[0][0] != 4 || bVecs[2][0] != 6 {
			t.Fatalf("B's vectors %v, %v", bVecs, bErr)
		}
		if want := [][]string{{"a", "aa", "aaa", "bbbb"}, {"bbbbb", "bbbbbb"}}; !slices.EqualFunc(e.calls, want, slices.Equal) {
			t.Fatalf("calls %v, want %v", e.calls, want)
		}
		b.leave()
	})
}

// A failed request fails every job with texts in it, and their other
// texts are not sent.
func TestEmbedBatcherFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("provider down")
		e := &recordingEmbedder{err: boom}
		b := newEmbedBatcher(e, 2)
		ctx := t.Context()
		b.enter()
		a := b.submit([]string{"a1", "a2", "a3"})
		b.sendFull(ctx)
		if _, err := b.wait(ctx, a); !errors.Is(err, boom) {
			t.Fatalf("wait = %v, want %v", err, boom)
		}
		if len(e.calls) != 1 || len(b.pending) != 0 {
			t.Fatalf("calls %v, pending %d: the failed job's last text should be dropped", e.calls, len(b.pending))
		}
		b.leave()
	})
}
