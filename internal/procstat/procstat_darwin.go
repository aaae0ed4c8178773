package procstat

import (
	"context"
	"os"
	"sync"

	"github.com/shirou/gopsutil/v4/process"
)

// self is this process for gopsutil, which reads it through libproc
// (loaded with purego: no cgo needed).
var self = sync.OnceValues(func() (*process.Process, error) {
	return process.NewProcess(int32(os.Getpid()))
})

// rssBytes is the resident set size (proc_pidinfo's task info).
func rssBytes() (int64, bool) {
	p, err := self()
	if err != nil {
		return 0, false
	}
	m, err := p.MemoryInfoWithContext(context.Background())
	if err != nil || m.RSS == 0 {
		return 0, false
	}
	return int64(m.RSS), true
}

// openFiles counts the file descriptors (proc_pidinfo's fd list).
func openFiles() (int, bool) {
	p, err := self()
	if err != nil {
		return 0, false
	}
	n, err := p.NumFDsWithContext(context.Background())
	if err != nil || n <= 0 {
		return 0, false
	}
	return int(n), true
}

// PeakRSSBytes is the peak resident set size (getrusage's ru_maxrss, in
// bytes on macOS); false when the OS cannot give it.
func PeakRSSBytes() (int64, bool) {
	ru, ok := rusage()
	return ru.Maxrss, ok
}
