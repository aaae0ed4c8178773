package ingest_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/ingest"
)

// liveEnv starts an indexer over a small settled workspace.
func liveEnv(t *testing.T, files map[string]string) (*env, string) {
	t.Helper()
	root, data := newDirs(t)
	for rel, content := range files {
		writeFile(t, root, rel, content)
	}
	e := startEnv(t, testConfig(t, root, data))
	e.waitSettled()
	if got := e.storeStats().Files; got != len(files) {
		t.Fatalf("store holds %d files after the first scan, want %d", got, len(files))
	}
	return e, root
}

// waitSearch waits until a keyword search for term finds exactly paths.
func (e *env) waitSearch(term string, paths ...string) {
	e.t.Helper()
	slices.Sort(paths)
	waitFor(e.t, "keyword "+term+" to find "+strings.Join(paths, ", "), func() bool {
		return slices.Equal(e.keywordPaths(term), paths)
	})
}

func TestLiveEdit(t *testing.T) {
	e, root := liveEnv(t, map[string]string{"a.go": goSource("a", "oldwordalpha"), "b.md": "# b\n\nbravo text\n"})
	p := filepath.Join(root, "a.go")
	e.waitSearch("oldwordalpha", p)

	if err := os.WriteFile(p, []byte(goSource("a", "newwordalpha")), 0o644); err != nil {
		t.Fatal(err)
	}
	e.waitSearch("newwordalpha", p)
	e.waitSearch("oldwordalpha") // gone: the document was replaced whole
	if got := e.storeStats().Files; got != 2 {
		t.Errorf("store holds %d files after an edit, want 2", got)
	}
}

func TestLiveAtomicSave(t *testing.T) {
	e, root := liveEnv(t, map[string]string{"doc.md": "# Title\n\nbefore atomicoldword\n"})
	p := filepath.Join(root, "doc.md")
	// An editor's atomic save: write a temporary file, rename it over.
	tmp := filepath.Join(root, ".doc.md.tmp123")
	if err := os.WriteFile(tmp, []byte("# Title\n\nafter atomicnewword\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	e.waitSearch("atomicnewword", p)
	e.waitSearch("atomicoldword")
	e.waitSettled()
	if e.hasDoc(tmp) {
		t.Errorf("the temporary file %s stayed in the index", tmp)
	}
	if got := e.storeStats().Files; got != 1 {
		t.Errorf("store holds %d files after an atomic save, want 1", got)
	}
}

func TestLiveCreateNestedDirs(t *testing.T) {
	e, root := liveEnv(t, map[string]string{"top.go": goSource("top", "topword")})
	// mkdir -p a/b/c && write: the file lands before c is watched.
	p := filepath.Join(root, "a", "b", "c", "new.go")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(goSource("c", "nestedcreateword")), 0o644); err != nil {
		t.Fatal(err)
	}
	e.waitSearch("nestedcreateword", p)
	waitFor(t, "two file documents", func() bool { return e.storeStats().Files == 2 })
}

func TestLiveDeleteDir(t *testing.T) {
	e, root := liveEnv(t, map[string]string{
		"keep.go":         goSource("keep", "keepword"),
		"gone/one.go":     goSource("gone", "goneword"),
		"gone/sub/two.md": "# two\n\ngoneword too\n",
	})
	gone := []string{filepath.Join(root, "gone/one.go"), filepath.Join(root, "gone/sub/two.md")}
	e.waitSearch("goneword", gone...)
	if err := os.RemoveAll(filepath.Join(root, "gone")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the deleted directory's documents to leave the store", func() bool {
		return !e.hasDoc(gone[0]) && !e.hasDoc(gone[1])
	})
	e.waitSearch("goneword")
	e.waitSettled()
	e.assertDocs([]string{filepath.Join(root, "keep.go")})
}

func TestLiveRenameDir(t *testing.T) {
	e, root := liveEnv(t, map[string]string{
		"old/x.go":       goSource("old", "renamexword"),
		"old/deep/y.md":  "# y\n\nrenameyword\n",
		"old/deep/z.txt": "renamezword\n",
		"other.go":       goSource("other", "otherword"),
	})
	rels := []string{"x.go", "deep/y.md", "deep/z.txt"}
	if err := os.Rename(filepath.Join(root, "old"), filepath.Join(root, "new")); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, rel := range rels {
		want = append(want, filepath.Join(root, "new", rel))
	}
	waitFor(t, "the renamed directory's documents to move", func() bool {
		for _, rel := range rels {
			if e.hasDoc(filepath.Join(root, "old", rel)) || !e.hasDoc(filepath.Join(root, "new", rel)) {
				return false
			}
		}
		return true
	})
	e.waitSettled()
	e.assertDocs(append(want, filepath.Join(root, "other.go")))
	e.waitSearch("renameyword", filepath.Join(root, "new/deep/y.md"))
}

func TestLiveFileBecomesBinary(t *testing.T) {
	e, root := liveEnv(t, map[string]string{"data.txt": "plain binaryturnword\n", "keep.md": "# keep\n"})
	p := filepath.Join(root, "data.txt")
	e.waitSearch("binaryturnword", p)
	if err := os.WriteFile(p, []byte("plain binaryturnword\x00\x01\x02"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the binary file to leave the index", func() bool { return !e.hasDoc(p) })
	waitFor(t, "the binary file to be counted skipped", func() bool { return e.ix.Stats().Skipped[ingest.SkipBinary] == 1 })
	e.waitSearch("binaryturnword")
	if got := e.storeStats().Files; got != 1 {
		t.Errorf("store holds %d files, want 1", got)
	}
	// And back to text: indexed again, no longer counted skipped.
	if err := os.WriteFile(p, []byte("plain again binaryturnword\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.waitSearch("binaryturnword", p)
	waitFor(t, "the skip count to clear", func() bool { return e.ix.Stats().Skipped[ingest.SkipBinary] == 0 })
}
