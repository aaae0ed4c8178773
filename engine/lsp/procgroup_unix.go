//go:build unix

package lsp

import "time"

// groupGoneWithin bounds waitGroupGone.
const groupGoneWithin = time.Second

// waitGroupGone waits, up to groupGoneWithin, until no process of the
// group pgid is left running (groupRunning): a SIGKILL is delivered when
// the target next runs, not when kill returns, so a stop that returned at
// once could leave a helper running for a moment.
func waitGroupGone(pgid int) {
	deadline := time.Now().Add(groupGoneWithin)
	for time.Now().Before(deadline) && groupRunning(pgid) {
		time.Sleep(2 * time.Millisecond)
	}
}
