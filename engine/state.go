package engine

import (
	"errors"
	"fmt"
	"time"
)

// State is the engine's lifecycle state. Its string is what tool results
// show.
type State string

// The lifecycle states of the state machine drawn in the package comment.
const (
	StateStopped  State = "stopped"  // not running, nothing allocated
	StateStarting State = "starting" // initialising components
	StateRunning  State = "running"  // fully operational
	StateStopping State = "stopping" // draining and shutting down
	StateError    State = "error"    // failed; needs engine_start or engine_stop
)

// Event is what moves the state machine.
type Event string

// Events, one per arrow of the package comment's diagram.
const (
	EventStart     Event = "start"      // stopped → starting
	EventComplete  Event = "complete"   // starting → running
	EventFail      Event = "fail"       // starting|stopping → error
	EventCancel    Event = "cancel"     // starting → stopped: engine_stop during a start
	EventStop      Event = "stop"       // running → stopping
	EventForceStop Event = "force_stop" // running|stopping → stopping
	EventStopped   Event = "stopped"    // stopping → stopped
	EventReset     Event = "reset"      // error → stopped
)

// ErrIllegalTransition reports an event that the current state does not
// accept.
var ErrIllegalTransition = errors.New("illegal state transition")

// transitions is the whole state machine: the target state of every legal
// (state, event) pair. Any pair not listed is illegal.
var transitions = map[State]map[Event]State{
	StateStopped:  {EventStart: StateStarting},
	StateStarting: {EventComplete: StateRunning, EventFail: StateError, EventCancel: StateStopped},
	StateRunning:  {EventStop: StateStopping, EventForceStop: StateStopping},
	StateStopping: {EventStopped: StateStopped, EventFail: StateError, EventForceStop: StateStopping},
	StateError:    {EventReset: StateStopped},
}

// Next returns the state that event leads to from s, or an error wrapping
// ErrIllegalTransition that names both.
func Next(s State, e Event) (State, error) {
	to, ok := transitions[s][e]
	if !ok {
		return s, fmt.Errorf("%w: event %q in state %q", ErrIllegalTransition, e, s)
	}
	return to, nil
}

// Origin says who moved the state machine: a transition's Reason is free
// text for people, its Origin is what code compares.
type Origin string

// Origins of transitions.
const (
	// OriginUser is a tool call (engine_start, engine_stop,
	// engine_restart) or the start at launch.
	OriginUser Origin = "user"
	// OriginRecovery is connection recovery's restart (Recover).
	OriginRecovery Origin = "recovery"
	// OriginTakeover is a reader becoming the indexer once the lock is
	// free.
	OriginTakeover Origin = "takeover"
	// OriginShutdown is the process stopping: a signal, or the client
	// closing the connection.
	OriginShutdown Origin = "shutdown"
)

// Transition records one move of the state machine.
type Transition struct {
	From   State     `json:"from"`
	To     State     `json:"to"`
	Event  Event     `json:"event"`
	Origin Origin    `json:"origin"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}
