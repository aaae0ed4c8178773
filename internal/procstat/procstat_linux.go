package procstat

import (
	"bytes"
	"os"
	"strconv"
)

// rssBytes is the resident set size, VmRSS.
func rssBytes() (int64, bool) { return statusKB("VmRSS:") }

// PeakRSSBytes is the peak resident set size (VmHWM on Linux); false when
// the OS cannot give it.
func PeakRSSBytes() (int64, bool) { return statusKB("VmHWM:") }

// statusKB reads one "Name:   N kB" field of /proc/self/status, in bytes.
func statusKB(name string) (int64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range bytes.Lines(data) {
		rest, ok := bytes.CutPrefix(line, []byte(name))
		if !ok {
			continue
		}
		if f := bytes.Fields(rest); len(f) > 0 {
			kb, err := strconv.ParseInt(string(f[0]), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

func openFiles() (int, bool) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0, false
	}
	return len(entries), true
}
