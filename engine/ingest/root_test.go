package ingest_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// twoRoots starts an indexer over the roots ws and other, side by side,
// each with files, and waits until they are indexed: other's one file and
// wsIndexed of wsFiles.
func twoRoots(t *testing.T, wsFiles map[string]string, wsIndexed int) (e *env, ws, other string) {
	t.Helper()
	ws, data := newDirs(t)
	other = filepath.Join(filepath.Dir(ws), "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	for rel, content := range wsFiles {
		writeFile(t, ws, rel, content)
	}
	writeFile(t, other, "o.md", "# other\n\notherowl stays\n")
	cfg := testConfig(t, ws, data)
	cfg.Workspace.Roots = append(cfg.Workspace.Roots, other)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e = startEnv(t, cfg)
	e.waitSettled()
	if got := e.storeStats().Files; got != wsIndexed+1 {
		t.Fatalf("store holds %d files after the first scan, want %d", got, wsIndexed+1)
	}
	if err := e.ix.Check(); err != nil {
		t.Fatalf("Check before anything happened: %v", err)
	}
	return e, ws, other
}

// waitCheckFails waits until Check fails with an error containing want.
func (e *env) waitCheckFails(want string) error {
	e.t.Helper()
	var err error
	waitFor(e.t, "Check to fail naming "+want, func() bool {
		err = e.ix.Check()
		return err != nil && strings.Contains(err.Error(), want)
	})
	return err
}

// A root deleted or moved away: Check fails naming it, its files leave
// the index and nothing else does. Recreated: it is watched and rescanned
// without a restart, its new files are found, and Check passes again.
func TestRootGoneAndBackIndexed(t *testing.T) {
	tests := map[string]func(t *testing.T, ws string){
		"moved away": func(t *testing.T, ws string) {
			if err := os.Rename(ws, ws+"_moved"); err != nil {
				t.Fatal(err)
			}
		},
		"deleted": func(t *testing.T, ws string) {
			if err := os.RemoveAll(ws); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, goAway := range tests {
		t.Run(name, func(t *testing.T) {
			e, ws, other := twoRoots(t, map[string]string{
				"old.md":       "# old\n\noldheron here\n",
				"sub/deep.txt": "deepheron below\n",
			}, 2)
			keep := filepath.Join(other, "o.md")
			gone := []string{filepath.Join(ws, "old.md"), filepath.Join(ws, "sub", "deep.txt")}
			e.waitSearch("oldheron", gone[0])

			goAway(t, ws)
			err := e.waitCheckFails(ws)
			t.Logf("Check while the root is missing: %v", err)
			waitFor(t, "the vanished root's documents to leave the store", func() bool {
				return !e.hasDoc(gone[0]) && !e.hasDoc(gone[1])
			})
			e.waitSearch("oldheron")
			e.waitSearch("deepheron")
			e.waitSettled()
			e.assertDocs([]string{keep})
			e.waitSearch("otherowl", keep)
			st := e.ix.Stats()
			if st.Watcher == nil || !slices.Equal(st.Watcher.MissingRoots, []string{ws}) {
				t.Fatalf("watcher stats %+v; want MissingRoots [%s]", st.Watcher, ws)
			}
			if err := e.ix.Check(); err == nil || !strings.Contains(err.Error(), ws) {
				t.Fatalf("Check once settled with the root still missing = %v; want an error naming %s", err, ws)
			}

			// mkdir ws; echo 'new stork' > ws/new.txt
			if err := os.Mkdir(ws, 0o755); err != nil {
				t.Fatal(err)
			}
			fresh := writeFile(t, ws, "new.txt", "new stork\n")
			e.waitSearch("stork", fresh)
			waitFor(t, "Check to pass again", func() bool { return e.ix.Check() == nil })
			e.waitSettled()
			e.assertDocs([]string{keep, fresh})
			if st := e.ix.Stats(); st.Watcher.WatchedDirs != 2 || len(st.Watcher.MissingRoots) != 0 {
				t.Errorf("watcher stats %+v; want 2 watched dirs and no missing root", st.Watcher)
			}

			// Watched again: live changes are indexed.
			later := writeFile(t, ws, "deeper/later.md", "# later\n\nlaterstork\n")
			e.waitSearch("laterstork", later)
		})
	}
}

// A root that comes back with other ignore rules is indexed by them, not
// by the rules its predecessor had.
func TestRootBackWithOtherIgnoreRules(t *testing.T) {
	e, ws, other := twoRoots(t, map[string]string{
		".gitignore":       "secret/\n",
		"secret/hidden.md": "# hidden\n\nhiddenwren\n",
		"shown.md":         "# shown\n\nshownwren\n",
	}, 2) // .gitignore and shown.md
	if e.hasDoc(filepath.Join(ws, "secret", "hidden.md")) {
		t.Fatal("an ignored file was indexed")
	}
	// Moved, not deleted: the removal of its .gitignore is never reported.
	if err := os.Rename(ws, ws+"_moved"); err != nil {
		t.Fatal(err)
	}
	e.waitCheckFails(ws)

	// The new root has no .gitignore: secret/ is indexed now, and watched.
	hidden := writeFile(t, ws, "secret/hidden.md", "# hidden\n\nhiddenwren again\n")
	e.waitSearch("hiddenwren", hidden)
	waitFor(t, "Check to pass again", func() bool { return e.ix.Check() == nil })
	later := writeFile(t, ws, "secret/later.md", "# later\n\nlaterwren\n")
	e.waitSearch("laterwren", later)
	e.waitSettled()
	e.assertDocs([]string{filepath.Join(other, "o.md"), hidden, later})
}
