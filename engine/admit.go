package engine

import "fmt"

// acquire admits one workspace operation and returns the current run.
// The caller must call release.
func (m *Manager) acquire(write bool) (r *run, release func(), err error) {
	if !m.gate.enter(write) {
		return nil, nil, m.refusal(write)
	}
	m.mu.Lock()
	r = m.run
	m.mu.Unlock()
	if r == nil { // a stop finished between enter and here
		m.gate.leave()
		return nil, nil, m.refusal(write)
	}
	return r, m.gate.leave, nil
}

// refusal explains why the engine cannot serve an operation now.
func (m *Manager) refusal(write bool) error {
	m.mu.Lock()
	state, lastErr := m.state, m.last.lastError
	m.mu.Unlock()
	switch state {
	case StateStarting:
		return fmt.Errorf("%w: the engine is starting; retry in a moment", ErrNotRunning)
	case StateStopping:
		if write {
			return fmt.Errorf("%w: writes are refused while the engine shuts down; call engine_start once it has stopped", ErrStopping)
		}
		return fmt.Errorf("%w: the engine is stopping; call engine_start once it has stopped", ErrNotRunning)
	case StateError:
		return fmt.Errorf("%w: the engine is in state error (%s); call engine_start to retry", ErrNotRunning, lastErr)
	default:
		return fmt.Errorf("%w: the engine is %s; call engine_start", ErrNotRunning, state)
	}
}
