package ingest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"workspace-qdrant-mcp/engine/embed"
)

// Batching embeddings across files, for remote providers.
//
// A remote embedder costs a round trip per request, and providers count
// requests against rate limits, so a full index should send requests of
// batch_size inputs, not one per file of a few chunks. File tasks
// therefore submit the texts they need embedded to the indexer's
// embedBatcher instead of calling the embedder, and a request is sent as
// soon as batch_size texts are pending, by the task whose texts filled
// it, whichever files they come from. A task whose texts still wait for
// a batch to fill takes more pending files (processBatch) rather than
// wait, so the texts of many files fill each request. A batch is sent
// unfilled only when every running file task is waiting on the batcher:
// nothing else is coming, as when one changed file is indexed, which is
// therefore sent at once. A full index then sends at most
// ⌈texts / batch_size⌉ requests plus one unfilled batch each time every
// task waits, which happens once the pending files are all taken, or
// when a task's prepared content reaches maxBatchBytes.
//
// No goroutine is started: requests are sent by the tasks themselves.

// embedBatcher collects the texts of file tasks into requests of up to
// size texts.
type embedBatcher struct {
	emb  embed.Embedder
	size int

	// dispatched counts the file tasks handed to the pipeline and not
	// ended; admit keeps it to the number of workers, so that pending
	// files wait in the indexer's dirty set, where a task can take them
	// (processBatch), rather than in tasks queued behind busy workers.
	dispatched atomic.Int64

	mu      sync.Mutex
	pending []pendingText
	tasks   int           // file tasks between enter and leave
	waiting int           // of them, in wait
	changed chan struct{} // closed and replaced when pending, tasks or waiting change
}

// pendingText is text i of a job, not yet sent.
type pendingText struct {
	job *embedJob
	i   int
}

// embedJob is the texts of one file, embedded in whichever requests
// carry them.
type embedJob struct {
	texts  []string
	vecs   [][]float32
	unsent int // texts still pending
	left   int // texts without a vector yet
	err    error
	done   chan struct{} // closed when left reaches 0 or err is set
}

func newEmbedBatcher(emb embed.Embedder, size int) *embedBatcher {
	return &embedBatcher{emb: emb, size: max(size, 1), changed: make(chan struct{})}
}

// admit counts a file task about to be dispatched and reports whether it
// may be, which it may while fewer than workers are; a nil batcher admits
// every task.
func (b *embedBatcher) admit(workers int) bool {
	if b == nil {
		return true
	}
	if b.dispatched.Add(1) > int64(max(workers, 1)) {
		b.dispatched.Add(-1)
		return false
	}
	return true
}

// release uncounts a task admit counted, and nudges wake (the
// dispatcher's), when not nil, to dispatch another.
func (b *embedBatcher) release(wake chan struct{}) {
	if b == nil {
		return
	}
	b.dispatched.Add(-1)
	if wake != nil {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}

// notify wakes the waiters. b.mu must be held.
func (b *embedBatcher) notify() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// enter counts a file task that may submit texts; leave, when it ends.
func (b *embedBatcher) enter() {
	b.mu.Lock()
	b.tasks++
	b.mu.Unlock()
}

func (b *embedBatcher) leave() {
	b.mu.Lock()
	b.tasks--
	b.notify()
	b.mu.Unlock()
}

// submit queues texts for embedding and returns their job; nothing is
// sent until send or wait.
func (b *embedBatcher) submit(texts []string) *embedJob {
	j := &embedJob{texts: texts, vecs: make([][]float32, len(texts)), unsent: len(texts), left: len(texts), done: make(chan struct{})}
	if len(texts) == 0 {
		close(j.done)
		return j
	}
	b.mu.Lock()
	for i := range texts {
		b.pending = append(b.pending, pendingText{j, i})
	}
	b.notify()
	b.mu.Unlock()
	return j
}

// unsent reports whether some of the jobs' texts are still pending.
func (b *embedBatcher) unsent(jobs []*embedJob) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, j := range jobs {
		if j != nil && j.unsent > 0 {
			return true
		}
	}
	return false
}

// sendFull sends the pending texts that fill requests of size texts, in
// one call of the embedder, which sends those requests concurrently (up
// to embedding.concurrency).
func (b *embedBatcher) sendFull(ctx context.Context) {
	b.mu.Lock()
	if len(b.pending) < b.size {
		b.mu.Unlock()
		return
	}
	batch := b.take(len(b.pending) / b.size * b.size)
	b.mu.Unlock()
	b.send(ctx, batch)
}

// take removes the first n pending texts. b.mu must be held.
func (b *embedBatcher) take(n int) []pendingText {
	batch := make([]pendingText, n)
	copy(batch, b.pending[:n])
	b.pending = append(b.pending[:0], b.pending[n:]...)
	for _, p := range batch {
		p.job.unsent--
	}
	b.notify()
	return batch
}

// send embeds texts (in requests of at most size, as the embedder cuts
// them) and hands each job its vectors, or the error of the call.
func (b *embedBatcher) send(ctx context.Context, batch []pendingText) {
	texts := make([]string, len(batch))
	for i, p := range batch {
		texts[i] = p.job.texts[p.i]
	}
	vecs, err := b.emb.Embed(ctx, texts)
	if err == nil && len(vecs) != len(texts) {
		err = fmt.Errorf("embedder returned %d vectors for %d texts", len(vecs), len(texts))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, p := range batch {
		j := p.job
		if j.err != nil || j.left == 0 {
			continue
		}
		if err != nil {
			j.err = err
			close(j.done)
			continue
		}
		j.vecs[p.i] = vecs[i]
		if j.left--; j.left == 0 {
			close(j.done)
		}
	}
	if err != nil { // the failed jobs' other texts need no embedding now
		b.pending = slices.DeleteFunc(b.pending, func(p pendingText) bool { return p.job.err != nil })
		b.notify()
	}
}

// wait returns the job's vectors once every request carrying its texts
// has answered. While it waits, the batch left unfilled is sent as soon
// as every file task is waiting too: no more texts are coming.
func (b *embedBatcher) wait(ctx context.Context, j *embedJob) ([][]float32, error) {
	b.mu.Lock()
	b.waiting++
	b.notify()
	defer func() {
		b.mu.Lock()
		b.waiting--
		b.notify()
		b.mu.Unlock()
	}()
	for {
		select {
		case <-j.done:
			b.mu.Unlock()
			return j.vecs, j.err
		default:
		}
		n := len(b.pending)
		if b.waiting < b.tasks {
			n = n / b.size * b.size // only full requests: another task may add texts
		}
		if n > 0 {
			batch := b.take(n)
			b.mu.Unlock()
			b.send(ctx, batch)
			b.mu.Lock()
			continue
		}
		changed := b.changed
		b.mu.Unlock()
		select {
		case <-j.done:
		case <-changed:
		case <-ctx.Done():
			b.mu.Lock()
			b.pending = slices.DeleteFunc(b.pending, func(p pendingText) bool { return p.job == j })
			b.mu.Unlock()
			return nil, ctx.Err()
		}
		b.mu.Lock()
	}
}
