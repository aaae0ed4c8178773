//go:build linux

package lsp

import "syscall"

// sysProcAttr puts a server in its own process group, so that a kill
// reaches whatever it started, and asks the kernel to kill it should this
// process die without stopping it (the last resort: a stop shuts servers
// down itself).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
