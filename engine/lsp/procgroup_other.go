//go:build !unix && !windows

package lsp

import (
	"os"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return nil }

// group: this OS has neither process groups nor job objects; only the
// server itself can be killed.
type group struct{}

func newGroup(*os.Process) (*group, error) { return &group{}, nil }

func (g *group) kill(p *os.Process) {
	if p != nil {
		_ = p.Kill()
	}
}

func (g *group) waitGone() {}

func (g *group) close() {}
