package peer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// ownedPrivately refuses a socket directory that another user owns.
// Windows has no mode bits to check: who else may use the directory is
// up to its ACL, which it inherits from its parent on creation (the
// per-user %TMP% or the user's data directory).
func ownedPrivately(dir string, _ os.FileInfo) error {
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("socket directory %s: read its owner: %w", dir, err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return fmt.Errorf("socket directory %s: read its owner: %w", dir, err)
	}
	user, err := currentUser()
	if err != nil {
		return err
	}
	if owner.Equals(user) {
		return nil
	}
	// An elevated administrator's files belong to the Administrators
	// group: fine while this process acts as a member of it.
	if owner.IsWellKnown(windows.WinBuiltinAdministratorsSid) {
		if member, err := windows.Token(0).IsMember(owner); err == nil && member {
			return nil
		}
	}
	return fmt.Errorf("socket directory %s belongs to %s, not to this user (%s): set storage.data_dir to a shorter path", dir, owner, user)
}

// currentUser is the SID of the user this process runs as.
func currentUser() (*windows.SID, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("read this process's user: %w", err)
	}
	return tu.User.Sid, nil
}

// restrictSocket has nothing to do: the socket file inherits the
// directory's ACL, and Windows has no mode bits to set.
func restrictSocket(string) error { return nil }

// userTag names the user in the per-user socket directory: a short hash
// of the user's SID (the SID itself would make the path too long for a
// unix socket). %TMP% is per user already unless set otherwise.
func userTag() string {
	user, err := currentUser()
	if err != nil {
		return "unknown"
	}
	sum := sha256.Sum256([]byte(user.String()))
	return hex.EncodeToString(sum[:4])
}
