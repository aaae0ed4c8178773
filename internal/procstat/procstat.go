// Package procstat reads this process's resource usage cheaply, by the
// means each OS offers: /proc and getrusage on Linux, getrusage and
// libproc (through gopsutil, without cgo) on macOS, GetProcessTimes and
// GetProcessMemoryInfo on Windows.
//
// A figure the OS cannot give, or that could not be read, is nil (null in
// JSON), never 0: Windows has no count of open files, and the other
// Unix systems give only CPU time and peak memory.
//
// A Sampler remembers its previous reading so that CPU use can be given as
// a percentage of one core over the interval between two calls.
//
//	var s procstat.Sampler
//	u := s.Sample() // u.CPUPercent, u.MemoryMB, u.OpenFiles: each may be nil
package procstat

import (
	"sync"
	"time"
)

// Usage is one reading of the process's resources. A nil figure was not
// measured: the OS cannot give it, or reading it failed.
type Usage struct {
	CPUPercent *float64 `json:"cpu_percent"` // of one core, since the previous Sample; nil on the first
	MemoryMB   *float64 `json:"memory_mb"`   // resident set size (Windows: working set)
	OpenFiles  *int     `json:"open_files"`  // file descriptors; nil on Windows
}

// Sampler computes Usage; the zero value is ready. Safe for concurrent use.
type Sampler struct {
	mu       sync.Mutex
	lastCPU  time.Duration
	lastWall time.Time // zero until a sample read the CPU time
}

// Sample reads the process's figures now.
func (s *Sampler) Sample() Usage {
	var u Usage
	if rss, ok := rssBytes(); ok {
		u.MemoryMB = ptr(float64(rss) / (1 << 20))
	}
	if n, ok := openFiles(); ok {
		u.OpenFiles = ptr(n)
	}
	cpu, ok := CPUTime()
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok {
		s.lastWall = time.Time{}
		return u
	}
	if !s.lastWall.IsZero() {
		if wall := now.Sub(s.lastWall); wall > 0 {
			u.CPUPercent = ptr(100 * float64(cpu-s.lastCPU) / float64(wall))
		}
	}
	s.lastCPU, s.lastWall = cpu, now
	return u
}

func ptr[T any](v T) *T { return &v }
