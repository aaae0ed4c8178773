// Package benchcorpus prepares the corpus that the repository's benchmark
// commands (cmd/ingestbench, cmd/searcheval) run on: a copy of
// $(go env GOROOT)/src without its testdata directories.
package benchcorpus

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// GorootSrc returns $(go env GOROOT)/src, checking that it is a directory.
func GorootSrc() (string, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "src")
	if info, err := os.Stat(src); err != nil || !info.IsDir() {
		return "", fmt.Errorf("source tree %s is missing", src)
	}
	return src, nil
}

// CopyTree copies the regular files and directories of src to dst,
// leaving out every directory named testdata and every symlink. When
// include is not nil, only the top-level entries of src for which it
// returns true are copied.
func CopyTree(src, dst string, include func(topLevel string) bool) (files int, bytes int64, err error) {
	return copyTree(src, dst, func(rel string, de fs.DirEntry) bool {
		if include != nil {
			if top, _, _ := strings.Cut(filepath.ToSlash(rel), "/"); !include(top) {
				return false
			}
		}
		return !de.IsDir() || de.Name() != "testdata"
	})
}

// CopyAll copies every regular file and directory of src to dst, leaving
// out symlinks: a published package's links point into the system it
// installs on.
func CopyAll(src, dst string) (files int, bytes int64, err error) {
	return copyTree(src, dst, func(string, fs.DirEntry) bool { return true })
}

// copyTree copies the regular files and directories of src that keep
// accepts (by path relative to src; a directory refused is skipped whole)
// to dst, and counts the files and bytes copied.
func copyTree(src, dst string, keep func(rel string, de fs.DirEntry) bool) (files int, bytes int64, err error) {
	err = filepath.WalkDir(src, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel != "." && !keep(rel, de) {
			if de.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case de.IsDir():
			return os.MkdirAll(target, 0o755)
		case !de.Type().IsRegular():
			return nil
		}
		n, err := copyFile(p, target)
		files++
		bytes += n
		return err
	})
	return files, bytes, err
}

func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}
