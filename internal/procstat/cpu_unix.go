//go:build unix

package procstat

import (
	"syscall"
	"time"
)

// CPUTime is the user plus system time of the whole process; false when
// it cannot be read.
func CPUTime() (time.Duration, bool) {
	ru, ok := rusage()
	if !ok {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

func rusage() (syscall.Rusage, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return ru, false
	}
	return ru, true
}
