package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"workspace-qdrant-mcp/internal/benchcorpus"
)

// Repo is one repository of the evaluation, as repos.json lists it: where
// its published source comes from and which part of it is the workspace.
type Repo struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	// Source is the registry: "go" (the Go module proxy, Package is the
	// module path), "npm" (the npm registry), "deb" (Debian's archive,
	// Package is a binary package that ships source) or "debsrc"
	// (Debian's archive, Package is a source package and File its
	// upstream tarball, checked against SHA256; the workspace is the
	// tarball's top directory, or the tarball itself when it has several).
	Source  string `json:"source"`
	Package string `json:"package"`
	Version string `json:"version"`
	File    string `json:"file,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	// Root is the workspace inside the unpacked package ("" for its top).
	Root string `json:"root,omitempty"`
	// Ignore lists extra workspace.ignore patterns, for build output that
	// a clone's .gitignore would exclude but a published package ships.
	Ignore []string `json:"ignore,omitempty"`
}

func loadRepos(path string) ([]Repo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the repository list: %w", err)
	}
	var repos []Repo
	if err := json.Unmarshal(data, &repos); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	seen := map[string]bool{}
	for _, r := range repos {
		switch {
		case r.Name == "" || r.Package == "" || r.Version == "" || r.Language == "":
			return nil, fmt.Errorf("%s: repository %q needs a name, language, package and version", path, r.Name)
		case seen[r.Name]:
			return nil, fmt.Errorf("%s: repository %q is listed twice", path, r.Name)
		case r.Source != "go" && r.Source != "npm" && r.Source != "deb" && r.Source != "debsrc":
			return nil, fmt.Errorf("%s: repository %q: source %q is not go, npm, deb or debsrc", path, r.Name, r.Source)
		case r.Source == "debsrc" && (r.File == "" || len(r.SHA256) != 64):
			return nil, fmt.Errorf("%s: repository %q: a debsrc source needs the tarball's file name and its sha256", path, r.Name)
		}
		seen[r.Name] = true
	}
	return repos, nil
}

// fetch makes dst a copy of the repository's workspace, unless it exists.
// The copy is made in a temporary directory and renamed into place, so an
// interrupted fetch leaves nothing half done.
func fetch(r Repo, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".fetch-"+r.Name+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	unpacked := filepath.Join(tmp, "unpacked")
	if err := os.Mkdir(unpacked, 0o755); err != nil {
		return err
	}
	var top string
	switch r.Source {
	case "go":
		out, err := command(tmp, "go", "mod", "download", "-json", r.Package+"@"+r.Version)
		if err != nil {
			return err
		}
		var mod struct{ Dir, Error string }
		if err := json.Unmarshal(out, &mod); err != nil {
			return fmt.Errorf("go mod download %s@%s: %w", r.Package, r.Version, err)
		}
		if mod.Error != "" {
			return fmt.Errorf("go mod download %s@%s: %s", r.Package, r.Version, mod.Error)
		}
		top = mod.Dir
	case "npm":
		out, err := command(tmp, "npm", "pack", "--silent", r.Package+"@"+r.Version)
		if err != nil {
			return err
		}
		tgz := strings.TrimSpace(string(out))
		if i := strings.LastIndexByte(tgz, '\n'); i >= 0 {
			tgz = tgz[i+1:]
		}
		if _, err := command(tmp, "tar", "-xzf", filepath.Join(tmp, tgz), "-C", unpacked); err != nil {
			return err
		}
		top = unpacked
	case "deb":
		if _, err := command(tmp, "apt-get", "download", r.Package+"="+r.Version); err != nil {
			return fmt.Errorf("%w (run apt-get update first; a Debian point release may have replaced version %s: list the versions there are with apt-cache policy %s)", err, r.Version, r.Package)
		}
		debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
		if len(debs) != 1 {
			return fmt.Errorf("apt-get download %s: expected one .deb, found %d", r.Package, len(debs))
		}
		if _, err := command(tmp, "dpkg-deb", "-x", debs[0], unpacked); err != nil {
			return err
		}
		top = unpacked
	case "debsrc":
		src := benchcorpus.DebianSource{Package: r.Package, Version: r.Version, File: r.File, SHA256: r.SHA256}
		if top, err = src.Fetch(context.Background(), tmp, unpacked); err != nil {
			return err
		}
	}
	src := filepath.Join(top, filepath.FromSlash(r.Root))
	copied := filepath.Join(tmp, "copy")
	n, _, err := benchcorpus.CopyAll(src, copied)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("copy %s: no such directory in the package: %w", src, err)
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: no files under %s", r.Name, r.Root)
	}
	return os.Rename(copied, dst)
}

// command runs a command in dir and returns its stdout; its error names
// the command and carries its stderr.
func command(dir, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
