package private

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Tighten gives dir a protected access list (one that inherits nothing
// from its parent) granting this process's user alone full control, which
// its files and directories inherit, unless it has one already. It
// returns dir when it changed it. Windows has no mode bits: who may read
// the data directory is up to its access list, which it otherwise
// inherits from its parent.
func Tighten(dir string) ([]string, error) {
	user, err := currentUser()
	if err != nil {
		return nil, err
	}
	ok, err := ownerOnly(dir, user)
	if err != nil {
		return nil, err
	}
	if ok {
		return nil, nil
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_ALL,
		AccessMode:        windows.GRANT_ACCESS,
		Inheritance:       windows.SUB_CONTAINERS_AND_OBJECTS_INHERIT,
		Trustee: windows.TRUSTEE{
			TrusteeForm:  windows.TRUSTEE_IS_SID,
			TrusteeType:  windows.TRUSTEE_IS_USER,
			TrusteeValue: windows.TrusteeValueFromSID(user),
		},
	}}, nil)
	if err != nil {
		return nil, fmt.Errorf("make %s private: build its access list: %w", dir, err)
	}
	err = windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, acl, nil)
	if err != nil {
		return nil, fmt.Errorf("make %s private: set its access list: %w", dir, err)
	}
	return []string{dir}, nil
}

// ownerOnly reports whether dir's access list is protected and grants
// nothing to anyone but user.
func ownerOnly(dir string, user *windows.SID) (bool, error) {
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return false, fmt.Errorf("make %s private: read its access list: %w", dir, err)
	}
	control, _, err := sd.Control()
	if err != nil {
		return false, fmt.Errorf("make %s private: read its access list: %w", dir, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil { // no list at all grants everyone everything
		return false, nil
	}
	if control&windows.SE_DACL_PROTECTED == 0 {
		return false, nil
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return false, fmt.Errorf("make %s private: read its access list: %w", dir, err)
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE {
			continue // a denial takes nothing away from the user
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		if !sid.Equals(user) {
			return false, nil
		}
	}
	return true, nil
}

// currentUser is the SID of the user this process runs as.
func currentUser() (*windows.SID, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("read this process's user: %w", err)
	}
	return tu.User.Sid, nil
}
