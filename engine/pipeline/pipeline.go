// Package pipeline runs the engine's work: a bounded queue served by a
// fixed pool of workers, with counts of queued and active tasks for
// status, recovery of panicking tasks, and the quiesce-then-drain steps a
// graceful shutdown needs.
//
//	p := pipeline.New(workers, capacity, logger)
//	p.Start()
//	err := p.Submit(ctx, pipeline.Task{Name: "index a.go", Run: fn})
//	p.StopAccepting()          // later Submits get ErrNotAccepting
//	_ = p.WaitIdle(drainCtx)   // wait for queued and active tasks
//	_, _ = p.Shutdown(stopCtx) // cancel what is left, wait for workers
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/rs/zerolog"
)

// ErrNotAccepting is returned by Submit once the pipeline has begun to
// quiesce. A task refused with it is guaranteed never to run.
var ErrNotAccepting = errors.New("pipeline is not accepting tasks")

// Task is one unit of pipeline work.
type Task struct {
	Name string                          // for logs
	Run  func(ctx context.Context) error // ctx ends when the pipeline shuts down
}

// Stats counts the pipeline's work.
type Stats struct {
	Workers   int    `json:"workers"`
	Capacity  int    `json:"capacity"`
	Queued    int    `json:"queued"`
	Active    int    `json:"active"`
	Completed uint64 `json:"completed"`
	Failed    uint64 `json:"failed"`
	Panicked  uint64 `json:"panicked"`
	Accepting bool   `json:"accepting"`
}

// Pipeline is a bounded queue served by a fixed pool of workers.
//
// Submit may be called from any goroutine. StopAccepting, WaitIdle and
// Shutdown are called by the engine's lifecycle, in that order. The
// accepting flag and the task counts change under one lock, so a task
// accepted before StopAccepting is counted, and one refused after it never
// runs.
type Pipeline struct {
	log      zerolog.Logger
	workers  int
	capacity int

	slots chan struct{} // one token per queued task: bounds the queue

	mu        sync.Mutex
	cond      *sync.Cond // signalled when a task is queued or on shutdown
	queue     []Task
	active    int
	accepting bool
	closed    bool
	idle      chan struct{} // closed while queued+active == 0
	quiesce   chan struct{} // closed by StopAccepting: wakes blocked Submits
	completed uint64
	failed    uint64
	panicked  uint64

	ctx    context.Context // given to tasks; cancelled by Shutdown
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a pipeline with the given worker count and queue
// capacity. Call Start before submitting.
func New(workers, capacity int, log zerolog.Logger) *Pipeline {
	p := &Pipeline{
		log:      log,
		workers:  max(workers, 1),
		capacity: max(capacity, 1),
		idle:     make(chan struct{}),
		quiesce:  make(chan struct{}),
	}
	close(p.idle)
	p.cond = sync.NewCond(&p.mu)
	p.slots = make(chan struct{}, p.capacity)
	return p
}

// Start launches the workers and opens the pipeline to tasks.
func (p *Pipeline) Start() {
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.mu.Lock()
	p.accepting = true
	p.mu.Unlock()
	for range p.workers {
		p.wg.Add(1)
		go p.work()
	}
}

// Submit queues a task, waiting while the queue is full. It returns
// ErrNotAccepting once the pipeline quiesces, or ctx's error.
func (p *Pipeline) Submit(ctx context.Context, t Task) error {
	select {
	case p.slots <- struct{}{}:
	case <-p.quiesce:
		return ErrNotAccepting
	case <-ctx.Done():
		return fmt.Errorf("submit %s: %w", t.Name, ctx.Err())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.accepting {
		<-p.slots
		return ErrNotAccepting
	}
	if len(p.queue)+p.active == 0 {
		p.idle = make(chan struct{})
	}
	p.queue = append(p.queue, t)
	p.cond.Signal()
	return nil
}

// Do submits a task and waits for its result.
func (p *Pipeline) Do(ctx context.Context, name string, run func(ctx context.Context) error) error {
	done := make(chan error, 1)
	err := p.Submit(ctx, Task{Name: name, Run: func(tctx context.Context) error {
		err := run(tctx)
		done <- err
		return err
	}})
	if err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", name, ctx.Err())
	}
}

func (p *Pipeline) work() {
	defer p.wg.Done()
	for {
		p.mu.Lock()
		for len(p.queue) == 0 && !p.closed {
			p.cond.Wait()
		}
		if p.closed {
			p.mu.Unlock()
			return
		}
		t := p.queue[0]
		p.queue[0] = Task{}
		p.queue = p.queue[1:]
		p.active++
		p.mu.Unlock()
		<-p.slots

		err := p.run(t)

		p.mu.Lock()
		p.active--
		switch {
		case errors.Is(err, errPanicked):
			p.panicked++
		case err != nil:
			p.failed++
		default:
			p.completed++
		}
		if len(p.queue)+p.active == 0 {
			close(p.idle)
		}
		p.mu.Unlock()
	}
}

var errPanicked = errors.New("task panicked")

// run runs one task, turning a panic into an error so that a bad task
// never takes the engine down.
func (p *Pipeline) run(t Task) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error().Str("task", t.Name).Interface("panic", r).Bytes("stack", debug.Stack()).Msg("task panicked; recovered")
			err = fmt.Errorf("%w: %v", errPanicked, r)
		}
	}()
	if err := t.Run(p.ctx); err != nil {
		if p.ctx.Err() == nil {
			p.log.Warn().Err(err).Str("task", t.Name).Msg("task failed")
		}
		return err
	}
	return nil
}

// StopAccepting refuses every later Submit with ErrNotAccepting. Tasks
// already queued still run.
func (p *Pipeline) StopAccepting() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.accepting {
		p.accepting = false
		close(p.quiesce)
	}
}

// WaitIdle blocks until no task is queued or running, or ctx ends.
func (p *Pipeline) WaitIdle(ctx context.Context) error {
	p.mu.Lock()
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown refuses new tasks, drops the queued ones, cancels running ones
// and waits for every worker to return, or for ctx to end. It returns the
// number of queued tasks it dropped.
func (p *Pipeline) Shutdown(ctx context.Context) (dropped int, err error) {
	p.StopAccepting()
	p.mu.Lock()
	dropped = len(p.queue)
	p.queue = nil
	p.closed = true
	if p.active == 0 && dropped > 0 {
		close(p.idle)
	}
	p.cond.Broadcast()
	p.mu.Unlock()
	for range dropped {
		<-p.slots
	}
	if p.cancel != nil {
		p.cancel()
	}
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return dropped, nil
	case <-ctx.Done():
		return dropped, fmt.Errorf("pipeline shutdown: %d workers still busy: %w", p.Stats().Active, ctx.Err())
	}
}

// Stats returns a snapshot of the counts.
func (p *Pipeline) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{
		Workers: p.workers, Capacity: p.capacity,
		Queued: len(p.queue), Active: p.active,
		Completed: p.completed, Failed: p.failed, Panicked: p.panicked,
		Accepting: p.accepting,
	}
}
