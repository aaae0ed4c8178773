//go:build !unix

package lsp

import (
	"os"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(p *os.Process, _ int) {
	if p != nil {
		_ = p.Kill()
	}
}

// waitGroupGone has no process group to wait for here.
func waitGroupGone(int) {}
