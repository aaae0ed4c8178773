package ingest

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/ingest/ignore"
)

// scan, without a watcher or an indexer: changed files are those new,
// modified or gone; ignored paths and secrets are reported as skips, and
// an ignored directory is not entered.
func TestScanChangeSet(t *testing.T) {
	root := t.TempDir()
	for rel, text := range map[string]string{
		"same.go": "package a\n", "new.go": "package b\n", "mod.go": "package c\n",
		"node_modules/x.js": "x", ".env": "KEY=v\n", "sub/deep.txt": "deep",
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	state := func(rel string) FileState {
		info, err := os.Stat(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		return FileState{Size: info.Size(), MtimeNS: info.ModTime().UnixNano()}
	}
	known := map[string]FileState{
		filepath.Join(root, "same.go"):      state("same.go"),
		filepath.Join(root, "sub/deep.txt"): state("sub/deep.txt"),
		filepath.Join(root, "mod.go"):       {Size: 1, MtimeNS: 1},
		filepath.Join(root, "gone.go"):      {Size: 1, MtimeNS: 1},
	}
	m, err := ignore.New([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(p string) (FileState, bool) { st, ok := known[p]; return st, ok }
	paths := func() []string { return slices.Collect(maps.Keys(known)) }
	cs, err := scan(context.Background(), []string{root}, m, zerolog.Nop(), lookup, paths)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "gone.go"), filepath.Join(root, "mod.go"), filepath.Join(root, "new.go")}
	if !slices.Equal(cs.changed, want) {
		t.Errorf("changed = %v, want %v", cs.changed, want)
	}
	nm, env := filepath.Join(root, "node_modules"), filepath.Join(root, ".env")
	if cs.skips[nm] != SkipIgnoredPrefix+ignore.ReasonDefault || cs.skips[env] != SkipSecret || len(cs.skips) != 2 {
		t.Errorf("skips = %v, want node_modules ignored by default and .env a secret", cs.skips)
	}
	if _, ok := cs.ignored[nm]; !ok || len(cs.ignored) != 2 {
		t.Errorf("ignored = %v", cs.ignored)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := scan(ctx, []string{root}, m, zerolog.Nop(), lookup, paths); !errors.Is(err, context.Canceled) {
		t.Errorf("scan with a cancelled context = %v, want context.Canceled", err)
	}
	// A missing root is skipped: what was known beneath it is changed.
	cs, err = scan(context.Background(), []string{filepath.Join(root, "missing")}, m, zerolog.Nop(), lookup, paths)
	if err != nil || len(cs.changed) != len(known) {
		t.Errorf("scan of a missing root = %v, %v; want every known file changed", cs.changed, err)
	}
}
