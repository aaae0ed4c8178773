//go:build unix

package private

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Tighten takes every permission of group and others away from dir, the
// directories beneath it (made 0700) and its regular files (made 0600),
// and returns the paths it changed. Links, sockets and other special
// files are left alone; links are not followed.
func Tighten(dir string) ([]string, error) {
	var changed []string
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var want fs.FileMode
		switch {
		case de.IsDir():
			want = 0o700
		case de.Type().IsRegular():
			want = 0o600
		default:
			return nil
		}
		info, err := de.Info()
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o077 == 0 {
			return nil
		}
		if err := os.Chmod(p, want); err != nil {
			return err
		}
		changed = append(changed, p)
		return nil
	})
	if err != nil {
		return changed, fmt.Errorf("make %s private: %w", dir, err)
	}
	return changed, nil
}
