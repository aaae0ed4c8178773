//go:build unix

package lsp

import (
	"os"
	"syscall"
	"time"
)

// groupGoneWithin bounds waitGone.
const groupGoneWithin = time.Second

// group is a server's process group, which sysProcAttr made it lead.
type group struct{ pgid int }

// newGroup is the group of p, started with sysProcAttr.
func newGroup(p *os.Process) (*group, error) { return &group{pgid: p.Pid}, nil }

// kill kills the group and, when given, the process itself.
func (g *group) kill(p *os.Process) {
	_ = syscall.Kill(-g.pgid, syscall.SIGKILL)
	if p != nil {
		_ = p.Kill()
	}
}

// waitGone waits, up to groupGoneWithin, until no process of the group is
// left running (groupRunning): a SIGKILL is delivered when the target
// next runs, not when kill returns, so a stop that returned at once could
// leave a helper running for a moment.
func (g *group) waitGone() {
	deadline := time.Now().Add(groupGoneWithin)
	for time.Now().Before(deadline) && groupRunning(g.pgid) {
		time.Sleep(2 * time.Millisecond)
	}
}

// close has nothing to release: a process group is no resource of ours.
func (g *group) close() {}
