package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"workspace-qdrant-mcp/engine/rank"
	"workspace-qdrant-mcp/engine/storage"
)

func fileHit(doc string, start, end int, text string, score float64) storage.Hit {
	return storage.Hit{Score: score, Chunk: storage.Chunk{
		ID: doc + "#" + text[:1], DocID: doc, Kind: storage.KindFile, Path: doc, StartLine: start, EndLine: end, Text: text,
	}}
}

// A hit overlapping a result already taken from its file is left out,
// touching or distant ones are kept up to the per-file cap, and each
// result counts its file's candidates not shown.
func TestCollect(t *testing.T) {
	hits := []rank.Ranked{
		{Hit: fileHit("a.go", 3, 5, "c\nd\ne\n", 0.9)},
		{Hit: fileHit("b.go", 1, 2, "x\ny\n", 0.8)},
		{Hit: fileHit("a.go", 1, 4, "a\nb\nc\nd\n", 0.7)}, // overlaps the first
		{Hit: fileHit("a.go", 6, 7, "f\ng\n", 0.6)},       // touches it
		{Hit: fileHit("a.go", 20, 21, "t\nu\n", 0.5)},     // apart
	}
	type res struct {
		id         string
		start, end int
		more       int
	}
	for _, tt := range []struct {
		perDoc, limit int
		want          []res
	}{
		{-1, 10, []res{{"a.go", 3, 5, 1}, {"b.go", 1, 2, 0}, {"a.go", 6, 7, 1}, {"a.go", 20, 21, 1}}},
		{1, 10, []res{{"a.go", 3, 5, 3}, {"b.go", 1, 2, 0}}},
		{2, 10, []res{{"a.go", 3, 5, 2}, {"b.go", 1, 2, 0}, {"a.go", 6, 7, 2}}},
		{-1, 2, []res{{"a.go", 3, 5, 3}, {"b.go", 1, 2, 0}}},
	} {
		got := collect(hits, tt.perDoc, tt.limit)
		var gotRes []res
		for _, g := range got {
			gotRes = append(gotRes, res{g.ID, g.StartLine, g.EndLine, g.MoreInFile})
		}
		if fmt.Sprint(gotRes) != fmt.Sprint(tt.want) {
			t.Errorf("perDoc %d, limit %d: %v, want %v", tt.perDoc, tt.limit, gotRes, tt.want)
		}
	}
	if got := collect(hits, 1, 10); got[0].Score != 0.9 || got[0].Text != "c\nd\ne\n" || got[0].Truncated {
		t.Errorf("first result %+v, want the best hit unchanged", got[0])
	}
	long := []rank.Ranked{{Hit: fileHit("min.js", 1, 1, "é"+strings.Repeat("x", 2*MaxHitChars), 1)}}
	if got := collect(long, 1, 10)[0]; !got.Truncated || len(got.Text) > MaxHitChars || !utf8.ValidString(got.Text) {
		t.Errorf("a %d-byte line: %d bytes, truncated %v", len(long[0].Chunk.Text), len(got.Text), got.Truncated)
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
