//go:build unix

package private

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// TestTighten: a data directory open to others is made private, its
// directories 0700 and files 0600; links and what they point to are left
// alone, and a second call changes nothing.
func TestTighten(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	base := t.TempDir()
	dir := filepath.Join(base, "data")
	outside := filepath.Join(base, "outside.txt")
	for _, d := range []string{dir, filepath.Join(dir, "sub")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]os.FileMode{"store.db": 0o644, "sub/ledger.db": 0o666, "own.txt": 0o600, "../outside.txt": 0o644}
	for name, mode := range files {
		if err := os.WriteFile(filepath.Join(dir, name), nil, mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	changed, err := Tighten(dir)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(changed)
	want := []string{dir, filepath.Join(dir, "store.db"), filepath.Join(dir, "sub"), filepath.Join(dir, "sub/ledger.db")}
	if !slices.Equal(changed, want) {
		t.Errorf("changed %q, want %q", changed, want)
	}
	for name, mode := range map[string]os.FileMode{"": 0o700, "sub": 0o700, "store.db": 0o600, "sub/ledger.db": 0o600, "own.txt": 0o600, "../outside.txt": 0o644} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode {
			t.Errorf("%s is %v, want %v", name, info.Mode().Perm(), mode)
		}
	}
	if again, err := Tighten(dir); err != nil || len(again) > 0 {
		t.Errorf("a second call changed %q, %v", again, err)
	}
}

// TestCreate: a file made by Create is 0600 whatever the umask, and an
// existing file is left as it is.
func TestCreate(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	p := filepath.Join(dir, "store.db")
	if err := Create(p); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(p); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("created %v, %v; want 0600", info.Mode(), err)
	}
	if err := os.WriteFile(p, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Create(p); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(p); string(data) != "data" {
		t.Errorf("Create changed an existing file: %q", data)
	}
}
