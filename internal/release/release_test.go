package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/macho"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeRelease writes a fake binary, LICENSE and README.md into a new
// directory and returns them as the files of an archive.
func fakeRelease(t *testing.T, exe string) ([]File, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	contents := map[string]string{
		exe:         "\x7fELF fake binary\x00\x01\x02",
		"LICENSE":   "Apache License\nVersion 2.0\n",
		"README.md": "# workspace-qdrant-mcp\n",
	}
	var files []File
	for _, name := range []string{exe, "LICENSE", "README.md"} {
		src := filepath.Join(dir, name)
		if err := os.WriteFile(src, []byte(contents[name]), 0o600); err != nil {
			t.Fatal(err)
		}
		mode := fs.FileMode(0o644)
		if name == exe {
			mode = 0o755
		}
		files = append(files, File{Name: name, Src: src, Mode: mode})
	}
	return files, contents
}

// entry is one file read back from an archive.
type entry struct {
	mode    fs.FileMode
	content string
	modTime time.Time
}

func readTarGz(t *testing.T, path string) map[string]entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s is not gzipped: %v", path, err)
	}
	tr := tar.NewReader(gz)
	out := map[string]entry{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = entry{fs.FileMode(h.Mode).Perm(), string(data), h.ModTime}
	}
}

func readZip(t *testing.T, path string) map[string]entry {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s is not a zip file: %v", path, err)
	}
	defer zr.Close()
	out := map[string]entry{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s in %s: %v", f.Name, path, err)
		}
		out[f.Name] = entry{f.Mode().Perm(), string(data), f.Modified}
	}
	return out
}

func TestWriteArchive(t *testing.T) {
	modTime := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, tt := range []struct {
		target Target
		read   func(*testing.T, string) map[string]entry
	}{
		{Target{"linux", "amd64"}, readTarGz},
		{Target{"darwin", "arm64"}, readTarGz},
		{Target{"windows", "amd64"}, readZip},
	} {
		t.Run(tt.target.String(), func(t *testing.T) {
			files, contents := fakeRelease(t, tt.target.Exe())
			base := tt.target.Base("v1.2.3")
			dst := filepath.Join(t.TempDir(), base+tt.target.ArchiveExt())
			if err := WriteArchive(dst, base, files, modTime); err != nil {
				t.Fatal(err)
			}
			got := tt.read(t, dst)
			delete(got, base+"/") // the tar file's directory entry
			if len(got) != len(contents) {
				t.Errorf("archive holds %d files, want %d: %v", len(got), len(contents), got)
			}
			for name, content := range contents {
				e, ok := got[base+"/"+name]
				wantMode := fs.FileMode(0o644)
				if name == tt.target.Exe() {
					wantMode = 0o755
				}
				switch {
				case !ok:
					t.Errorf("archive lacks %s/%s; it has %v", base, name, got)
				case e.content != content:
					t.Errorf("%s = %q, want %q", name, e.content, content)
				case e.mode != wantMode:
					t.Errorf("%s has mode %v, want %v", name, e.mode, wantMode)
				case !e.modTime.Equal(modTime):
					t.Errorf("%s is dated %v, want %v", name, e.modTime, modTime)
				}
			}
		})
	}
}

func TestArchiveNames(t *testing.T) {
	linux, windows := Target{"linux", "arm64"}, Target{"windows", "amd64"}
	if got := linux.Base("v1.2.3") + linux.ArchiveExt(); got != "workspace-qdrant-mcp-v1.2.3-linux-arm64.tar.gz" {
		t.Errorf("linux archive = %q", got)
	}
	if got := windows.Base("v1.2.3") + windows.ArchiveExt(); got != "workspace-qdrant-mcp-v1.2.3-windows-amd64.zip" {
		t.Errorf("windows archive = %q", got)
	}
	if linux.Exe() != "workspace-qdrant-mcp" || windows.Exe() != "workspace-qdrant-mcp.exe" {
		t.Errorf("binaries %q and %q", linux.Exe(), windows.Exe())
	}
}

func TestWriteArchiveRefuses(t *testing.T) {
	files, _ := fakeRelease(t, "workspace-qdrant-mcp")
	dir := t.TempDir()
	if err := WriteArchive(filepath.Join(dir, "x.rar"), "x", files, time.Now()); err == nil || !strings.Contains(err.Error(), ".tar.gz") {
		t.Errorf("WriteArchive(x.rar) = %v, want an error naming the kinds it writes", err)
	}
	missing := append(files, File{Name: "NOTICE", Src: filepath.Join(dir, "NOTICE"), Mode: 0o644})
	dst := filepath.Join(dir, "x.tar.gz")
	if err := WriteArchive(dst, "x", missing, time.Now()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteArchive with a missing file = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed WriteArchive left %s behind (%v)", dst, err)
	}
}

func TestWriteChecksums(t *testing.T) {
	dir := t.TempDir()
	contents := map[string]string{
		"workspace-qdrant-mcp-v1.2.3-windows-amd64.zip":  "zip bytes",
		"workspace-qdrant-mcp-v1.2.3-linux-amd64.tar.gz": "tar bytes",
		"workspace-qdrant-mcp-v1.2.3.mcpb":               "",
	}
	var names []string
	for name, content := range contents {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := WriteChecksums(dir, names); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, ChecksumsFile))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	slices.Sort(names)
	for _, name := range names {
		sum := sha256.Sum256([]byte(contents[name]))
		fmt.Fprintf(&want, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	if string(got) != want.String() {
		t.Errorf("%s =\n%s\nwant\n%s", ChecksumsFile, got, want.String())
	}
	// The empty file's sum is the well-known one.
	if !strings.Contains(string(got), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  workspace-qdrant-mcp-v1.2.3.mcpb\n") {
		t.Errorf("%s lacks the empty file's sum:\n%s", ChecksumsFile, got)
	}

	if sha256sum, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command(sha256sum, "-c", ChecksumsFile)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c %s: %v\n%s", ChecksumsFile, err, out)
		}
		// and it notices a changed file
		if err := os.WriteFile(filepath.Join(dir, names[0]), []byte("tampered"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command(sha256sum, "-c", ChecksumsFile)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("sha256sum -c passed with a changed file:\n%s", out)
		}
	}
}

func TestWriteChecksumsRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := WriteChecksums(dir, []string{"missing.zip"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteChecksums(missing file) = %v, want ErrNotExist", err)
	}
	if err := WriteChecksums(dir, []string{"sub/x.zip"}); err == nil {
		t.Error("WriteChecksums accepted a path in a subdirectory")
	}
}

// fakeMachO is the smallest Mach-O executable: a 64-bit header with no
// load commands, then payload.
func fakeMachO(t *testing.T, cpu macho.Cpu, payload string) string {
	t.Helper()
	var b bytes.Buffer
	for _, v := range []uint32{macho.Magic64, uint32(cpu), 3, uint32(macho.TypeExec), 0, 0, 0, 0} {
		if err := binary.Write(&b, binary.LittleEndian, v); err != nil {
			t.Fatal(err)
		}
	}
	b.WriteString(payload)
	path := filepath.Join(t.TempDir(), cpu.String())
	if err := os.WriteFile(path, b.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWriteUniversal(t *testing.T) {
	amd := fakeMachO(t, macho.CpuAmd64, "intel code")
	arm := fakeMachO(t, macho.CpuArm64, "apple silicon code")
	dst := filepath.Join(t.TempDir(), "universal")
	if err := WriteUniversal(dst, amd, arm); err != nil {
		t.Fatal(err)
	}
	fat, err := macho.OpenFat(dst)
	if err != nil {
		t.Fatalf("the universal binary does not parse: %v", err)
	}
	defer fat.Close()
	data, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	want := map[macho.Cpu]string{macho.CpuAmd64: amd, macho.CpuArm64: arm}
	if len(fat.Arches) != len(want) {
		t.Fatalf("%d architectures, want %d", len(fat.Arches), len(want))
	}
	for _, a := range fat.Arches {
		src, ok := want[a.Cpu]
		if !ok {
			t.Errorf("unexpected architecture %v", a.Cpu)
			continue
		}
		orig, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if a.Offset%(1<<fatAlign) != 0 || a.Align != fatAlign {
			t.Errorf("%v at offset %d, align %d; want multiples of 2^%d", a.Cpu, a.Offset, a.Align, fatAlign)
		}
		if got := data[a.Offset : a.Offset+a.Size]; !bytes.Equal(got, orig) {
			t.Errorf("%v slice differs from %s", a.Cpu, src)
		}
	}
	if info, err := os.Stat(dst); err != nil || info.Mode().Perm()&0o111 == 0 {
		t.Errorf("universal binary is not executable: %v, %v", info.Mode(), err)
	}
}

func TestWriteUniversalRefuses(t *testing.T) {
	dir := t.TempDir()
	notMachO := filepath.Join(dir, "elf")
	if err := os.WriteFile(notMachO, []byte("\x7fELF..............................."), 0o755); err != nil {
		t.Fatal(err)
	}
	arm := fakeMachO(t, macho.CpuArm64, "x")
	for name, srcs := range map[string][]string{
		"none":              nil,
		"not Mach-O":        {notMachO},
		"same architecture": {arm, arm},
	} {
		if err := WriteUniversal(filepath.Join(dir, "out"), srcs...); err == nil {
			t.Errorf("%s: WriteUniversal(%v) succeeded", name, srcs)
		}
	}
}

func TestWriteBundle(t *testing.T) {
	files, _ := fakeRelease(t, "workspace-qdrant-mcp")
	bin, docs := files[0].Src, files[1:]
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := WriteBundle(dir, "v1.2.3", map[string]string{"darwin": bin, "win32": bin}, docs); err != nil {
		t.Fatal(err)
	}
	for name, mode := range map[string]fs.FileMode{
		"manifest.json": 0o644, "LICENSE": 0o644, "README.md": 0o644,
		"server/workspace-qdrant-mcp": 0o755, "server/workspace-qdrant-mcp.exe": 0o755,
	} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("bundle lacks %s: %v", name, err)
		} else if info.Mode().Perm() != mode {
			t.Errorf("%s has mode %v, want %v", name, info.Mode().Perm(), mode)
		}
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(manifest), `"version": "1.2.3"`) {
		t.Errorf("manifest does not carry version 1.2.3:\n%s", manifest)
	}
	if err := WriteBundle(t.TempDir(), "v1.2.3", map[string]string{"linux": bin}, docs); err == nil {
		t.Error("WriteBundle accepted a binary for linux, which the manifest does not know")
	}
}

func TestPackerUnavailable(t *testing.T) {
	p := Packer{Tool: []string{"no-such-mcpb-command-anywhere"}, Log: io.Discard}
	if err := p.Available(context.Background()); !errors.Is(err, ErrNoMCPBTool) {
		t.Errorf("Available() = %v, want ErrNoMCPBTool", err)
	}
	p = Packer{Tool: []string{"false"}, Log: io.Discard}
	if err := p.Available(context.Background()); !errors.Is(err, ErrNoMCPBTool) {
		t.Errorf("Available() of a failing command = %v, want ErrNoMCPBTool", err)
	}
}

func TestParseTargets(t *testing.T) {
	got, err := ParseTargets("darwin/arm64, linux/amd64")
	if err != nil || !slices.Equal(got, []Target{{"darwin", "arm64"}, {"linux", "amd64"}}) {
		t.Errorf("ParseTargets = %v, %v", got, err)
	}
	for _, bad := range []string{"", "linux", "plan9/amd64", "linux/amd64,linux/amd64"} {
		if _, err := ParseTargets(bad); err == nil {
			t.Errorf("ParseTargets(%q) succeeded", bad)
		}
	}
}

func TestCheckVersion(t *testing.T) {
	for v, wantErr := range map[string]string{
		"": "no version", "1.2.3": `"1.2.3" is not a release version`, "v1.2": `"v1.2"`, "latest": `"latest"`,
		"v1.2.3": "", "v0.2.0-rc.1": "",
	} {
		err := CheckVersion(v)
		if (err == nil) != (wantErr == "") || (err != nil && !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("CheckVersion(%q) = %v, want %q", v, err, wantErr)
		}
	}
}

func TestBuildCommand(t *testing.T) {
	cmd := BuildCommand(context.Background(), "/src", Target{"darwin", "arm64"}, "v1.2.3", "/out/bin")
	args := strings.Join(cmd.Args, " ")
	for _, want := range []string{"build -trimpath", "-X workspace-qdrant-mcp/internal/version.stamp=v1.2.3", "-o /out/bin"} {
		if !strings.Contains(args, want) {
			t.Errorf("go %s lacks %q", args, want)
		}
	}
	env := strings.Join(cmd.Env, "\n")
	for _, want := range []string{"CGO_ENABLED=0", "GOOS=darwin", "GOARCH=arm64"} {
		if !strings.Contains(env, "\n"+want) {
			t.Errorf("environment lacks %s", want)
		}
	}
	if cmd.Dir != "/src" {
		t.Errorf("runs in %q, want /src", cmd.Dir)
	}
}
