package pipeline

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newStarted(t *testing.T, workers, capacity int) *Pipeline {
	t.Helper()
	p := New(workers, capacity, zerolog.Nop())
	p.Start()
	t.Cleanup(func() { _, _ = p.Shutdown(context.Background()) })
	return p
}

func TestRunsTasksAndCounts(t *testing.T) {
	p := newStarted(t, 3, 8)
	var ran atomic.Int32
	for range 20 {
		if err := p.Submit(context.Background(), Task{Name: "t", Run: func(context.Context) error { ran.Add(1); return nil }}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := p.Stats()
	if ran.Load() != 20 || st.Completed != 20 || st.Queued != 0 || st.Active != 0 {
		t.Fatalf("ran %d, stats %+v; want 20 completed and nothing left", ran.Load(), st)
	}
}

func TestPanicIsRecoveredAndCounted(t *testing.T) {
	p := newStarted(t, 1, 4)
	_ = p.Submit(context.Background(), Task{Name: "bad", Run: func(context.Context) error { panic("boom") }})
	_ = p.Submit(context.Background(), Task{Name: "fails", Run: func(context.Context) error { return errors.New("no") }})
	err := p.Do(context.Background(), "good", func(context.Context) error { return nil })
	if err != nil {
		t.Fatalf("a task after a panic: %v", err)
	}
	_ = p.WaitIdle(context.Background())
	st := p.Stats()
	if st.Panicked != 1 || st.Failed != 1 || st.Completed != 1 || st.Active != 0 {
		t.Fatalf("stats %+v, want 1 panicked, 1 failed, 1 completed, 0 active", st)
	}
}

// A task refused after StopAccepting never runs, and every accepted task
// is counted: Submit raced against StopAccepting in a loop.
func TestSubmitRacesStopAccepting(t *testing.T) {
	for range 50 {
		p := New(2, 64, zerolog.Nop())
		p.Start()
		var accepted, ran atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 8 {
					err := p.Submit(context.Background(), Task{Name: "t", Run: func(context.Context) error { ran.Add(1); return nil }})
					if err == nil {
						accepted.Add(1)
					} else if !errors.Is(err, ErrNotAccepting) {
						t.Errorf("Submit: %v", err)
					}
				}
			})
		}
		p.StopAccepting()
		wg.Wait()
		if err := p.WaitIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		if ran.Load() != accepted.Load() {
			t.Fatalf("ran %d tasks, accepted %d", ran.Load(), accepted.Load())
		}
		if _, err := p.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestQueueIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(1, 2, zerolog.Nop())
		p.Start()
		release := make(chan struct{})
		block := Task{Name: "block", Run: func(context.Context) error { <-release; return nil }}
		for range 3 { // one running, two queued
			if err := p.Submit(context.Background(), block); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := p.Submit(ctx, block); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Submit on a full queue = %v, want deadline exceeded", err)
		}
		if st := p.Stats(); st.Queued != 2 || st.Active != 1 {
			t.Fatalf("stats %+v, want 2 queued, 1 active", st)
		}
		close(release)
		if _, err := p.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestShutdownCancelsRunningAndDropsQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(1, 4, zerolog.Nop())
		p.Start()
		started := make(chan struct{})
		_ = p.Submit(context.Background(), Task{Name: "long", Run: func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}})
		<-started
		for range 2 {
			_ = p.Submit(context.Background(), Task{Name: "queued", Run: func(context.Context) error { return nil }})
		}
		dropped, err := p.Shutdown(context.Background())
		if err != nil || dropped != 2 {
			t.Fatalf("Shutdown = %d, %v; want 2 dropped", dropped, err)
		}
		if err := p.Submit(context.Background(), Task{Name: "late", Run: func(context.Context) error { return nil }}); !errors.Is(err, ErrNotAccepting) {
			t.Fatalf("Submit after Shutdown = %v, want ErrNotAccepting", err)
		}
		if st := p.Stats(); st.Queued != 0 || st.Active != 0 {
			t.Fatalf("stats after shutdown %+v", st)
		}
	})
}

func TestShutdownRacesShutdown(t *testing.T) {
	p := New(2, 4, zerolog.Nop())
	p.Start()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := p.Shutdown(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
