package ingest_test

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"workspace-qdrant-mcp/engine/ingest"
)

// skippedAs returns how many entries Stats counts under reason.
func (e *env) skippedAs(reason string) int { return e.ix.Stats().Skipped[reason] }

// Files and directories whose names are not valid UTF-8 are skipped and
// counted (a directory once, however many files it holds), at the first
// scan and when they appear later; none reaches the index, where its id
// and path could not round-trip through JSON.
func TestInvalidUTF8NamesSkipped(t *testing.T) {
	root, data := newDirs(t)
	good := writeFile(t, root, "good.txt", "goodnameword\n")
	// Two names that JSON would both turn into "bad\uFFFDname.txt".
	if err := os.WriteFile(filepath.Join(root, "bad\xffname.txt"), []byte("badnameword\n"), 0o644); err != nil {
		t.Skipf("this filesystem refuses names that are not UTF-8: %v", err)
	}
	writeFile(t, root, "bad\xfename.txt", "badnameword\n")
	writeFile(t, root, "dir\xff/inner.txt", "badnameword\n")
	writeFile(t, root, "dir\xff/sub/deep.txt", "badnameword\n")
	valid := writeFile(t, root, "ok/fine.txt", "finenameword\n")
	cfg := testConfig(t, root, data)

	e := startEnv(t, cfg)
	e.waitSettled()
	e.assertDocs([]string{good, valid})
	if got := e.skippedAs(ingest.SkipInvalidName); got != 3 { // the two files, and dir\xff once
		t.Errorf("skipped %s = %d, want 3 (Skipped = %v)", ingest.SkipInvalidName, got, e.ix.Stats().Skipped)
	}
	if got := e.keywordPaths("badnameword"); len(got) != 0 {
		t.Errorf("keyword search badnameword found %v, want nothing", got)
	}

	// Appearing while the indexer runs: a new file is counted; a file in
	// the directory already counted is not counted again.
	writeFile(t, root, "new\xfd.txt", "badnameword\n")
	writeFile(t, root, "dir\xff/later.txt", "badnameword\n")
	waitFor(t, "the new file to be counted", func() bool { return e.skippedAs(ingest.SkipInvalidName) == 4 })
	marker := writeFile(t, root, "marker.txt", "markernameword\n")
	waitFor(t, "the marker to be indexed", func() bool { return e.hasDoc(marker) })
	e.waitSettled()
	if got := e.skippedAs(ingest.SkipInvalidName); got != 4 {
		t.Errorf("skipped %s = %d, want 4 (Skipped = %v)", ingest.SkipInvalidName, got, e.ix.Stats().Skipped)
	}
	e.assertDocs([]string{good, valid, marker})
	for _, p := range []string{filepath.Join(root, "new\xfd.txt"), filepath.Join(root, "dir\xff", "later.txt")} {
		if e.hasDoc(p) {
			t.Errorf("%q is indexed; it must be skipped", p)
		}
	}

	// Gone, it is no longer counted.
	if err := os.Remove(filepath.Join(root, "bad\xffname.txt")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the removed file to be uncounted", func() bool { return e.skippedAs(ingest.SkipInvalidName) == 3 })

	// No document in the store has a path that is not valid UTF-8.
	docs, err := e.store.Documents(t.Context(), cfg.Workspace.Collection)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if !utf8.ValidString(d.ID) || !utf8.ValidString(d.Path) {
			t.Errorf("document %q (path %q) is not valid UTF-8", d.ID, d.Path)
		}
	}
}

// Symlink loops and dangling symlinks that appear while the indexer runs
// are counted as broken, not as pointing outside the roots.
func TestBrokenSymlinksCountedLive(t *testing.T) {
	root, data := newDirs(t)
	writeFile(t, root, "a.txt", "alpha\n")
	e := startEnv(t, testConfig(t, root, data))
	e.waitSettled()
	for link, target := range map[string]string{"loopA": "loopB", "loopB": "loopA", "dangling": "nowhere"} {
		if err := os.Symlink(filepath.Join(root, target), filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the broken symlinks to be counted", func() bool { return e.skippedAs(ingest.SkipSymlinkBroken) == 3 })
	e.waitSettled()
	if got := e.skippedAs(ingest.SkipSymlinkOutside); got != 0 {
		t.Errorf("skipped %s = %d, want 0 (Skipped = %v)", ingest.SkipSymlinkOutside, got, e.ix.Stats().Skipped)
	}
	// A dangling link whose target appears inside the roots becomes a
	// plain symlink.
	target := writeFile(t, root, "nowhere", "now here\n")
	now := filepath.Join(root, "dangling")
	if err := os.Remove(now); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, now); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the repaired link to be counted as a symlink", func() bool {
		return e.skippedAs(ingest.SkipSymlinkBroken) == 2 && e.skippedAs(ingest.SkipSymlink) == 1
	})
	e.waitSettled()
}
