package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildServer builds the server into a temporary directory with the extra
// go build arguments and returns the binary's path.
func buildServer(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "workspace-qdrant-mcp")
	cmd := exec.Command("go", append(append([]string{"build", "-o", bin}, args...), ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", args, err, out)
	}
	return bin
}

// reportedVersions returns what bin says its version is through each of
// the three ways it reports it: -version on stderr, the initialize
// response's serverInfo.version and engine_status's version.
func reportedVersions(t *testing.T, bin string) (flag, serverInfo, status string) {
	t.Helper()
	fx := newFixture(t, fixtureOptions{})
	v := spawnBinary(t, bin, fx, "-version")
	if !v.waitExit(10 * time.Second) {
		t.Fatal("-version did not exit")
	}
	if code := v.exitCode(); code != 0 {
		t.Fatalf("-version: exit status %d, stderr %q", code, v.stderr.String())
	}
	name, flag, ok := strings.Cut(strings.TrimSpace(v.stderr.String()), " ")
	if !ok || name != "workspace-qdrant-mcp" {
		t.Fatalf("-version printed %q, want \"workspace-qdrant-mcp VERSION\"", v.stderr.String())
	}

	p := spawnBinary(t, bin, fx, "-config", fx.config)
	serverInfo = p.initialize(t).ServerInfo.Version
	status = p.mustCall(t, "engine_status", nil).str("version")
	return flag, serverInfo, status
}

func TestVersionStampedAtLinkTime(t *testing.T) {
	const want = "v9.8.7-test"
	bin := buildServer(t, "-ldflags", "-X workspace-qdrant-mcp/internal/version.stamp="+want)
	flag, info, status := reportedVersions(t, bin)
	if flag != want || info != want || status != want {
		t.Errorf("-version %q, serverInfo.version %q, engine_status.version %q; want %q for all",
			flag, info, status, want)
	}
}

// A plain go build in a git checkout reports the checkout's revision.
//
// -buildvcs=auto is what go build does by default; it is explicit here
// because a machine's go env may say -buildvcs=false. Go finds no
// repository in a linked git worktree (golang/go#58218), so there the
// binary has no revision and the test skips; a clone has one.
func TestVersionFromVCS(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not in a git checkout (git rev-parse HEAD: %v)", err)
	}
	bin := buildServer(t, "-buildvcs=auto")
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	if !strings.Contains(string(info), "vcs.revision=") {
		t.Skip("go build stamped no VCS information: in a linked git worktree Go finds no repository " +
			"(golang/go#58218); run the test in a clone to check the revision")
	}
	status, err := exec.Command("git", "status", "--porcelain").Output()
	if err != nil {
		t.Fatalf("git status: %v", err)
	}
	want := "devel+" + strings.TrimSpace(string(head))[:12]
	if len(strings.TrimSpace(string(status))) > 0 {
		want += "-dirty"
	}
	flag, serverInfo, engineStatus := reportedVersions(t, bin)
	if flag != want || serverInfo != want || engineStatus != want {
		t.Errorf("-version %q, serverInfo.version %q, engine_status.version %q; want %q for all",
			flag, serverInfo, engineStatus, want)
	}
}
