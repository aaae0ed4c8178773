package workspace

// syncDir does nothing on Windows: FlushFileBuffers needs a handle with
// write access, which os.Open does not give a directory, and NTFS
// journals a directory's entries (a rename, a removal) itself.
func syncDir(string) error { return nil }
