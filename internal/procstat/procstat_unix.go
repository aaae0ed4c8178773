//go:build unix && !linux && !darwin

package procstat

// rssBytes: the other Unix systems give no current resident set size
// without cgo.
func rssBytes() (int64, bool) { return 0, false }

// openFiles: /dev/fd need not list every descriptor here (FreeBSD without
// fdescfs shows only 0 to 2).
func openFiles() (int, bool) { return 0, false }

// PeakRSSBytes is the peak resident set size (getrusage's ru_maxrss, in
// kilobytes on the BSDs); false when the OS cannot give it.
func PeakRSSBytes() (int64, bool) {
	ru, ok := rusage()
	return int64(ru.Maxrss) << 10, ok
}
