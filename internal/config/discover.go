package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Names of the files and variables Resolve looks at.
const (
	// ProjectFile is the project's own configuration, at the first
	// workspace root. It is never config.yaml: many projects have a
	// config.yaml of their own.
	ProjectFile = ".wqm.yaml"
	// EnvConfig names one configuration file, used alone.
	EnvConfig = "WQM_CONFIG"
	// EnvRoots lists workspace roots, separated by the OS's path-list
	// separator (: on Unix, ; on Windows).
	EnvRoots = "WQM_ROOTS"
	appDir   = "workspace-qdrant-mcp"
)

// Options are what the command line says about the configuration.
type Options struct {
	File  string   // -config: one file, used alone
	Roots []string // -root, repeatable: the workspace roots
}

// Resolve finds and loads the configuration:
//
//   - the file of -config, else of $WQM_CONFIG, alone over the defaults;
//   - otherwise the user's file, UserFile(), then the project's
//     ProjectFile at the first workspace root, each when present, the
//     project's keys replacing the user's one by one (a key the project
//     file does not set keeps the user file's value);
//   - otherwise built-in defaults.
//
// A config.yaml in the working directory is never read implicitly.
//
// The workspace roots are -root, else $WQM_ROOTS, else workspace.roots
// of the files, else the git top level of the working directory unless
// that is the file system's root or the home directory (Claude Desktop
// starts servers in such directories); else there is none. The project
// file is looked for at the first root that -root, $WQM_ROOTS or git
// gives. A storage.data_dir left unset is DataDirFor(roots): one index
// per workspace.
func Resolve(opts Options) (Config, error) {
	roots := opts.Roots
	if len(roots) == 0 {
		roots = filepath.SplitList(os.Getenv(EnvRoots))
		roots = slices.DeleteFunc(roots, func(r string) bool { return strings.TrimSpace(r) == "" })
	}
	// The git top level: the project file's place when no root is
	// given, and the roots when the files name none either.
	var git []string
	if len(roots) == 0 {
		git = gitRoot()
	}
	explicit := opts.File
	if explicit == "" {
		explicit = os.Getenv(EnvConfig)
	}
	if explicit != "" {
		return loadLayers(roots, git, layer{path: explicit})
	}
	var layers []layer
	if user := UserFile(); user != "" && isFile(user) {
		layers = append(layers, layer{path: user})
	}
	projectRoots := roots
	if len(projectRoots) == 0 {
		projectRoots = git
	}
	if len(projectRoots) > 0 {
		dir, err := filepath.Abs(projectRoots[0])
		if err == nil && isFile(filepath.Join(dir, ProjectFile)) {
			layers = append(layers, layer{path: filepath.Join(dir, ProjectFile), rootsFrom: dir})
		}
	}
	return loadLayers(roots, git, layers...)
}

// UserFile is the user's configuration file:
// os.UserConfigDir()/workspace-qdrant-mcp/config.yaml, or "" when the
// OS names no configuration directory.
func UserFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, appDir, "config.yaml")
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// gitRoot is the git top level of the working directory, or none when
// there is none or it is the file system's root or the home directory.
func gitRoot() []string {
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return nil
	}
	top := strings.TrimSpace(string(out))
	if top == "" {
		return nil
	}
	// Git for Windows prints C:/Users/...: Clean gives the OS's separators.
	top = filepath.Clean(top)
	if tooBroad(top) {
		return nil
	}
	return []string{top}
}

// tooBroad reports whether dir is a file system root or the user's home
// directory: never indexed unless named explicitly.
func tooBroad(dir string) bool {
	if filepath.Dir(dir) == dir {
		return true
	}
	home, err := os.UserHomeDir()
	return err == nil && sameDir(home, dir)
}

func sameDir(a, b string) bool {
	ra, errA := filepath.EvalSymlinks(a)
	rb, errB := filepath.EvalSymlinks(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return ra == rb
}

// DataHome is the directory under which every workspace's data
// directory lies: $XDG_DATA_HOME/workspace-qdrant-mcp when that is set,
// else the OS's per-user data directory: ~/.local/share on Linux,
// ~/Library/Application Support on macOS, %LOCALAPPDATA% on Windows.
func DataHome() string { return dataHomeFrom(runtime.GOOS, os.Getenv) }

func dataHomeFrom(goos string, getenv func(string) string) string {
	base := getenv("XDG_DATA_HOME")
	if base == "" && goos == "windows" {
		base = getenv("LOCALAPPDATA")
	}
	if base == "" {
		home, err := os.UserHomeDir()
		switch {
		case err != nil:
			base = os.TempDir()
		case goos == "darwin":
			base = filepath.Join(home, "Library", "Application Support")
		default:
			base = filepath.Join(home, ".local", "share")
		}
	}
	return filepath.Join(base, appDir)
}

// DataDirFor is the default data directory of a workspace:
// DataHome()/<base name of the first root>-<12 hex digits of a hash of
// the sorted roots>, so that sessions on one workspace share an index
// and sessions on different workspaces never touch each other's. With no
// roots it is DataHome()/no-workspace. roots must be absolute and clean.
func DataDirFor(roots []string) string {
	if len(roots) == 0 {
		return filepath.Join(DataHome(), "no-workspace")
	}
	sorted := slices.Clone(roots)
	slices.Sort(sorted)
	sum := sha256.Sum256([]byte(strings.Join(sorted, "\x00")))
	return filepath.Join(DataHome(), safeName(filepath.Base(roots[0]))+"-"+hex.EncodeToString(sum[:6]))
}

// safeName keeps letters, digits, '.', '_' and '-' of a directory's base
// name, so that it is a file name on every OS.
func safeName(base string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, base)
	name = strings.Trim(name, ".")
	if name == "" {
		return "workspace"
	}
	return name
}

// LegacyIndex returns where earlier versions kept the one shared index
// (DataHome() itself), when an index is still there and dataDir is not
// it. Such an index is left alone.
func LegacyIndex(dataDir string) (string, bool) {
	home := DataHome()
	if sameDir(home, dataDir) {
		return "", false
	}
	_, err := os.Stat(filepath.Join(home, "ledger.db"))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Sprintf("%s (unreadable: %v)", home, err), true
		}
		return "", false
	}
	return home, true
}
