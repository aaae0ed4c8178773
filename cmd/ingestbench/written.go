package main

import (
	"bytes"
	"os"
	"strconv"
)

// writtenBytes returns the bytes the process has written with write
// syscalls so far (wchar of /proc/self/io: the WAL, the database and
// the checkpoints, cached or not); false where the OS does not give it.
func writtenBytes() (int64, bool) {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, false
	}
	for line := range bytes.Lines(data) {
		if rest, ok := bytes.CutPrefix(line, []byte("wchar:")); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(rest)), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// writtenText is what writtenBytes counted between w0 and now, in MB, or
// says that it was not measured.
func writtenText(w0 int64, ok0 bool) string {
	w1, ok1 := writtenBytes()
	if !ok0 || !ok1 {
		return "not measured here"
	}
	return strconv.FormatFloat(mb(w1-w0), 'f', 0, 64) + " MB"
}
