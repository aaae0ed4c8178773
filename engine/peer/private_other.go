//go:build !unix && !windows

package peer

import "os"

// ownedPrivately has no owner to check on this OS.
func ownedPrivately(string, os.FileInfo) error { return nil }

func restrictSocket(string) error { return nil }

func userTag() string { return "user" }
