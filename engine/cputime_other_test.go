//go:build !linux

package engine

import "time"

// processCPU returns 0: the CPU time is measured on Linux only.
func processCPU() time.Duration { return 0 }
