//go:build unix

package peer

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// ownedPrivately refuses a socket directory that another user owns or
// that others may write.
func ownedPrivately(dir string, fi os.FileInfo) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("socket directory %s belongs to uid %d, not to this user (%d): set storage.data_dir to a shorter path", dir, st.Uid, os.Getuid())
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("socket directory %s is writable by others (mode %s): make it 0700", dir, fi.Mode().Perm())
	}
	return nil
}

// restrictSocket makes the socket the user's alone (0600).
func restrictSocket(path string) error { return os.Chmod(path, 0o600) }

// userTag names the user in the per-user socket directory: the uid.
func userTag() string { return strconv.Itoa(os.Getuid()) }
