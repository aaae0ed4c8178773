package enginetest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Gopls finds gopls on PATH or in $(go env GOPATH)/bin, where .ci/run
// installs it, or skips the test: the tests that run a real language
// server (engine's and engine/lsp's) share it.
func Gopls(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("gopls"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			// LookPath adds .exe on Windows.
			if p, err := exec.LookPath(filepath.Join(dir, "bin", "gopls")); err == nil {
				return p
			}
		}
	}
	t.Skip("gopls not found on PATH or in $(go env GOPATH)/bin: install it with go install golang.org/x/tools/gopls@v0.23.0 (.ci/run does)")
	return ""
}
