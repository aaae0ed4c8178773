package engine

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

func fileHit(doc string, start, end int, text string, score float64) storage.Hit {
	return storage.Hit{Score: score, Chunk: storage.Chunk{
		ID: doc + "#" + text[:1], DocID: doc, Kind: storage.KindFile, Path: doc, StartLine: start, EndLine: end, Text: text,
	}}
}

// Overlapping or touching hits of one file become one result covering the
// union of their lines, in the best hit's place; others stay apart.
func TestMergeOverlaps(t *testing.T) {
	hits := []storage.Hit{
		fileHit("a.go", 3, 5, "c\nd\ne\n", 0.9),
		fileHit("b.go", 1, 2, "x\ny\n", 0.8),
		fileHit("a.go", 1, 4, "a\nb\nc\nd\n", 0.7), // overlaps the first
		fileHit("a.go", 6, 7, "f\ng\n", 0.6),       // touches the merged range
		fileHit("a.go", 20, 21, "t\nu\n", 0.5),     // apart
	}
	got := mergeOverlaps(hits, 10)
	type res struct {
		id         string
		start, end int
		text       string
	}
	want := []res{{"a.go", 1, 7, "a\nb\nc\nd\ne\nf\ng\n"}, {"b.go", 1, 2, "x\ny\n"}, {"a.go", 20, 21, "t\nu\n"}}
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || g.StartLine != w.start || g.EndLine != w.end || g.Text != w.text {
			t.Errorf("result %d = %s %d-%d %q, want %s %d-%d %q", i, g.ID, g.StartLine, g.EndLine, g.Text, w.id, w.start, w.end, w.text)
		}
	}
	if got[0].Score != 0.9 {
		t.Errorf("merged score %v, want the best hit's 0.9", got[0].Score)
	}
	if n := len(mergeOverlaps(hits, 2)); n != 2 {
		t.Errorf("limit 2 gave %d results", n)
	}
}

func TestResolveInWorkspace(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "in.go"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	roots := []string{root}
	for _, tt := range []struct {
		path string
		ok   bool
	}{
		{filepath.Join(root, "in.go"), true},
		{"in.go", true},                        // relative to the first root
		{filepath.Join(root, "gone.go"), true}, // deleted files resolve by their parent
		{filepath.Join(root, "..", filepath.Base(outside), "x"), false},
		{filepath.Join(root, "escape", "secret"), false}, // a symlink out of the root
		{"/etc/passwd", false},
	} {
		_, err := ResolveInWorkspace(roots, tt.path)
		if tt.ok && err != nil {
			t.Errorf("%s: %v", tt.path, err)
		}
		if !tt.ok && !errors.Is(err, ErrOutsideWorkspace) {
			t.Errorf("%s: err = %v, want ErrOutsideWorkspace", tt.path, err)
		}
	}
}
