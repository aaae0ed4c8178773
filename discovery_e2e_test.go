package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// world is a user's machine with no explicit configuration: a home, the
// OS's data and configuration directories, and a user configuration
// file (language servers off, so that no test waits for gopls). Servers
// are started in a directory, as Claude Code starts them.
type world struct {
	base, userFile string
	env            []string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	base := t.TempDir()
	w := &world{base: base, userFile: filepath.Join(base, "config", "workspace-qdrant-mcp", "config.yaml")}
	mustWrite(t, w.userFile, "engine:\n  workers: 2\n  startup_timeout: 60s\n  shutdown_timeout: 10s\nlogging:\n  level: debug\nlsp:\n  enabled: false\n")
	w.env = append(os.Environ(),
		"HOME="+filepath.Join(base, "home"),
		"XDG_DATA_HOME="+filepath.Join(base, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(base, "config"),
		"APPDATA="+filepath.Join(base, "config"),
		"LOCALAPPDATA="+filepath.Join(base, "data"),
		"GIT_CEILING_DIRECTORIES="+filepath.Dir(base),
		"WQM_CONFIG=", "WQM_ROOTS=",
		"GORACE=atexit_sleep_ms=0",
	)
	return w
}

// repo makes a git repository holding files.
func (w *world) repo(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(w.base, "src", name)
	for rel, text := range files {
		mustWrite(t, filepath.Join(dir, rel), text)
	}
	cmd := exec.Command("git", "init", "-q", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	r, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// start starts a server in dir with args and extra environment, and
// initializes it.
func (w *world) start(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	p := spawn(t, &fixture{env: append(slices.Clone(w.env), env...), dir: dir}, args...)
	p.initialize(t)
	return p
}

func mustWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := []string{}
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func goFile(word string) string {
	return "package demo\n\n// " + word + " is what this workspace is about.\nfunc " + word + "() {}\n"
}

// Claude Code opened in a repository with a config.yaml of its own (and
// one that is not ours at all): the server ignores it, loads the user's
// file and the project's .wqm.yaml, and indexes the repository into a
// data directory of its own.
func TestRepositoryWithItsOwnConfigYAML(t *testing.T) {
	w := newWorld(t)
	root := w.repo(t, "kube", map[string]string{
		"config.yaml":  "server:\n  port: 8080\napiVersion: v1\n",
		"main.go":      goFile("Zephyrquill"),
		"skipped.go":   goFile("Glimmerdusk"),
		".wqm.yaml":    "workspace:\n  ignore: [skipped.go]\n",
		"sub/other.go": goFile("Tanglewisp"),
	})
	p := w.start(t, filepath.Join(root, "sub"), nil)
	p.waitIdle(t)
	st := p.mustCall(t, "engine_status", nil)
	cfg, _ := st.obj["config"].(map[string]any)
	if files, want := strs(cfg["files"]), []string{w.userFile, filepath.Join(root, ".wqm.yaml")}; !slices.Equal(files, want) {
		t.Errorf("config.files = %q, want %q", files, want)
	}
	storage, _ := st.obj["storage"].(map[string]any)
	dataDir, _ := storage["data_dir"].(string)
	if filepath.Dir(dataDir) != filepath.Join(w.base, "data", "workspace-qdrant-mcp") || !strings.HasPrefix(filepath.Base(dataDir), "kube-") {
		t.Errorf("storage.data_dir = %s, want %s/kube-<hash>", dataDir, filepath.Join(w.base, "data", "workspace-qdrant-mcp"))
	}
	if roots := strs(storage["roots"]); !slices.Equal(roots, []string{root}) {
		t.Errorf("storage.roots = %q, want [%s]", roots, root)
	}
	p.waitFound(t, "zephyrquill", "main.go")
	p.waitFound(t, "tanglewisp", "other.go")
	if got := p.searchPaths(t, "glimmerdusk"); len(got) != 0 {
		t.Errorf(".wqm.yaml's ignore not applied: glimmerdusk found in %q", got)
	}
	if _, err := os.Stat(filepath.Join(root, ".wqm")); err == nil {
		t.Error("the server wrote into the workspace")
	}
}

// Sessions on two workspaces with default data directories: each
// workspace has its own indexer and index, and a search in one never
// returns the other's files; three sessions on one workspace still share
// one indexer.
func TestTwoWorkspacesThreeSessions(t *testing.T) {
	w := newWorld(t)
	a := w.repo(t, "alpha", map[string]string{"a.go": goFile("Quillfeather")})
	b := w.repo(t, "beta", map[string]string{"b.go": goFile("Moonbristle")})
	a1 := w.start(t, a, nil)
	a1.waitIdle(t)
	b1 := w.start(t, b, nil)
	b1.waitIdle(t)
	a2 := w.start(t, a, nil)
	a3 := w.start(t, a, nil)
	for _, p := range []*proc{a2, a3} {
		p.waitState(t, "running")
	}
	checkRoles(t, []*proc{a1, a2, a3}, a1)
	checkRoles(t, []*proc{b1}, b1)
	for _, p := range []*proc{a1, a2, a3} {
		p.waitFound(t, "quillfeather", "a.go")
		if got := p.searchPaths(t, "moonbristle"); len(got) != 0 {
			t.Errorf("a session on alpha finds beta's files: %q", got)
		}
	}
	b1.waitFound(t, "moonbristle", "b.go")
	if got := b1.searchPaths(t, "quillfeather"); len(got) != 0 {
		t.Errorf("the session on beta finds alpha's files: %q", got)
	}
	dirA, dirB := dataDirOf(t, a1), dataDirOf(t, b1)
	if dirA == dirB || dataDirOf(t, a3) != dirA {
		t.Errorf("data dirs: alpha %s (a3 %s), beta %s; want alpha's shared and beta's apart", dirA, dataDirOf(t, a3), dirB)
	}
	stopAll(t, []*proc{a3, a2, a1, b1})
}

func dataDirOf(t *testing.T, p *proc) string {
	t.Helper()
	st := p.mustCall(t, "engine_status", nil)
	storage, _ := st.obj["storage"].(map[string]any)
	d, _ := storage["data_dir"].(string)
	return d
}

// -root and $WQM_ROOTS choose the workspace wherever the server starts;
// -root wins.
func TestRootFlagAndEnv(t *testing.T) {
	w := newWorld(t)
	a := w.repo(t, "alpha", map[string]string{"a.go": goFile("Quillfeather")})
	b := w.repo(t, "beta", map[string]string{"b.go": goFile("Moonbristle")})
	elsewhere := filepath.Join(w.base, "elsewhere")
	mustWrite(t, filepath.Join(elsewhere, "x.txt"), "not a project\n")
	for _, c := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"flag", nil, []string{"-root", a}, a},
		{"env", []string{"WQM_ROOTS=" + b}, nil, b},
		{"flag over env", []string{"WQM_ROOTS=" + b}, []string{"-root", a}, a},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := w.start(t, elsewhere, c.env, c.args...)
			p.waitIdle(t)
			st := p.mustCall(t, "engine_status", nil)
			ws, _ := st.obj["workspace"].(map[string]any)
			if roots := strs(ws["roots"]); !slices.Equal(roots, []string{c.want}) {
				t.Errorf("roots = %q, want [%s]", roots, c.want)
			}
			stopAll(t, []*proc{p})
		})
	}
}

// Claude Desktop starts servers in a directory that is no project: with
// no root the server indexes nothing and says how to set one.
func TestNoWorkspaceIndexesNothing(t *testing.T) {
	w := newWorld(t)
	home := filepath.Join(w.base, "home")
	mustWrite(t, filepath.Join(home, "notes.go"), goFile("Privatepebble"))
	if out, err := exec.Command("git", "init", "-q", home).CombinedOutput(); err != nil { // dotfiles
		t.Fatalf("git init: %v: %s", err, out)
	}
	for _, dir := range []string{home, w.base} {
		p := w.start(t, dir, nil)
		p.waitIdle(t)
		st := p.mustCall(t, "engine_status", nil)
		ws, _ := st.obj["workspace"].(map[string]any)
		msg, _ := ws["message"].(string)
		if roots := strs(ws["roots"]); len(roots) != 0 || !strings.Contains(msg, "-root") {
			t.Errorf("started in %s: roots %q, message %q; want none, and a message naming -root", dir, roots, msg)
		}
		idx, _ := st.obj["index"].(map[string]any)
		if idx["files"] != float64(0) {
			t.Errorf("started in %s: %v files indexed, want 0", dir, idx["files"])
		}
		stopAll(t, []*proc{p})
		if !strings.Contains(p.stderr.String(), "no workspace: nothing will be indexed") {
			t.Errorf("started in %s: the log does not say that nothing is indexed", dir)
		}
	}
}
