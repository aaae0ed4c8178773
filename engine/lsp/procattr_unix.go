//go:build unix && !linux

package lsp

import "syscall"

// sysProcAttr puts a server in its own process group, so that a kill
// reaches whatever it started.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
