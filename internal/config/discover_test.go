package config

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// isolate gives Resolve a user configuration directory, a data home and
// a working directory of the test's own, outside any git repository.
func isolate(t *testing.T) (home, cwd string) {
	t.Helper()
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("APPDATA", filepath.Join(home, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv(EnvConfig, "")
	t.Setenv(EnvRoots, "")
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(home))
	cwd = filepath.Join(home, "cwd")
	mkdir(t, cwd)
	t.Chdir(cwd)
	return home, cwd
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func write(t *testing.T, path, text string) string {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func resolved(t *testing.T, dir string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The order: -config, then $WQM_CONFIG, each alone; else the user's file
// and the project's .wqm.yaml; else defaults. A config.yaml in the
// working directory, or at the root, is never ours.
func TestResolveOrder(t *testing.T) {
	home, cwd := isolate(t)
	root := mkdir(t, filepath.Join(home, "proj"))
	write(t, filepath.Join(cwd, "config.yaml"), "server:\n  port: 8080\n") // a project's own, with keys we do not know
	write(t, filepath.Join(root, "config.yaml"), "server: {}\n")
	flagFile := write(t, filepath.Join(home, "flag.yaml"), "logging:\n  level: debug\n")
	envFile := write(t, filepath.Join(home, "env.yaml"), "logging:\n  level: warn\n")
	user := write(t, UserFile(), "logging:\n  level: error\n")
	project := write(t, filepath.Join(root, ProjectFile), "logging:\n  level: trace\n")

	check := func(opts Options, wantLevel string, wantFiles ...string) {
		t.Helper()
		cfg, err := Resolve(opts)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Logging.Level != wantLevel || !slices.Equal(cfg.Files, wantFiles) {
			t.Errorf("Resolve(%+v) = level %s from %q, want %s from %q", opts, cfg.Logging.Level, cfg.Files, wantLevel, wantFiles)
		}
	}
	t.Setenv(EnvConfig, envFile)
	check(Options{File: flagFile, Roots: []string{root}}, "debug", flagFile)
	check(Options{Roots: []string{root}}, "warn", envFile)
	t.Setenv(EnvConfig, "")
	check(Options{Roots: []string{root}}, "trace", user, project)
	check(Options{}, "error", user) // no root: no project file
	if err := os.Remove(user); err != nil {
		t.Fatal(err)
	}
	check(Options{Roots: []string{root}}, "trace", project)
	check(Options{}, "info")
}

// Project keys replace user keys one by one; keys the project file does
// not set keep the user's values; relative roots in the project file are
// taken from its directory.
func TestProjectOverridesUserKeyByKey(t *testing.T) {
	home, _ := isolate(t)
	root := mkdir(t, filepath.Join(home, "proj"))
	mkdir(t, filepath.Join(root, "docs"))
	write(t, UserFile(), "embedding:\n  batch_size: 16\n  concurrency: 4\nengine:\n  workers: 3\nlogging:\n  level: warn\n")
	write(t, filepath.Join(root, ProjectFile), "embedding:\n  batch_size: 32\nworkspace:\n  roots: [., docs]\n")
	t.Setenv(EnvRoots, root)
	cfg, err := Resolve(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Embedding.BatchSize != 32 || cfg.Embedding.Concurrency != 4 || cfg.Engine.Workers != 3 || cfg.Logging.Level != "warn" {
		t.Errorf("merged = batch %d, concurrency %d, workers %d, level %s; want 32, 4, 3, warn",
			cfg.Embedding.BatchSize, cfg.Embedding.Concurrency, cfg.Engine.Workers, cfg.Logging.Level)
	}
	// $WQM_ROOTS wins over the file's roots.
	if want := []string{resolved(t, root)}; !slices.Equal(cfg.Workspace.Roots, want) {
		t.Errorf("roots = %q, want %q", cfg.Workspace.Roots, want)
	}
	t.Setenv(EnvRoots, "")
	t.Chdir(root)
	if out, err := runGit(root, "init", "-q"); err != nil {
		t.Skipf("git init: %v: %s", err, out)
	}
	cfg, err = Resolve(Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{resolved(t, root), resolved(t, filepath.Join(root, "docs"))}
	if !slices.Equal(cfg.Workspace.Roots, want) {
		t.Errorf("roots from the project file = %q, want %q", cfg.Workspace.Roots, want)
	}
}

// Problems of both files are reported at once, each naming its file.
func TestLayeredProblemsNameTheirFile(t *testing.T) {
	home, _ := isolate(t)
	root := mkdir(t, filepath.Join(home, "proj"))
	user := write(t, UserFile(), "bogus: 1\n")
	project := write(t, filepath.Join(root, ProjectFile), "engine:\n  nope: 2\n")
	_, err := Resolve(Options{Roots: []string{root}})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{user + `: line 1: unknown key "bogus"`, project + `: line 2: unknown key "nope" (engine.nope)`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
}

func TestMissingFlagFile(t *testing.T) {
	isolate(t)
	_, err := Resolve(Options{File: filepath.Join(t.TempDir(), "nope.yaml")})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("err = %v, want ErrInvalid naming the file", err)
	}
}

// Roots: -root, else $WQM_ROOTS (the OS's list separator), else none
// outside a repository.
func TestRoots(t *testing.T) {
	home, _ := isolate(t)
	a := mkdir(t, filepath.Join(home, "a"))
	b := mkdir(t, filepath.Join(home, "b"))
	t.Setenv(EnvRoots, a+string(filepath.ListSeparator)+b)
	cfg, err := Resolve(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{resolved(t, a), resolved(t, b)}; !slices.Equal(cfg.Workspace.Roots, want) {
		t.Errorf("$WQM_ROOTS: roots = %q, want %q", cfg.Workspace.Roots, want)
	}
	cfg, err = Resolve(Options{Roots: []string{b}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{resolved(t, b)}; !slices.Equal(cfg.Workspace.Roots, want) {
		t.Errorf("-root: roots = %q, want %q", cfg.Workspace.Roots, want)
	}
	t.Setenv(EnvRoots, "")
	cfg, err = Resolve(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Workspace.Roots) != 0 || cfg.Storage.DataDir != filepath.Join(DataHome(), "no-workspace") {
		t.Errorf("outside a repository: roots %q, data dir %s; want none and no-workspace", cfg.Workspace.Roots, cfg.Storage.DataDir)
	}
	if _, err := Resolve(Options{Roots: []string{filepath.Join(home, "missing")}}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing -root: err = %v, want one naming it", err)
	}
}

// A home directory that is a git repository (dotfiles) is never taken
// as the workspace.
func TestHomeRepositoryIsNotAWorkspace(t *testing.T) {
	home, _ := isolate(t)
	if out, err := runGit(home, "init", "-q"); err != nil {
		t.Skipf("git init: %v: %s", err, out)
	}
	t.Chdir(home)
	cfg, err := Resolve(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Workspace.Roots) != 0 {
		t.Errorf("roots = %q, want none in a home directory", cfg.Workspace.Roots)
	}
	if !tooBroad(string(filepath.Separator)) || !tooBroad(home) || tooBroad(filepath.Join(home, "proj")) {
		t.Error("tooBroad: want true for / and home, false for a project")
	}
}

// One data directory per workspace, unless storage.data_dir is set.
func TestDataDirPerWorkspace(t *testing.T) {
	home, _ := isolate(t)
	a := mkdir(t, filepath.Join(home, "src", "api"))
	b := mkdir(t, filepath.Join(home, "other", "api"))
	dir := func(opts Options) string {
		t.Helper()
		cfg, err := Resolve(opts)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Storage.DataDir
	}
	da, db := dir(Options{Roots: []string{a}}), dir(Options{Roots: []string{b}})
	if da == db {
		t.Errorf("two workspaces share %s", da)
	}
	if filepath.Dir(da) != DataHome() || !strings.HasPrefix(filepath.Base(da), "api-") || len(filepath.Base(da)) != len("api-")+12 {
		t.Errorf("data dir %s, want %s/api-<12 hex digits>", da, DataHome())
	}
	if again := dir(Options{Roots: []string{a}}); again != da {
		t.Errorf("same workspace, data dirs %s and %s", da, again)
	}
	if x, y := dir(Options{Roots: []string{a, b}}), dir(Options{Roots: []string{b, a}}); filepath.Base(x)[4:] != filepath.Base(y)[4:] {
		t.Errorf("the hash depends on the roots' order: %s, %s", x, y)
	}
	explicit := filepath.Join(home, "mine")
	cfgFile := write(t, filepath.Join(home, "c.yaml"), "storage:\n  data_dir: "+explicit+"\n")
	if got := dir(Options{File: cfgFile, Roots: []string{a}}); got != explicit {
		t.Errorf("explicit data_dir: got %s, want %s", got, explicit)
	}
}

func TestDataHomePerOS(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	local := filepath.Join(home, ".local", "share", appDir)
	cases := []struct {
		goos string
		vars map[string]string
		want string
	}{
		{"windows", map[string]string{"LOCALAPPDATA": "appdata"}, filepath.Join("appdata", appDir)},
		{"windows", map[string]string{"LOCALAPPDATA": "appdata", "XDG_DATA_HOME": "xdg"}, filepath.Join("xdg", appDir)},
		{"linux", map[string]string{"LOCALAPPDATA": "appdata"}, local},
		{"darwin", nil, filepath.Join(home, "Library", "Application Support", appDir)},
		{"darwin", map[string]string{"XDG_DATA_HOME": "xdg"}, filepath.Join("xdg", appDir)},
	}
	for _, c := range cases {
		if got := dataHomeFrom(c.goos, env(c.vars)); got != c.want {
			t.Errorf("%s with %v: %s, want %s", c.goos, c.vars, got, c.want)
		}
	}
}

func TestLegacyIndex(t *testing.T) {
	isolate(t)
	if _, ok := LegacyIndex(DataDirFor(nil)); ok {
		t.Error("no legacy index, yet one is reported")
	}
	write(t, filepath.Join(DataHome(), "ledger.db"), "")
	if where, ok := LegacyIndex(DataDirFor(nil)); !ok || where != DataHome() {
		t.Errorf("LegacyIndex = %q, %v; want %s", where, ok, DataHome())
	}
	if _, ok := LegacyIndex(DataHome()); ok {
		t.Error("a data_dir set to the old location is not a legacy index")
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{"api": "api", "my proj": "my_proj", `\`: "_", "..": "workspace", "ü": "_"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func runGit(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}
