package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// watchList returns the paths fsnotify watches.
func (h *harness) watchList() []string {
	h.w.mu.Lock()
	fsw := h.w.fsw
	h.w.mu.Unlock()
	return fsw.WatchList()
}

// waitMissingRoots waits until Stats.MissingRoots is want.
func (h *harness) waitMissingRoots(want ...string) {
	h.t.Helper()
	h.waitFor("missing roots "+filepath.Join(want...), func() bool {
		return slices.Equal(h.w.Stats().MissingRoots, want)
	})
}

// A root that goes away is reported (the consumer removes what was beneath
// it), is listed as missing with none of its watches left, and once a
// directory is back at its path it is watched again: the files found in
// it are reported, a rescan follows, and later changes are reported.
func TestRootGoneAndBack(t *testing.T) {
	tests := map[string]func(t *testing.T, base, root string){
		"renamed away": func(t *testing.T, base, root string) {
			must(t, os.Rename(root, filepath.Join(base, "ws_moved")))
		},
		"deleted": func(t *testing.T, base, root string) {
			must(t, os.RemoveAll(root))
		},
		// No event comes for the root itself: only the poll notices.
		"parent renamed": func(t *testing.T, base, root string) {
			must(t, os.Rename(filepath.Dir(root), filepath.Join(base, "parent_moved")))
		},
	}
	for name, goAway := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := t.TempDir()
			root := filepath.Join(base, "parent", "ws")
			write(t, filepath.Join(root, "old.txt"), "old")
			write(t, filepath.Join(root, "sub", "deep.txt"), "deep")
			h := start(t, root, Options{rootPoll: 20 * time.Millisecond}, nil)
			h.waitWatched(2)
			if got := h.w.Stats().MissingRoots; got != nil {
				t.Fatalf("MissingRoots = %v before anything happened", got)
			}

			goAway(t, base, root)
			h.waitMissing(root)
			h.waitMissingRoots(root)
			h.waitWatched(0)
			if got := h.watchList(); len(got) != 0 {
				t.Errorf("fsnotify still watches %v after the root went away", got)
			}

			write(t, filepath.Join(root, "new.txt"), "new stork") // mkdir -p, then the file
			h.waitContent(h.path("new.txt"), "new stork")
			h.waitMissingRoots()
			h.waitFor("a root_reappeared rescan", func() bool {
				return slices.Contains(h.rec.rescanReasons(), RescanRootReappeared)
			})
			h.waitWatched(1)

			// Watched again, subdirectories included.
			write(t, h.path("later/l.txt"), "later")
			h.waitContent(h.path("later/l.txt"), "later")
			h.waitWatched(2)
			if st := h.w.Stats(); st.LastRescanReason != RescanRootReappeared {
				t.Errorf("LastRescanReason = %q; want %q", st.LastRescanReason, RescanRootReappeared)
			}
		})
	}
}

// A root renamed away is noticed by its Rename event alone, and its tree
// is no longer watched: changes in it are not reported under the old names.
func TestRootRenamedAwayUnwatched(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root, other := filepath.Join(base, "ws"), filepath.Join(base, "other")
	write(t, filepath.Join(root, "sub", "f.txt"), "f")
	must(t, os.Mkdir(other, 0o755))
	// The barrier goes to other; the poll is off.
	h := start(t, other, Options{Roots: []string{root, other}, rootPoll: time.Hour}, nil)
	h.waitWatched(3)

	moved := filepath.Join(base, "ws_moved")
	must(t, os.Rename(root, moved))
	h.waitMissing(root)
	h.waitMissingRoots(root)
	h.waitWatched(1)
	write(t, filepath.Join(moved, "sub", "f.txt"), "changed")
	write(t, filepath.Join(moved, "g.txt"), "g")
	h.barrier()
	if got := h.rec.callsUnder(root); !slices.Equal(got, []string{root}) {
		t.Errorf("reported %v; want only the root itself", got)
	}
	if got := h.watchList(); !slices.Equal(got, []string{other}) {
		t.Errorf("fsnotify watches %v; want only %s", got, other)
	}
}

// A root nested in another root comes back by the outer root's Create
// event, without waiting for the poll.
func TestNestedRootBackByEvent(t *testing.T) {
	t.Parallel()
	outer := t.TempDir()
	inner := filepath.Join(outer, "inner")
	write(t, filepath.Join(inner, "f.txt"), "f")
	h := start(t, outer, Options{Roots: []string{outer, inner}, rootPoll: time.Hour}, nil)
	h.waitWatched(2)

	must(t, os.RemoveAll(inner))
	h.waitMissing(inner)
	h.waitMissingRoots(inner)
	h.waitWatched(1)

	must(t, os.Mkdir(inner, 0o755))
	h.waitMissingRoots()
	write(t, filepath.Join(inner, "g.txt"), "g")
	h.waitContent(filepath.Join(inner, "g.txt"), "g")
	h.waitWatched(2)
}
