package ignore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// writeFiles creates files (relative path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fixture builds a workspace with ignore rules from every source.
func fixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		".gitignore": `# root rules
*.log
!keep.log
/root-only.txt
tmp/
docs/generated
secret?.txt
logs/
!logs/important.txt
**/cache/**
assets/**/raw
\#hash.txt
brace{1,2}.txt
trailing.txt   
escaped-space\ 
`,
		"src/.gitignore":     "!debug.log\ngenerated/\n",
		"src/pkg/.gitignore": "debug.log\n!tmp/\n*.gen.go\n",
		".git/info/exclude":  "local-only.txt\n",
		".wqmignore":         "*.snap\n!wanted.log\n!dist/\n",
	})
	return root
}

func TestIgnored(t *testing.T) {
	root := fixture(t)
	m, err := New([]string{root}, []string{"*.bak", "/private/"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rel    string
		dir    bool
		want   bool
		reason string
	}{
		{"main.go", false, false, ""},
		{"src", true, false, ""},
		// root .gitignore, negation
		{"app.log", false, true, ReasonGitignore},
		{"keep.log", false, false, ""},
		{"src/other.log", false, true, ReasonGitignore},
		// a depth-2 negation overrides the root rule; depth 3 overrides depth 2
		{"src/debug.log", false, false, ""},
		{"src/pkg/debug.log", false, true, ReasonGitignore},
		{"src/pkg/deeper/debug.log", false, true, ReasonGitignore},
		{"src/pkg/x.gen.go", false, true, ReasonGitignore},
		{"src/x.gen.go", false, false, ""},
		// anchored patterns
		{"root-only.txt", false, true, ReasonGitignore},
		{"src/root-only.txt", false, false, ""},
		{"docs/generated", true, true, ReasonGitignore},
		{"docs/generated/a.md", false, true, ReasonGitignore},
		{"other/docs/generated/a.md", false, false, ""},
		{"src/docs/generated/a.md", false, true, ReasonGitignore}, // src/.gitignore: generated/
		// directory-only patterns
		{"tmp", true, true, ReasonGitignore},
		{"tmp", false, false, ""},
		{"tmp/x.txt", false, true, ReasonGitignore},
		{"src/tmp", true, true, ReasonGitignore},
		{"src/pkg/tmp", true, false, ""},
		{"src/pkg/tmp/x.txt", false, false, ""},
		{"src/generated", true, true, ReasonGitignore},
		{"src/generated/x.go", false, true, ReasonGitignore},
		{"generated/x.go", false, false, ""},
		// wildcards, "**", escapes
		{"secret1.txt", false, true, ReasonGitignore},
		{"secret12.txt", false, false, ""},
		{"src/cache", true, false, ""},
		{"src/cache/x.txt", false, true, ReasonGitignore},
		{"src/cache/a/b.txt", false, true, ReasonGitignore},
		{"assets/raw", true, true, ReasonGitignore},
		{"assets/x/y/raw/f.png", false, true, ReasonGitignore},
		{"#hash.txt", false, true, ReasonGitignore},
		{"brace{1,2}.txt", false, true, ReasonGitignore},
		{"brace1.txt", false, false, ""},
		{"trailing.txt", false, true, ReasonGitignore},
		{"escaped-space ", false, true, ReasonGitignore},
		{"escaped-space", false, false, ""},
		// a file cannot be re-included beneath an excluded directory
		{"logs/important.txt", false, true, ReasonGitignore},
		// .git/info/exclude
		{"local-only.txt", false, true, ReasonGitInfoExclude},
		{"src/local-only.txt", false, true, ReasonGitInfoExclude},
		// .wqmignore, which outranks .gitignore and defaults
		{"a.snap", false, true, ReasonWqmignore},
		{"wanted.log", false, false, ""},
		{"dist/app.js", false, false, ""},
		// configuration
		{"x.bak", false, true, ReasonConfig},
		{"src/x.bak", false, true, ReasonConfig},
		{"private", true, true, ReasonConfig},
		{"private/key.pem", false, true, ReasonConfig},
		{"src/private/key.pem", false, true, ReasonSecret},
		// defaults
		{".git", true, true, ReasonDefault},
		{".git/config", false, true, ReasonDefault},
		{"node_modules/x/index.js", false, true, ReasonDefault},
		{"src/vendor", true, true, ReasonDefault},
		{"build", true, true, ReasonDefault},
		{"build", false, false, ""},
		{"target/debug/app", false, true, ReasonDefault},
		{".venv/lib/site.py", false, true, ReasonDefault},
		{"pkg/__pycache__/m.pyc", false, true, ReasonDefault},
		{".DS_Store", false, true, ReasonDefault},
		{"Cargo.lock", false, true, ReasonDefault},
		{"web/package-lock.json", false, true, ReasonDefault},
		{"go.sum", false, true, ReasonDefault},
		{"web/app.min.js", false, true, ReasonDefault},
		{"web/app.min.css", false, true, ReasonDefault},
		{"web/app.js.map", false, true, ReasonDefault},
		{"web/app.js", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/dir=%v", tt.rel, tt.dir), func(t *testing.T) {
			got, reason := m.Ignored(filepath.Join(root, filepath.FromSlash(tt.rel)), tt.dir)
			if got != tt.want || reason != tt.reason {
				t.Errorf("Ignored(%q, %v) = %v, %q; want %v, %q", tt.rel, tt.dir, got, reason, tt.want, tt.reason)
			}
		})
	}
}

// TestSecretFiles: files that hold credentials by design are ignored
// with reason "secret", ahead of .gitignore (which cannot re-include
// them), and .wqmignore or configuration can re-include them.
func TestSecretFiles(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		".wqmignore": "!.env.local\n",
		".gitignore": "!.env\n!id_rsa\n",
	})
	m, err := New([]string{root}, []string{"!deploy/*.pem"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rel  string
		dir  bool
		want string // the reason, or "" when indexed
	}{
		{".env", false, ReasonSecret},
		{"app/.env", false, ReasonSecret},
		{".env.production", false, ReasonSecret},
		{".env.example", false, ""},
		{".env.sample", false, ""},
		{".env.template", false, ""},
		{".env", true, ""}, // a directory (a virtualenv) is not a secret
		{"id_rsa", false, ReasonSecret},
		{"home/.ssh/id_ed25519", false, ReasonSecret},
		{"id_ecdsa_sk", false, ReasonSecret},
		{"id_dsa.old", false, ReasonSecret},
		{"id_rsa.pub", false, ""},
		{"server.pem", false, ReasonSecret},
		{"tls/server.key", false, ReasonSecret},
		{"cert.p12", false, ReasonSecret},
		{"cert.pfx", false, ReasonSecret},
		{"app.jks", false, ReasonSecret},
		{"release.keystore", false, ReasonSecret},
		{"vault.kdbx", false, ReasonSecret},
		{".npmrc", false, ReasonSecret},
		{"web/.npmrc", false, ReasonSecret},
		{".pypirc", false, ReasonSecret},
		{".netrc", false, ReasonSecret},
		{".git-credentials", false, ReasonSecret},
		{".aws/credentials", false, ReasonSecret},
		{"home/.aws/credentials", false, ReasonSecret},
		{".aws/config", false, ""},
		{".docker/config.json", false, ReasonSecret},
		{"config.json", false, ""},
		{"infra/terraform.tfstate", false, ReasonSecret},
		{"infra/terraform.tfstate.backup", false, ReasonSecret},
		{"credentials.json", false, ReasonSecret},
		{"service-account-prod.json", false, ReasonSecret},
		{"service.json", false, ""},
		{"keys.go", false, ""},
		// re-included by .wqmignore and by configuration, not by .gitignore
		{".env.local", false, ""},
		{"deploy/server.pem", false, ""},
		{"other/server.pem", false, ReasonSecret},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/dir=%v", tt.rel, tt.dir), func(t *testing.T) {
			got, reason := m.Ignored(filepath.Join(root, filepath.FromSlash(tt.rel)), tt.dir)
			if got != (tt.want != "") || reason != tt.want {
				t.Errorf("Ignored(%q) = %v, %q; want reason %q", tt.rel, got, reason, tt.want)
			}
		})
	}
}

func TestOutsideRoots(t *testing.T) {
	root := t.TempDir()
	m, err := New([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		filepath.Dir(root),
		root + "-sibling/file.go",
		filepath.Join(filepath.Dir(root), "other", "file.go"),
		"relative/file.go",
	} {
		if got, reason := m.Ignored(p, false); !got || reason != ReasonOutsideRoots {
			t.Errorf("Ignored(%q) = %v, %q; want true, %q", p, got, reason, ReasonOutsideRoots)
		}
	}
	if got, reason := m.Ignored(root, true); got {
		t.Errorf("root itself ignored: %q", reason)
	}
}

func TestMultipleRoots(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeFiles(t, a, map[string]string{".gitignore": "*.tmp\n"})
	m, err := New([]string{a, b}, []string{"/only-top.txt"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(p string, want bool) {
		t.Helper()
		if got, _ := m.Ignored(p, false); got != want {
			t.Errorf("Ignored(%q) = %v; want %v", p, got, want)
		}
	}
	check(filepath.Join(a, "x.tmp"), true)
	check(filepath.Join(b, "x.tmp"), false) // a's .gitignore does not apply to b
	check(filepath.Join(a, "only-top.txt"), true)
	check(filepath.Join(b, "only-top.txt"), true) // config is relative to each root
	check(filepath.Join(b, "sub", "only-top.txt"), false)
}

func TestNewRejectsBadInput(t *testing.T) {
	if _, err := New(nil, nil); err == nil {
		t.Error("New with no roots: want error")
	}
	_, err := New([]string{t.TempDir()}, []string{"[unclosed"})
	if !errors.Is(err, ErrInvalidPattern) {
		t.Errorf("New with invalid pattern: err = %v; want ErrInvalidPattern", err)
	}
}

func TestInvalidate(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"a/.gitignore":   "*.txt\n",
		"a/b/.gitignore": "",
	})
	m, err := New([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "a", "b", "x.txt")
	check := func(want bool) {
		t.Helper()
		if got, _ := m.Ignored(file, false); got != want {
			t.Fatalf("Ignored(%q) = %v; want %v", file, got, want)
		}
	}
	check(true)

	// A deeper .gitignore that appears re-includes the file once invalidated.
	writeFiles(t, root, map[string]string{"a/b/.gitignore": "!x.txt\n"})
	m.Invalidate(filepath.Join(root, "a", "b"))
	check(false)

	// Invalidating an ancestor drops the caches beneath it too.
	writeFiles(t, root, map[string]string{"a/b/.gitignore": ""})
	m.Invalidate(filepath.Join(root, "a"))
	check(true)

	// The ignore file's own path is accepted, and .wqmignore is re-read.
	writeFiles(t, root, map[string]string{".wqmignore": "!x.txt\n"})
	m.Invalidate(filepath.Join(root, WqmignoreFile))
	check(false)
}

func TestConcurrentUse(t *testing.T) {
	root := fixture(t)
	m, err := New([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{"app.log", "src/debug.log", "src/pkg/debug.log", "src/pkg/tmp/x.txt", "dist/a.js"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				rel := paths[(g+i)%len(paths)]
				m.Ignored(filepath.Join(root, filepath.FromSlash(rel)), false)
				if i%50 == 0 {
					m.Invalidate(filepath.Join(root, "src"))
				}
			}
		})
	}
	wg.Wait()
	if got, _ := m.Ignored(filepath.Join(root, "src", "pkg", "debug.log"), false); !got {
		t.Error("src/pkg/debug.log not ignored after concurrent use")
	}
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
		want rule
	}{
		{"", false, rule{}},
		{"# comment", false, rule{}},
		{"!", false, rule{}},
		{"/", false, rule{}},
		{"*.go", true, rule{glob: "*.go"}},
		{"!*.go", true, rule{glob: "*.go", negate: true}},
		{"build/", true, rule{glob: "build", dirOnly: true}},
		{"/build", true, rule{glob: "build", anchored: true}},
		{"a/b", true, rule{glob: "a/b", anchored: true}},
		{"a/**", true, rule{glob: "a/**", anchored: true}},
		{"**/a", true, rule{glob: "**/a", anchored: true}},
		{`\!bang`, true, rule{glob: `\!bang`}},
		{"x{a}", true, rule{glob: "x{a}"}},
		{"sp   ", true, rule{glob: "sp"}},
		{`sp\ `, true, rule{glob: `sp\ `}},
		{"crlf\r", true, rule{glob: "crlf"}},
	}
	for _, tt := range tests {
		got, ok, err := parseLine(tt.line)
		if err != nil || ok != tt.ok || got != tt.want {
			t.Errorf("parseLine(%q) = %+v, %v, %v; want %+v, %v", tt.line, got, ok, err, tt.want, tt.ok)
		}
	}
}

func TestIsIgnoreFile(t *testing.T) {
	for name, want := range map[string]bool{".gitignore": true, ".wqmignore": true, "x.gitignore": false, "main.go": false} {
		if got := IsIgnoreFile(name); got != want {
			t.Errorf("IsIgnoreFile(%q) = %v; want %v", name, got, want)
		}
	}
	if len(DefaultPatterns()) == 0 {
		t.Error("DefaultPatterns is empty")
	}
}
