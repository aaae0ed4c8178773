// Package private keeps the engine's data directory to its user: the
// index holds the text of the workspace, notes and the ledger of its
// files.
//
// On Unix, Tighten makes the directory and every directory beneath it
// 0700 and every regular file 0600, where they allowed more; on Windows
// it gives the directory a protected access list that grants its user
// alone full control, inherited by everything beneath it. Create makes a
// file 0600 before a library (SQLite) would create it with the umask's
// 0644: SQLite gives its -wal and -shm files the database file's mode.
package private

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Create makes path, empty and private to its user, unless it exists.
func Create(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}
