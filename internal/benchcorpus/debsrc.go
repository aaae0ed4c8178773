package benchcorpus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// DebianSource is an upstream tarball of a source package in Debian's
// archive: File as the package's Sources stanza lists it, with its
// SHA-256 from the same stanza.
type DebianSource struct {
	Package, Version, File, SHA256 string
}

// debianPool is where Debian's archive keeps source packages (a variable
// so that tests can serve a pool of their own).
var debianPool = "http://deb.debian.org/debian/pool/main/"

// debianClient fetches from the pool; a mirror that stops answering fails
// the fetch rather than hanging it.
var debianClient = &http.Client{Timeout: 5 * time.Minute}

// ErrNotInPool is returned when the pool no longer has a file: a Debian
// point release replaced the version that the Sources index named.
var ErrNotInPool = errors.New("not in Debian's pool")

// URL returns the tarball's address in the pool: pool/main/PREFIX/PACKAGE/FILE,
// PREFIX being the package's first letter, or its first four for lib*.
func (s DebianSource) URL() string {
	prefix := s.Package[:1]
	if strings.HasPrefix(s.Package, "lib") && len(s.Package) > 3 {
		prefix = s.Package[:4]
	}
	return debianPool + prefix + "/" + s.Package + "/" + s.File
}

// Fetch downloads the tarball into tmp, checks its SHA-256 (plain HTTP is
// Debian's default transport; the checksum, from the archive's signed
// Sources index, is what makes it safe), unpacks it into unpacked and
// returns its top directory: the tarball's one directory, or unpacked
// itself when it holds several entries. A file the pool no longer has
// fails with ErrNotInPool.
func (s DebianSource) Fetch(ctx context.Context, tmp, unpacked string) (string, error) {
	url := s.URL()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", url, err)
	}
	resp, err := debianClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return "", fmt.Errorf("download %s: %w (a Debian point release may have replaced version %s)", url, ErrNotInPool, s.Version)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download %s: %s", url, resp.Status)
	}
	archive := filepath.Join(tmp, filepath.Base(s.File))
	f, err := os.Create(archive)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", url, err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("download %s: %w", url, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != s.SHA256 {
		return "", fmt.Errorf("download %s: sha256 %s, want %s", url, got, s.SHA256)
	}
	cmd := exec.CommandContext(ctx, "tar", "-xf", archive, "-C", unpacked)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("unpack %s: %w: %s", archive, err, strings.TrimSpace(string(out)))
	}
	entries, err := os.ReadDir(unpacked)
	if err != nil {
		return "", fmt.Errorf("unpack %s: %w", archive, err)
	}
	if len(entries) == 1 && entries[0].IsDir() {
		return filepath.Join(unpacked, entries[0].Name()), nil
	}
	return unpacked, nil
}
