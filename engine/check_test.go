package engine

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// A check that fails once its deadline has passed timed out, whatever its
// error says; one that fails before does not, whatever its error says.
func TestCheckTimedOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		early := timed(ctx, CheckStorage, func() error { return errors.New("refused: context deadline exceeded") })
		if early.Status != CheckFail || early.TimedOut() {
			t.Errorf("check failing before its deadline %+v: TimedOut %v, want a failure that did not time out", early, early.TimedOut())
		}
		hung := timed(ctx, CheckStorage, func() error {
			<-ctx.Done()
			return errors.New("read tcp: i/o error")
		})
		if !hung.TimedOut() || hung.Message != "read tcp: i/o error" || hung.LatencyMS != 1000 {
			t.Errorf("check failing at its deadline %+v: TimedOut %v, want true with the component's message", hung, hung.TimedOut())
		}
		if ok := timed(ctx, CheckStorage, func() error { return nil }); ok.TimedOut() || ok.Err != nil || ok.Status != CheckPass {
			t.Errorf("passing check %+v", ok)
		}
	})
}
