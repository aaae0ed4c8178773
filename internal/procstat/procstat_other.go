//go:build !unix && !windows

package procstat

import "time"

// Neither getrusage nor /proc here: no figure can be measured.

// CPUTime is unavailable on this OS.
func CPUTime() (time.Duration, bool) { return 0, false }

func rssBytes() (int64, bool) { return 0, false }

func openFiles() (int, bool) { return 0, false }

// PeakRSSBytes is unavailable on this OS.
func PeakRSSBytes() (int64, bool) { return 0, false }
