//go:build unix && !linux

package lsp

import (
	"errors"
	"syscall"
)

// groupRunning reports whether a process of group pgid exists (zombies
// included: without /proc they cannot be told apart).
func groupRunning(pgid int) bool {
	return !errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}
