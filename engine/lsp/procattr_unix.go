//go:build unix && !linux

package lsp

import (
	"os"
	"syscall"
)

// sysProcAttr puts a server in its own process group, so that a kill
// reaches whatever it started.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the process group led by pid and, when given, the
// process itself.
func killGroup(p *os.Process, pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	if p != nil {
		_ = p.Kill()
	}
}
