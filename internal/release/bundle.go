package release

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"workspace-qdrant-mcp/packaging/mcpb"
)

// MCPBTool is the default command that runs the mcpb tool: npx, with the
// tool's npm package pinned.
var MCPBTool = []string{"npx", "--yes", "--package=@anthropic-ai/mcpb@2.1.2", "mcpb"}

// BundleName is the file name of release v's Claude Desktop extension.
func BundleName(v string) string { return fmt.Sprintf("%s-%s.mcpb", Name, v) }

// WriteBundle lays out the extension's bundle directory dir for release
// v: the manifest rendered for the platforms of binaries, which maps an
// MCPB platform ("darwin", "win32") to the binary to run there, each
// binary where the manifest says, and the extra files (LICENSE,
// README.md) at the top.
func WriteBundle(dir, v string, binaries map[string]string, extra []File) error {
	var platforms []string
	for _, p := range mcpb.Platforms {
		if _, ok := binaries[p]; ok {
			platforms = append(platforms, p)
		}
	}
	if len(platforms) != len(binaries) {
		return fmt.Errorf("write bundle: binaries for %d platforms, of which only %v are known", len(binaries), platforms)
	}
	manifest, err := mcpb.Render(v, platforms)
	if err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "server"), 0o755); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), manifest, 0o644); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	files := extra
	for _, p := range platforms {
		files = append(files, File{Name: mcpb.Binary(p), Src: binaries[p], Mode: 0o755})
	}
	for _, f := range files {
		if err := copyTo(filepath.Join(dir, filepath.FromSlash(f.Name)), f); err != nil {
			return fmt.Errorf("write bundle: %w", err)
		}
	}
	return nil
}

// copyTo copies f.Src to dst with f.Mode.
func copyTo(dst string, f File) (err error) {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, f.Mode.Perm())
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	return copyFile(f, func(int64) (io.Writer, error) { return out, nil })
}

// ErrNoMCPBTool is returned when the mcpb tool cannot be run.
var ErrNoMCPBTool = errors.New("the mcpb tool cannot be run")

// Packer runs the mcpb tool, Tool (such as MCPBTool), with its output
// going to Log.
type Packer struct {
	Tool []string
	Log  io.Writer
}

// Available returns nil when the tool runs, else an error wrapping
// ErrNoMCPBTool that says why.
func (p Packer) Available(ctx context.Context) error {
	if len(p.Tool) == 0 {
		return fmt.Errorf("%w: no command given", ErrNoMCPBTool)
	}
	if _, err := exec.LookPath(p.Tool[0]); err != nil {
		return fmt.Errorf("%w: %v", ErrNoMCPBTool, err)
	}
	out, err := p.command(ctx, "--version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s --version: %v\n%s", ErrNoMCPBTool, strings.Join(p.Tool, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Pack validates the manifest of the bundle directory dir, then packs
// dir into the file dst.
func (p Packer) Pack(ctx context.Context, dir, dst string) error {
	for _, args := range [][]string{
		{"validate", filepath.Join(dir, "manifest.json")},
		{"pack", dir, dst},
	} {
		cmd := p.command(ctx, args...)
		cmd.Stdout, cmd.Stderr = p.Log, p.Log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("mcpb %s: %w", args[0], err)
		}
	}
	return nil
}

func (p Packer) command(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, p.Tool[0], append(p.Tool[1:len(p.Tool):len(p.Tool)], args...)...)
}
