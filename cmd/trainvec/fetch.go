package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"workspace-qdrant-mcp/internal/benchcorpus"
)

// source is one manifest line: a package of a registry at a version,
// and for debsrc the upstream tarball's file name and SHA-256.
type source struct {
	kind, name, version string
	file, sha256        string
}

// readManifest reads "KIND NAME VERSION" lines (KIND go, npm or deb) and
// "debsrc PACKAGE VERSION FILE SHA256" lines; # starts a comment.
func readManifest(path string) ([]source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	var out []source
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch {
		case len(fields) == 3 && (fields[0] == "go" || fields[0] == "npm" || fields[0] == "deb"):
			out = append(out, source{kind: fields[0], name: fields[1], version: fields[2]})
		case len(fields) == 5 && fields[0] == "debsrc" && len(fields[4]) == 64:
			out = append(out, source{kind: fields[0], name: fields[1], version: fields[2], file: fields[3], sha256: fields[4]})
		default:
			return nil, fmt.Errorf("manifest %s:%d: want \"go|npm|deb NAME VERSION\" or \"debsrc PACKAGE VERSION FILE SHA256\", got %q", path, n, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return out, nil
}

// readManifests reads the manifests named in list, comma-separated, and
// returns their sources in order: the first file's, then the next's.
func readManifests(list string) ([]source, error) {
	var out []source
	for _, path := range strings.Split(list, ",") {
		if path = strings.TrimSpace(path); path == "" {
			continue
		}
		srcs, err := readManifest(path)
		if err != nil {
			return nil, err
		}
		out = append(out, srcs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("manifest %q: no sources", list)
	}
	return out, nil
}

// dir returns where fetch puts the source's files under root.
func (s source) dir(root string) string {
	switch s.kind {
	case "go":
		return filepath.Join(root, "gomod", escapeModule(s.name)+"@"+s.version)
	case "npm":
		return filepath.Join(root, "npm", strings.ReplaceAll(s.name, "/", "_")+"@"+s.version)
	case "debsrc":
		return filepath.Join(root, "debsrc", s.name+"_"+s.version)
	default:
		return filepath.Join(root, "deb", s.name+"_"+s.version)
	}
}

// escapeModule is the module cache's case encoding of a module path: each
// capital letter becomes ! and the letter in lowercase.
func escapeModule(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// runFetch downloads every source of the manifest into dir with the
// registries' own clients: go mod download (into dir/gomod, a module
// cache of its own), npm pack (unpacked under dir/npm) and apt-get
// download (unpacked with dpkg-deb under dir/deb); debsrc tarballs come
// from Debian's pool, checked against their SHA-256 (unpacked under
// dir/debsrc). A source already fetched is skipped; one that fails (a
// pool file that a point release replaced, say) is reported and the rest
// go on.
func runFetch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fetch", flag.ExitOnError)
	manifest := fs.String("manifest", "cmd/trainvec/manifest.txt", "the sources to fetch: manifest files, comma-separated")
	dir := fs.String("dir", "", "where to put the corpus")
	_ = fs.Parse(args)
	if *dir == "" {
		return fmt.Errorf("fetch: -dir is required")
	}
	srcs, err := readManifests(*manifest)
	if err != nil {
		return err
	}
	root, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	failed := 0
	for _, s := range srcs {
		if err := fetchOne(ctx, root, s); err != nil {
			log.Printf("%s %s@%s: %v", s.kind, s.name, s.version, err)
			failed++
		}
	}
	log.Printf("%d of %d sources fetched", len(srcs)-failed, len(srcs))
	return nil
}

func fetchOne(ctx context.Context, root string, s source) error {
	switch s.kind {
	case "go":
		cmd := exec.CommandContext(ctx, "go", "mod", "download", s.name+"@"+s.version)
		cmd.Dir = os.TempDir()
		cmd.Env = append(os.Environ(), "GOMODCACHE="+filepath.Join(root, "gomod"), "GOFLAGS=-mod=mod")
		return run(cmd)
	case "npm":
		return download(ctx, root, s.dir(root), "*.tgz", untgz, "npm", "pack", "--silent", s.name+"@"+s.version)
	case "debsrc":
		return fetchDebianSource(ctx, root, s)
	default: // deb
		return download(ctx, root, s.dir(root), "*.deb", func(deb, out string) error {
			return run(exec.CommandContext(ctx, "dpkg-deb", "-x", deb, out))
		}, "apt-get", "download", s.name+"="+s.version)
	}
}

// fetchDebianSource unpacks the source's upstream tarball from Debian's
// pool into its directory under root, unless that exists. The tarball is
// unpacked in a scratch directory and renamed into place, so an
// interrupted fetch leaves nothing half done.
func fetchDebianSource(ctx context.Context, root string, s source) error {
	out := s.dir(root)
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("debsrc %s: %w", s.name, err)
	}
	tmp, err := os.MkdirTemp(root, "fetch-")
	if err != nil {
		return fmt.Errorf("debsrc %s: %w", s.name, err)
	}
	defer os.RemoveAll(tmp)
	unpacked := filepath.Join(tmp, "unpacked")
	if err := os.Mkdir(unpacked, 0o755); err != nil {
		return fmt.Errorf("debsrc %s: %w", s.name, err)
	}
	src := benchcorpus.DebianSource{Package: s.name, Version: s.version, File: s.file, SHA256: s.sha256}
	if _, err := src.Fetch(ctx, tmp, unpacked); err != nil {
		return err
	}
	if err := os.Rename(unpacked, out); err != nil {
		return fmt.Errorf("debsrc %s: %w", s.name, err)
	}
	return nil
}

// download runs the command args in a scratch directory under root,
// expects it to leave one file matching glob there, and unpacks that file
// into out, unless out exists already.
func download(ctx context.Context, root, out, glob string, unpack func(file, out string) error, args ...string) error {
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	// dpkg-deb -x makes out but not its parent.
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(root, "fetch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = tmp
	if err := run(cmd); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(tmp, glob))
	if err != nil || len(files) != 1 {
		return fmt.Errorf("%s left %d files %s", args[0], len(files), glob)
	}
	return unpack(files[0], out)
}

// run runs cmd, returning its error with the tail of its output.
func run(cmd *exec.Cmd) error {
	out, err := cmd.CombinedOutput()
	if err != nil {
		tail := strings.TrimSpace(string(out))
		if len(tail) > 500 {
			tail = tail[len(tail)-500:]
		}
		return fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), err, tail)
	}
	return nil
}

// untgz unpacks the regular files of a gzipped tar archive into dir,
// refusing paths that leave it.
func untgz(path, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(name, dir+string(filepath.Separator)) {
			return fmt.Errorf("%s: entry %q leaves the directory", path, h.Name)
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		out, err := os.Create(name)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
}
