package procstat

import (
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// CPUTime is the user plus kernel time of the whole process
// (GetProcessTimes); false when it cannot be read.
func CPUTime() (time.Duration, bool) {
	var creation, exit, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(windows.CurrentProcess(), &creation, &exit, &kernel, &user); err != nil {
		return 0, false
	}
	// FILETIME durations count 100 ns intervals.
	ticks := func(f windows.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) }
	return time.Duration(ticks(kernel)+ticks(user)) * 100, true
}

// processMemoryCounters is PROCESS_MEMORY_COUNTERS.
type processMemoryCounters struct {
	CB                         uint32
	PageFaultCount             uint32
	PeakWorkingSetSize         uintptr
	WorkingSetSize             uintptr
	QuotaPeakPagedPoolUsage    uintptr
	QuotaPagedPoolUsage        uintptr
	QuotaPeakNonPagedPoolUsage uintptr
	QuotaNonPagedPoolUsage     uintptr
	PagefileUsage              uintptr
	PeakPagefileUsage          uintptr
}

// K32GetProcessMemoryInfo is psapi's GetProcessMemoryInfo, in kernel32
// since Windows 7.
var getProcessMemoryInfo = windows.NewLazySystemDLL("kernel32.dll").NewProc("K32GetProcessMemoryInfo")

func memoryCounters() (processMemoryCounters, bool) {
	var c processMemoryCounters
	c.CB = uint32(unsafe.Sizeof(c))
	if getProcessMemoryInfo.Find() != nil {
		return c, false
	}
	r, _, _ := getProcessMemoryInfo.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(&c)), uintptr(c.CB))
	return c, r != 0
}

// rssBytes is the working set, Windows's resident set.
func rssBytes() (int64, bool) {
	c, ok := memoryCounters()
	return int64(c.WorkingSetSize), ok
}

// openFiles: Windows counts handles of every kind (threads, events,
// registry keys...), not open files, so there is no figure to give.
func openFiles() (int, bool) { return 0, false }

// PeakRSSBytes is the peak working set; false when it cannot be read.
func PeakRSSBytes() (int64, bool) {
	c, ok := memoryCounters()
	return int64(c.PeakWorkingSetSize), ok
}
