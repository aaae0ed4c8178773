package release

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
)

// File is one file to put in an archive.
type File struct {
	Name string      // its name in the archive, below the archive's directory
	Src  string      // the file to copy
	Mode fs.FileMode // its permissions in the archive
}

// WriteArchive writes the files into a new archive at dst, each under the
// directory dir, all dated modTime. The archive is a zip file if dst ends
// in .zip, a gzipped tar file if it ends in .tar.gz.
func WriteArchive(dst, dir string, files []File, modTime time.Time) (err error) {
	var write func(io.Writer, string, []File, time.Time) error
	switch {
	case strings.HasSuffix(dst, ".zip"):
		write = writeZip
	case strings.HasSuffix(dst, ".tar.gz"):
		write = writeTarGz
	default:
		return fmt.Errorf("write archive %s: want a name ending in .zip or .tar.gz", dst)
	}
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("write archive: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write archive: %w", cerr)
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	if err := write(f, dir, files, modTime); err != nil {
		return fmt.Errorf("write archive %s: %w", dst, err)
	}
	return nil
}

func writeTarGz(w io.Writer, dir string, files []File, modTime time.Time) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: modTime})
	for _, file := range files {
		if err != nil {
			break
		}
		err = copyFile(file, func(size int64) (io.Writer, error) {
			h := &tar.Header{Typeflag: tar.TypeReg, Name: path.Join(dir, file.Name), Mode: int64(file.Mode.Perm()),
				Size: size, ModTime: modTime}
			return tw, tw.WriteHeader(h)
		})
	}
	if err != nil {
		return err
	}
	return errors.Join(tw.Close(), gz.Close())
}

func writeZip(w io.Writer, dir string, files []File, modTime time.Time) error {
	zw := zip.NewWriter(w)
	for _, file := range files {
		err := copyFile(file, func(int64) (io.Writer, error) {
			h := &zip.FileHeader{Name: path.Join(dir, file.Name), Method: zip.Deflate, Modified: modTime}
			h.SetMode(file.Mode.Perm())
			return zw.CreateHeader(h)
		})
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// copyFile copies file.Src into the writer that open returns for its size.
func copyFile(file File, open func(size int64) (io.Writer, error)) error {
	src, err := os.Open(file.Src)
	if err != nil {
		return err
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return err
	}
	w, err := open(info.Size())
	if err != nil {
		return fmt.Errorf("add %s: %w", file.Name, err)
	}
	if _, err := io.Copy(w, src); err != nil {
		return fmt.Errorf("add %s: %w", file.Name, err)
	}
	return nil
}
