// Command release builds the files of a workspace-qdrant-mcp release.
//
// Usage, from the repository:
//
//	go run ./cmd/release -version v1.2.3 [-out dist] [-targets linux/amd64,...] [-mcpb off]
//
// It cross-builds the server for linux/amd64, linux/arm64, darwin/amd64,
// darwin/arm64 and windows/amd64 (CGO_ENABLED=0, -trimpath, the version
// stamped at link time) and writes into -out one archive per target,
// workspace-qdrant-mcp-v1.2.3-linux-amd64.tar.gz and so on (a zip for
// Windows), each holding the binary, LICENSE and README.md. From the macOS
// and Windows binaries it makes the Claude Desktop extension,
// workspace-qdrant-mcp-v1.2.3.mcpb (a universal binary for macOS), which
// the mcpb tool validates and packs; it runs through npx (Node.js), and
// when it cannot run the command says so and makes no .mcpb. Last it
// writes SHA256SUMS, which `sha256sum -c SHA256SUMS` checks.
//
// A target that fails to build is named, the others are still built, and
// the command exits 1; -targets builds only the ones listed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"workspace-qdrant-mcp/internal/release"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil { // stdout-ok: the release command is not the server; it reports on stdout
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "release:", err)
		}
		os.Exit(1)
	}
}

// options are the command line's.
type options struct {
	version string
	out     string
	targets []release.Target
	mcpb    []string // the mcpb tool's command; nil for off
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.version, "version", "", "the release's version, such as v1.2.3 (required)")
	fs.StringVar(&o.out, "out", "dist", "the directory to write the release's files into")
	targets := fs.String("targets", targetList(release.Targets), "the GOOS/GOARCH targets to build, comma-separated")
	mcpbTool := fs.String("mcpb", strings.Join(release.MCPBTool, " "), `the command that runs the mcpb tool, or "off" to make no .mcpb`)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := release.CheckVersion(o.version); err != nil {
		return o, fmt.Errorf("-version: %w", err)
	}
	if o.out == "" {
		return o, fmt.Errorf("-out: no directory given")
	}
	var err error
	if o.targets, err = release.ParseTargets(*targets); err != nil {
		return o, fmt.Errorf("-targets: %w", err)
	}
	if *mcpbTool != "off" {
		o.mcpb = strings.Fields(*mcpbTool)
	}
	return o, nil
}

func targetList(ts []release.Target) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.String())
	}
	return strings.Join(names, ",")
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	docs := []release.File{
		{Name: "LICENSE", Src: filepath.Join(root, "LICENSE"), Mode: 0o644},
		{Name: "README.md", Src: filepath.Join(root, "README.md"), Mode: 0o644},
	}
	for _, d := range docs {
		if _, err := os.Stat(d.Src); err != nil {
			return fmt.Errorf("the archives need %s: %w", d.Name, err)
		}
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	work, err := os.MkdirTemp("", "wqm-release-")
	if err != nil {
		return fmt.Errorf("make a work directory: %w", err)
	}
	defer os.RemoveAll(work)

	start := time.Now()
	var written, failed []string
	binaries := map[release.Target]string{}
	for _, t := range o.targets {
		began := time.Now()
		bin := filepath.Join(work, t.GOOS+"-"+t.GOARCH, t.Exe())
		if err := release.Build(ctx, root, t, o.version, bin); err != nil {
			fmt.Fprintf(stderr, "FAILED %s: %v\n", t, err)
			failed = append(failed, t.String())
			continue
		}
		name := t.Base(o.version) + t.ArchiveExt()
		files := append([]release.File{{Name: t.Exe(), Src: bin, Mode: 0o755}}, docs...)
		if err := release.WriteArchive(filepath.Join(o.out, name), t.Base(o.version), files, start); err != nil {
			return err
		}
		binaries[t] = bin
		written = append(written, name)
		fmt.Fprintf(stdout, "built %-14s %s (%s)\n", t, name, time.Since(began).Round(100*time.Millisecond))
	}

	if name, err := bundle(ctx, o, work, binaries, docs, stdout); err != nil {
		return err
	} else if name != "" {
		written = append(written, name)
	}

	if err := release.WriteChecksums(o.out, written); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s for %d files in %s (%s in all)\n", release.ChecksumsFile, len(written), o.out,
		time.Since(start).Round(100*time.Millisecond))
	if len(failed) > 0 {
		return fmt.Errorf("release %s is incomplete: %s failed to build", o.version, strings.Join(failed, ", "))
	}
	return nil
}

// bundle makes the Claude Desktop extension from the binaries built, if
// it can, and returns its file name in o.out ("" when it made none).
func bundle(ctx context.Context, o options, work string, binaries map[release.Target]string, docs []release.File, stdout io.Writer) (string, error) {
	if o.mcpb == nil {
		fmt.Fprintln(stdout, "skipped the .mcpb extension: -mcpb off")
		return "", nil
	}
	platforms := map[string]string{}
	darwinAmd, okAmd := binaries[release.Target{GOOS: "darwin", GOARCH: "amd64"}]
	darwinArm, okArm := binaries[release.Target{GOOS: "darwin", GOARCH: "arm64"}]
	if okAmd && okArm {
		universal := filepath.Join(work, "darwin-universal")
		if err := release.WriteUniversal(universal, darwinAmd, darwinArm); err != nil {
			return "", err
		}
		platforms["darwin"] = universal
	}
	if win, ok := binaries[release.Target{GOOS: "windows", GOARCH: "amd64"}]; ok {
		platforms["win32"] = win
	}
	switch {
	case len(platforms) == 0:
		fmt.Fprintln(stdout, "skipped the .mcpb extension: it needs darwin/amd64 and darwin/arm64, or windows/amd64, and neither was built")
		return "", nil
	case len(platforms) == 1:
		fmt.Fprintf(stdout, "the .mcpb extension runs on %s only: the other platform's binaries were not built\n", strings.Join(keys(platforms), ""))
	}

	packer := release.Packer{Tool: o.mcpb, Log: stdout}
	if err := packer.Available(ctx); err != nil {
		fmt.Fprintf(stdout, "skipped the .mcpb extension: %v\n", err)
		return "", nil
	}
	began := time.Now()
	dir := filepath.Join(work, "bundle")
	if err := release.WriteBundle(dir, o.version, platforms, docs); err != nil {
		return "", err
	}
	name := release.BundleName(o.version)
	dst, err := filepath.Abs(filepath.Join(o.out, name))
	if err != nil {
		return "", fmt.Errorf("pack the extension: %w", err)
	}
	if err := packer.Pack(ctx, dir, dst); err != nil {
		return "", fmt.Errorf("pack the extension: %w", err)
	}
	fmt.Fprintf(stdout, "built the extension %s (%s)\n", name, time.Since(began).Round(100*time.Millisecond))
	return name, nil
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// moduleRoot is the directory of the workspace-qdrant-mcp module the
// command runs in.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Path}} {{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module (run the command in the repository): go list -m: %w", err)
	}
	path, dir, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if path != "workspace-qdrant-mcp" || dir == "" {
		return "", fmt.Errorf("run the command in the workspace-qdrant-mcp repository, not in module %q", path)
	}
	return dir, nil
}
