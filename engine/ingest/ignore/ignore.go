// Package ignore decides which paths of a workspace the engine indexes.
//
// A Matcher is built once per set of workspace roots with New and asked
// about individual paths with Ignored, which also says which source of
// rules excluded the path. The watcher and the full-workspace scanner
// consult the same Matcher, so both agree on what is indexed.
//
// # Sources and precedence
//
// Rules use gitignore syntax and semantics. For a path under a root, the
// sources below are consulted in this order; the first source with a rule
// that matches the path decides (an excluding rule ignores it, a "!" rule
// keeps it), and within one source the last matching line wins:
//
//  1. extra patterns from configuration ("config"), relative to each root;
//  2. <root>/.wqmignore ("wqmignore");
//  3. built-in secret files ("secret", see SecretPatterns): files that hold
//     credentials by design (.env, private keys, keystores, .npmrc, cloud
//     credentials), which are never read unless source 1 or 2 re-includes
//     them with "!pattern";
//  4. .gitignore files ("gitignore"), from the path's own directory up to the
//     root: a deeper file overrides a shallower one, and each file's patterns
//     are relative to the directory holding it;
//  5. <root>/.git/info/exclude ("git_info_exclude");
//  6. built-in defaults ("default", see DefaultPatterns).
//
// Sources 4 to 6 are exactly git's order. The tool's own sources come first
// so that .wqmignore or configuration can re-include what git ignores (for
// instance "!dist/"), and the defaults come last, like a global excludes
// file, so that any source can re-include them. Secret files come before
// git's sources, so that only the user's own configuration of this tool
// can expose them: a repository's .gitignore cannot. A ".git" path
// component is always ignored.
//
// As in git, a path whose parent directory is ignored is ignored too: no
// rule can re-include a file beneath an excluded directory. A path outside
// every root is ignored with reason "outside_roots". When roots nest, the
// deepest root that contains a path governs it.
//
// # Caching
//
// Ignore files are read lazily, the first time a path beneath their
// directory is asked about, and cached. When a .gitignore or .wqmignore
// changes, call Invalidate with its directory; the watcher reports such
// changes. A Matcher is safe for concurrent use.
//
// # Pattern matching
//
// Wildcards are matched as git matches them (wildmatch.go, checked against
// git's own test vectors): "*", "?" and "[...]" never match "/", "**"
// spans directories only as a whole path component, and bracket
// expressions take ranges, "!" or "^" and POSIX classes such as
// "[[:alpha:]]". The gitignore matcher github.com/sabhiram/go-gitignore
// was evaluated and rejected: it does not anchor patterns with a slash in
// the middle ("doc/frotz" also matches "a/doc/frotz"), treats "?" and
// regexp metacharacters such as "+" literally or as regexp syntax, and
// cannot tell a directory from a file.
package ignore

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Reason codes returned by Ignored.
const (
	ReasonGitignore      = "gitignore"
	ReasonGitInfoExclude = "git_info_exclude"
	ReasonWqmignore      = "wqmignore"
	ReasonConfig         = "config"
	ReasonDefault        = "default"
	ReasonSecret         = "secret"
	ReasonOutsideRoots   = "outside_roots"
)

// Names of the ignore files the Matcher reads.
const (
	GitignoreFile = ".gitignore"
	WqmignoreFile = ".wqmignore"
)

// defaultPatterns are built-in exclusions in gitignore syntax. Directory
// names are directory-only so that, say, a script named "build" is indexed.
var defaultPatterns = []string{
	".git",
	"node_modules/", "vendor/", "target/", "dist/", "build/",
	".venv/", "venv/", "__pycache__/", ".idea/",
	".DS_Store",
	"*.lock", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
	"go.sum", "Cargo.lock", "poetry.lock",
	"*.min.js", "*.min.css", "*.map",
}

var defaultRules = mustParse(defaultPatterns)

// secretPatterns name files that hold secrets by design, in gitignore
// syntax; they apply to files, not directories.
var secretPatterns = []string{
	".env", ".env.*", "!.env.example", "!.env.sample", "!.env.template",
	"id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "!id_*.pub",
	"*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.kdbx",
	".npmrc", ".pypirc", ".netrc", ".git-credentials",
	"**/.aws/credentials", "**/.docker/config.json",
	"*.tfstate", "*.tfstate.backup", "credentials.json", "service-account*.json",
}

var secretRules = mustParse(secretPatterns)

// SecretPatterns returns the built-in secret files, in gitignore syntax.
func SecretPatterns() []string { return slices.Clone(secretPatterns) }

// DefaultPatterns returns the built-in exclusions, in gitignore syntax.
func DefaultPatterns() []string { return slices.Clone(defaultPatterns) }

// IsIgnoreFile reports whether name is the base name of a file whose
// change requires Invalidate (".gitignore" or ".wqmignore").
func IsIgnoreFile(name string) bool {
	return name == GitignoreFile || name == WqmignoreFile
}

// root is one workspace root and its root-level rule files.
type root struct {
	path      string
	wqmignore string // <root>/.wqmignore
	exclude   string // <root>/.git/info/exclude
}

// Matcher decides whether workspace paths are excluded from indexing.
type Matcher struct {
	roots []root // longest path first, so the deepest root wins
	extra []rule

	mu    sync.RWMutex
	gen   uint64            // bumped by Invalidate; guards against caching stale reads
	files map[string][]rule // ignore file path -> rules (nil when absent)
}

// New returns a Matcher for the given workspace roots. extra holds patterns
// from configuration, in gitignore syntax, applied relative to each root.
func New(roots []string, extra []string) (*Matcher, error) {
	if len(roots) == 0 {
		return nil, errors.New("ignore: at least one root is required")
	}
	m := &Matcher{files: make(map[string][]rule)}
	for _, r := range roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, fmt.Errorf("ignore: root %q: %w", r, err)
		}
		m.roots = append(m.roots, root{
			path:      abs,
			wqmignore: filepath.Join(abs, WqmignoreFile),
			exclude:   filepath.Join(abs, ".git", "info", "exclude"),
		})
	}
	slices.SortFunc(m.roots, func(a, b root) int { return len(b.path) - len(a.path) })
	for _, p := range extra {
		r, ok, err := parseLine(p)
		if err != nil {
			return nil, fmt.Errorf("ignore: config pattern: %w", err)
		}
		if ok {
			m.extra = append(m.extra, r)
		}
	}
	return m, nil
}

// Ignored reports whether absPath is excluded from indexing and, if so, the
// reason code of the source that excluded it (or that excluded one of its
// parent directories). isDir tells whether absPath is a directory, which
// matters for directory-only patterns such as "build/".
func (m *Matcher) Ignored(absPath string, isDir bool) (bool, string) {
	if !filepath.IsAbs(absPath) {
		return true, ReasonOutsideRoots
	}
	p := filepath.Clean(absPath)
	r := m.rootOf(p)
	if r == nil {
		return true, ReasonOutsideRoots
	}
	if p == r.path {
		return false, ""
	}
	rel := filepath.ToSlash(strings.TrimPrefix(p[len(r.path):], string(filepath.Separator)))
	return m.walk(r, rel, isDir)
}

// layers holds the rules that apply to one path component during a walk
// down from a root.
type layers struct {
	wqmignore []rule
	exclude   []rule
	gitignore [][]rule // .gitignore rules of each directory from the root down
	starts    []int    // where each of those directories' relative paths begin in rel
}

// walk checks every component of rel, from the root down, so that an
// excluded directory excludes everything beneath it. .gitignore files are
// loaded only for directories that are not themselves excluded.
func (m *Matcher) walk(r *root, rel string, isDir bool) (bool, string) {
	ls := layers{wqmignore: m.load(r.wqmignore), exclude: m.load(r.exclude)}
	dir, start := r.path, 0
	for {
		end := strings.IndexByte(rel[start:], '/')
		last := end < 0
		if last {
			end = len(rel)
		} else {
			end += start
		}
		ls.gitignore = append(ls.gitignore, m.load(filepath.Join(dir, GitignoreFile)))
		ls.starts = append(ls.starts, start)
		if ign, reason := m.decide(&ls, rel[:end], isDir || !last); ign {
			return true, reason
		}
		if last {
			return false, ""
		}
		dir = filepath.Join(dir, rel[start:end])
		start = end + 1
	}
}

// decide applies the sources, in precedence order, to one path component.
// rel is the component's path relative to the root; the .gitignore of the
// i-th directory sees it as rel[ls.starts[i]:].
func (m *Matcher) decide(ls *layers, rel string, isDir bool) (bool, string) {
	if path.Base(rel) == ".git" {
		return true, ReasonDefault
	}
	if matched, excl := lastMatch(m.extra, rel, isDir); matched {
		return excl, reasonIf(excl, ReasonConfig)
	}
	if matched, excl := lastMatch(ls.wqmignore, rel, isDir); matched {
		return excl, reasonIf(excl, ReasonWqmignore)
	}
	if matched, excl := lastMatch(secretRules, rel, isDir); matched && excl && !isDir {
		return true, ReasonSecret // a "!" line here only spares a file the rules above it name
	}
	for i := len(ls.gitignore) - 1; i >= 0; i-- {
		if matched, excl := lastMatch(ls.gitignore[i], rel[ls.starts[i]:], isDir); matched {
			return excl, reasonIf(excl, ReasonGitignore)
		}
	}
	if matched, excl := lastMatch(ls.exclude, rel, isDir); matched {
		return excl, reasonIf(excl, ReasonGitInfoExclude)
	}
	if matched, excl := lastMatch(defaultRules, rel, isDir); matched {
		return excl, reasonIf(excl, ReasonDefault)
	}
	return false, ""
}

func reasonIf(excluded bool, reason string) string {
	if excluded {
		return reason
	}
	return ""
}

// rootOf returns the deepest root containing p, or nil.
func (m *Matcher) rootOf(p string) *root {
	for i := range m.roots {
		if within(p, m.roots[i].path) {
			return &m.roots[i]
		}
	}
	return nil
}

// within reports whether p is dir or lies beneath it.
func within(p, dir string) bool {
	if p == dir {
		return true
	}
	if !strings.HasPrefix(p, dir) {
		return false
	}
	return strings.HasSuffix(dir, string(filepath.Separator)) || p[len(dir)] == filepath.Separator
}

// load returns the cached rules of an ignore file, reading it on first use.
// A missing or unreadable file has no rules.
func (m *Matcher) load(file string) []rule {
	m.mu.RLock()
	rules, ok := m.files[file]
	gen := m.gen
	m.mu.RUnlock()
	if ok {
		return rules
	}
	if data, err := os.ReadFile(file); err == nil {
		rules = parseRules(data)
	}
	m.mu.Lock()
	if m.gen == gen { // no Invalidate raced with the read
		m.files[file] = rules
	}
	m.mu.Unlock()
	return rules
}

// Invalidate drops the cached ignore files of dir and of every directory
// beneath it, so they are read again on next use. Call it when a .gitignore
// or .wqmignore in dir was created, changed or removed, or when dir itself
// was removed or replaced. Passing the ignore file's own path also works.
func (m *Matcher) Invalidate(dir string) {
	dir = filepath.Clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	for file := range m.files {
		if within(file, dir) {
			delete(m.files, file)
		}
	}
}
