package inflight

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New()
		if n := c.Wait(t.Context()); n != 0 {
			t.Fatalf("Wait on an idle counter = %d", n)
		}
		c.Enter()
		c.Enter()
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if n := c.Wait(ctx); n != 2 {
			t.Errorf("Wait cut short = %d, want 2", n)
		}
		go func() {
			time.Sleep(time.Second)
			c.Leave()
			c.Leave()
		}()
		if n := c.Wait(t.Context()); n != 0 {
			t.Errorf("Wait = %d, want 0", n)
		}
	})
}
