package peer

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// replaceWithin bounds replaceFile's retries.
const replaceWithin = time.Second

// replaceFile renames tmp over path. A reader that has path open (Go opens
// files without FILE_SHARE_DELETE) makes the rename fail until it closes
// it, a moment later: retry, within replaceWithin.
func replaceFile(tmp, path string) error {
	deadline := time.Now().Add(replaceWithin)
	for {
		err := os.Rename(tmp, path)
		busy := errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)
		if !busy || time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
