// Package procstat reads this process's resource usage cheaply from /proc.
//
// A Sampler remembers its previous reading so that CPU use can be given as
// a percentage of one core over the interval between two calls.
//
//	var s procstat.Sampler
//	u := s.Sample() // u.CPUPercent, u.MemoryMB, u.OpenFiles
package procstat

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Usage is one reading of the process's resources.
type Usage struct {
	CPUPercent float64 `json:"cpu_percent"` // of one core, since the previous Sample
	MemoryMB   float64 `json:"memory_mb"`   // resident set size
	OpenFiles  int     `json:"open_files"`  // file descriptors
}

// Sampler computes Usage; the zero value is ready. Safe for concurrent use.
type Sampler struct {
	mu       sync.Mutex
	lastCPU  time.Duration
	lastWall time.Time
}

// Sample reads /proc/self. Figures that cannot be read are left zero.
func (s *Sampler) Sample() Usage {
	u := Usage{MemoryMB: float64(rssBytes()) / (1 << 20), OpenFiles: openFiles()}
	cpu := cpuTime()
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.lastWall.IsZero() {
		if wall := now.Sub(s.lastWall); wall > 0 {
			u.CPUPercent = 100 * float64(cpu-s.lastCPU) / float64(wall)
		}
	}
	s.lastCPU, s.lastWall = cpu, now
	return u
}

// cpuTime is user plus system time of the whole process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssBytes is the resident set size, VmRSS.
func rssBytes() int64 { return statusKB("VmRSS:") << 10 }

// PeakRSSBytes is the peak resident set size, VmHWM.
func PeakRSSBytes() int64 { return statusKB("VmHWM:") << 10 }

// statusKB reads one "Name:   N kB" field of /proc/self/status; 0 when absent.
func statusKB(name string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(data) {
		rest, ok := bytes.CutPrefix(line, []byte(name))
		if !ok {
			continue
		}
		if f := bytes.Fields(rest); len(f) > 0 {
			kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
			return kb
		}
	}
	return 0
}

func openFiles() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(entries)
}
