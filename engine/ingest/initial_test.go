package ingest_test

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/ingest"
)

// initialWorkspace lays out a workspace that exercises every rule of the
// first scan. It returns the paths that must be indexed and the skip
// counts Stats must report.
func initialWorkspace(t *testing.T, root string) (indexed []string, skipped map[string]int) {
	t.Helper()
	add := func(rel, content string) string { return writeFile(t, root, rel, content) }
	keep := func(rel, content string) { indexed = append(indexed, add(rel, content)) }

	keep("main.go", goSource("main", "entrypoint"))
	keep("util/strings.go", goSource("util", "stringhelper"))
	keep("README.md", "# Project\n\nSome *markdown* about the readmeword.\n")
	keep("docs/guide.md", "## Guide\n\nThe guideword explains.\n")

	// Root .gitignore: a file pattern with a "!" re-include, and a directory.
	keep(".gitignore", "*.log\n!keep.log\ntmp/\n")
	add("debug.log", "ignored by the root .gitignore\n")     // ignored_gitignore
	keep("keep.log", "re-included by !keep.log\n")           // indexed
	add("tmp/scratch.go", goSource("tmp", "scratchword"))    // tmp/: ignored_gitignore
	add("tmp/more/deep.go", goSource("more", "deepscratch")) // beneath an ignored dir: not counted on its own
	// Depth 1: pkg/.gitignore ignores files and a directory, re-includes one.
	keep("pkg/.gitignore", "gen_*.go\n!gen_keep.go\nout/\n")
	keep("pkg/api.go", goSource("pkg", "apiword"))
	add("pkg/gen_types.go", goSource("pkg", "generatedword")) // ignored_gitignore
	keep("pkg/gen_keep.go", goSource("pkg", "genkeepword"))   // re-included
	add("pkg/out/artifact.go", goSource("out", "artifact"))   // out/: ignored_gitignore
	// Depth 2: pkg/inner/.gitignore re-includes what the root ignores (a
	// deeper file overrides a shallower one) and ignores a file.
	keep("pkg/inner/.gitignore", "!trace.log\nsecret.md\n")
	keep("pkg/inner/trace.log", "re-included at depth two\n")
	add("pkg/inner/other.log", "still ignored by the root rule\n") // ignored_gitignore
	add("pkg/inner/secret.md", "ignored at depth two\n")           // ignored_gitignore
	keep("pkg/inner/x.go", goSource("inner", "innerword"))

	// Built-in defaults: node_modules/ and .git are skipped as directories.
	add("node_modules/lib/index.js", "module.exports = 1;\n") // ignored_default
	add(".git/HEAD", "ref: refs/heads/main\n")                // ignored_default

	// Content and size checks.
	add("blob.dat", "abc\x00def\x00")                                   // binary
	keep("latin1.txt", "// caf\xe9 cr\xe8me by M\xfcller\nlatinword\n") // Latin-1: indexed, decoded
	add("noise.dat", "\xff\xfe\x80\x81 \xc3\xc3\x9f\xa0\xb1\xe2\x82")   // invalid_utf8: no text in any encoding
	add("big.go", "package big\n\n// "+strings.Repeat("x", 3000)+"\n")  // too_large (> 2048)

	// Symlinks: never followed; one points outside every root.
	outside := filepath.Join(t.TempDir(), "outside.go")
	if err := os.WriteFile(outside, []byte(goSource("outside", "outsideword")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "link_out.go")); err != nil { // symlink_outside_roots
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "main.go"), filepath.Join(root, "link_in.go")); err != nil { // symlink
		t.Fatal(err)
	}
	// Broken symlinks: a loop of two and a dangling one (symlink_broken).
	for link, target := range map[string]string{"loopA": "loopB", "loopB": "loopA", "dangling.go": "missing.go"} {
		if err := os.Symlink(filepath.Join(root, target), filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}

	return indexed, map[string]int{
		ingest.SkipIgnoredPrefix + "gitignore": 6, // debug.log, tmp/, pkg/gen_types.go, pkg/out/, pkg/inner/other.log, pkg/inner/secret.md
		ingest.SkipIgnoredPrefix + "default":   2, // node_modules/, .git/
		ingest.SkipBinary:                      1,
		ingest.SkipInvalidUTF8:                 1,
		ingest.SkipTooLarge:                    1,
		ingest.SkipSymlinkOutside:              1,
		ingest.SkipSymlink:                     1,
		ingest.SkipSymlinkBroken:               3, // loopA, loopB, dangling.go
	}
}

func TestInitialIndexing(t *testing.T) {
	root, data := newDirs(t)
	indexed, wantSkipped := initialWorkspace(t, root)
	cfg := testConfig(t, root, data)
	cfg.Workspace.MaxFileBytes = 2048

	e := startEnv(t, cfg)
	e.waitSettled()

	e.assertDocs(indexed)
	if got := e.ix.Stats().Skipped; !maps.Equal(got, wantSkipped) {
		t.Errorf("Stats().Skipped = %v, want %v", got, wantSkipped)
	}
	for _, rel := range []string{"debug.log", "tmp/scratch.go", "tmp/more/deep.go", "pkg/gen_types.go",
		"pkg/out/artifact.go", "pkg/inner/other.log", "pkg/inner/secret.md", "node_modules/lib/index.js",
		".git/HEAD", "blob.dat", "noise.dat", "big.go", "link_out.go", "link_in.go", "loopA", "loopB", "dangling.go"} {
		if e.hasDoc(filepath.Join(root, rel)) {
			t.Errorf("%s is indexed; it must be skipped", rel)
		}
	}
	// The index is searchable, and a symlink target outside the roots
	// never reaches it.
	if got := e.keywordPaths("apiword"); len(got) != 1 || got[0] != filepath.Join(root, "pkg/api.go") {
		t.Errorf("keyword search apiword found %v, want pkg/api.go", got)
	}
	// A Latin-1 file is read as text, each invalid byte as its Latin-1
	// character.
	if got := e.keywordPaths("latinword"); len(got) != 1 || got[0] != filepath.Join(root, "latin1.txt") {
		t.Errorf("keyword search latinword found %v, want latin1.txt", got)
	}
	if got := e.docText(filepath.Join(root, "latin1.txt")); !strings.Contains(got, "café crème by Müller") {
		t.Errorf("latin1.txt is indexed as %q, want café crème by Müller", got)
	}
	if got := e.keywordPaths("outsideword"); len(got) != 0 {
		t.Errorf("keyword search outsideword found %v, want nothing", got)
	}
	// Every chunk of a Go file carries its language and path.
	d, err := e.store.GetDocument(t.Context(), ingest.FileDocID(filepath.Join(root, "main.go")))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Chunks) == 0 || d.Chunks[0].Path != filepath.Join(root, "main.go") || d.Chunks[0].Language == "" {
		t.Errorf("main.go chunks = %+v, want path and language set", d.Chunks)
	}
	if s := e.ix.Stats(); s.LastIndexedAt == nil {
		t.Error("Stats().LastIndexedAt is nil after indexing")
	}
}
