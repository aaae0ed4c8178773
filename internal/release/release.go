// Package release builds the files of a workspace-qdrant-mcp release:
// the server cross-built for each target, stamped with the version, in
// archives (tar.gz for Linux and macOS, zip for Windows) holding the
// binary, LICENSE and README.md; a universal macOS binary and the Claude
// Desktop extension bundle built from them; and a SHA256SUMS file in the
// format `sha256sum -c` reads. cmd/release drives it.
package release

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"workspace-qdrant-mcp/internal/version"
)

// Name is the program's name: the binary's and the archives'.
const Name = "workspace-qdrant-mcp"

// Target is one platform a release has a binary for.
type Target struct{ GOOS, GOARCH string }

func (t Target) String() string { return t.GOOS + "/" + t.GOARCH }

// Exe is the binary's file name on t.
func (t Target) Exe() string {
	if t.GOOS == "windows" {
		return Name + ".exe"
	}
	return Name
}

// ArchiveExt is the extension of t's archive.
func (t Target) ArchiveExt() string {
	if t.GOOS == "windows" {
		return ".zip"
	}
	return ".tar.gz"
}

// Base is the name of t's archive of release v without its extension,
// and the directory the archive's files are in.
func (t Target) Base(v string) string {
	return fmt.Sprintf("%s-%s-%s-%s", Name, v, t.GOOS, t.GOARCH)
}

// Targets are the platforms a release is built for.
var Targets = []Target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"},
}

// ParseTargets parses a comma-separated list of GOOS/GOARCH, each one of
// Targets.
func ParseTargets(s string) ([]Target, error) {
	var out []Target
	for _, field := range strings.Split(s, ",") {
		name := strings.TrimSpace(field)
		i := indexTarget(name)
		if i < 0 {
			return nil, fmt.Errorf("target %q is not one of %v", name, Targets)
		}
		for _, t := range out {
			if t == Targets[i] {
				return nil, fmt.Errorf("target %s is named twice", name)
			}
		}
		out = append(out, Targets[i])
	}
	return out, nil
}

func indexTarget(name string) int {
	for i, t := range Targets {
		if t.String() == name {
			return i
		}
	}
	return -1
}

// CheckVersion says what is wrong with v as a release's version.
func CheckVersion(v string) error {
	if v == "" {
		return fmt.Errorf("no version: give the release's version, such as -version v1.2.3")
	}
	if !version.IsRelease(v) {
		return fmt.Errorf("version %q is not a release version: want v and a semantic version, such as v1.2.3 or v1.3.0-rc.1", v)
	}
	return nil
}

// BuildCommand is the go build that makes t's binary of release v at out,
// from the module in dir: static (CGO_ENABLED=0), without local paths
// (-trimpath), stripped of its symbol table, and stamped with v.
func BuildCommand(ctx context.Context, dir string, t Target, v, out string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath",
		"-ldflags", "-s -w -X workspace-qdrant-mcp/internal/version.stamp="+v,
		"-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.GOOS, "GOARCH="+t.GOARCH)
	return cmd
}

// Build builds t's binary of release v at out from the module in dir.
func Build(ctx context.Context, dir string, t Target, v, out string) error {
	if msg, err := BuildCommand(ctx, dir, t, v, out).CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %w\n%s", t, err, strings.TrimSpace(string(msg)))
	}
	return nil
}
