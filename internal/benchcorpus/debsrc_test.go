package benchcorpus

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// tarball returns a gzipped tar of one directory, top/, holding a.txt.
func tarball(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	body := []byte("hello\n")
	for _, h := range []*tar.Header{
		{Name: "top/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "top/a.txt", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tw.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A tarball is fetched from pool/main/PREFIX/PACKAGE/FILE (PREFIX lib?
// for lib* packages), checked against its SHA-256 and unpacked; a file
// the pool lacks is ErrNotInPool, one whose checksum differs an error.
func TestDebianSourceFetch(t *testing.T) {
	data := tarball(t)
	sum := sha256.Sum256(data)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pool/libf/libfoo-perl/libfoo-perl_1.0.orig.tar.gz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	defer srv.Close()
	old := debianPool
	debianPool = srv.URL + "/pool/"
	defer func() { debianPool = old }()

	fetch := func(s DebianSource) (string, error) {
		tmp := t.TempDir()
		unpacked := filepath.Join(tmp, "unpacked")
		if err := os.Mkdir(unpacked, 0o755); err != nil {
			t.Fatal(err)
		}
		return s.Fetch(context.Background(), tmp, unpacked)
	}
	good := DebianSource{Package: "libfoo-perl", Version: "1.0-1", File: "libfoo-perl_1.0.orig.tar.gz", SHA256: hex.EncodeToString(sum[:])}
	top, err := fetch(good)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(top) != "top" {
		t.Errorf("top directory %s, want .../top", top)
	}
	if b, err := os.ReadFile(filepath.Join(top, "a.txt")); err != nil || string(b) != "hello\n" {
		t.Errorf("a.txt: %q, %v", b, err)
	}

	bad := good
	bad.SHA256 = hex.EncodeToString(make([]byte, 32))
	if _, err := fetch(bad); err == nil {
		t.Error("a tarball with the wrong checksum was accepted")
	}

	gone := good
	gone.File = "libfoo-perl_0.9.orig.tar.gz"
	if _, err := fetch(gone); !errors.Is(err, ErrNotInPool) {
		t.Errorf("missing file: %v, want ErrNotInPool", err)
	}
}

func TestDebianSourceURL(t *testing.T) {
	for pkg, want := range map[string]string{
		"jq":            "http://deb.debian.org/debian/pool/main/j/jq/f.tar.gz",
		"libplack-perl": "http://deb.debian.org/debian/pool/main/libp/libplack-perl/f.tar.gz",
		"lib":           "http://deb.debian.org/debian/pool/main/l/lib/f.tar.gz",
	} {
		if got := (DebianSource{Package: pkg, File: "f.tar.gz"}).URL(); got != want {
			t.Errorf("%s: %s, want %s", pkg, got, want)
		}
	}
}
