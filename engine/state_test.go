package engine

import (
	"errors"
	"strings"
	"testing"
)

// TestTransitionTable checks every (state, event) pair against the package
// comment's diagram: legal pairs lead where the diagram says, all others are refused
// with an error that names both the state and the event.
func TestTransitionTable(t *testing.T) {
	states := []State{StateStopped, StateStarting, StateRunning, StateStopping, StateError}
	events := []Event{EventStart, EventComplete, EventFail, EventCancel, EventStop, EventForceStop, EventStopped, EventReset}
	legal := map[State]map[Event]State{
		StateStopped:  {EventStart: StateStarting},
		StateStarting: {EventComplete: StateRunning, EventFail: StateError, EventCancel: StateStopped},
		StateRunning:  {EventStop: StateStopping, EventForceStop: StateStopping},
		StateStopping: {EventStopped: StateStopped, EventFail: StateError, EventForceStop: StateStopping},
		StateError:    {EventReset: StateStopped},
	}
	for _, s := range states {
		for _, e := range events {
			got, err := Next(s, e)
			want, ok := legal[s][e]
			switch {
			case ok && err != nil:
				t.Errorf("Next(%s, %s): unexpected error %v", s, e, err)
			case ok && got != want:
				t.Errorf("Next(%s, %s) = %s, want %s", s, e, got, want)
			case !ok && err == nil:
				t.Errorf("Next(%s, %s) = %s, want refusal", s, e, got)
			case !ok && !errors.Is(err, ErrIllegalTransition):
				t.Errorf("Next(%s, %s) error %v is not ErrIllegalTransition", s, e, err)
			case !ok && got != s:
				t.Errorf("Next(%s, %s) moved to %s on refusal", s, e, got)
			}
			if !ok && err != nil {
				msg := err.Error()
				if !strings.Contains(msg, string(s)) || !strings.Contains(msg, string(e)) {
					t.Errorf("error %q does not name state %s and event %s", msg, s, e)
				}
			}
		}
	}
}
