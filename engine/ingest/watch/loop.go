package watch

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// loop is the single event-loop goroutine's state: it alone touches the
// fsnotify watch set and the tree of watched directories.
type loop struct {
	w       *Watcher
	fsw     *fsnotify.Watcher
	dirs    map[string]*dirState // watched directories
	roots   map[string]bool
	rootIDs map[string]os.FileInfo // the directory each present root's watch is on; a root not in it is missing
}

// dirState records the watched subdirectories of a watched directory, so
// that a removed or renamed directory's whole subtree can be unwatched.
type dirState struct {
	children map[string]struct{}
}

// touchMode says which files a sync reports.
type touchMode int

const (
	touchNone    touchMode = iota // initial walk and overflow recovery
	touchNewDirs                  // only files in directories not watched before
	touchAll                      // a directory created or moved in
)

func newLoop(w *Watcher, fsw *fsnotify.Watcher) *loop {
	l := &loop{
		w:       w,
		fsw:     fsw,
		dirs:    make(map[string]*dirState),
		roots:   make(map[string]bool, len(w.roots)),
		rootIDs: make(map[string]os.FileInfo, len(w.roots)),
	}
	for _, r := range w.roots {
		l.roots[r] = true
	}
	return l
}

// run sets up the initial watch set, closes Ready, then handles events
// and polls the roots until ctx ends.
func (l *loop) run(ctx context.Context) error {
	for _, r := range l.w.roots {
		info, err := os.Stat(r)
		l.sync(ctx, r, touchNone)
		if _, ok := l.dirs[r]; ok && err == nil && info.IsDir() {
			l.rootIDs[r] = info
		} else if ctx.Err() == nil {
			l.w.log.Warn().Str("root", r).Msg("workspace root vanished before it could be watched; it is watched once it is back")
		}
	}
	l.publishMissing()
	if ctx.Err() != nil {
		return nil
	}
	close(l.w.ready)
	l.w.log.Debug().Int("dirs", len(l.dirs)).Msg("initial watch set ready")
	poll := time.NewTicker(l.w.opts.rootPoll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
			for _, r := range l.w.roots {
				l.checkRoot(ctx, r)
			}
		case ev, ok := <-l.fsw.Events:
			if !ok {
				return errors.New("watch: fsnotify event channel closed")
			}
			l.handleEvent(ctx, ev)
		case err, ok := <-l.fsw.Errors:
			if !ok {
				return errors.New("watch: fsnotify error channel closed")
			}
			l.handleError(ctx, err)
		case dir := <-l.w.resync:
			if _, ok := l.dirs[dir]; ok {
				l.sync(ctx, dir, touchNewDirs)
			}
		}
	}
}

func (l *loop) handleEvent(ctx context.Context, ev fsnotify.Event) {
	l.w.events.Add(1)
	p := filepath.Clean(ev.Name)
	_, isWatchedDir := l.dirs[p]
	switch {
	case ev.Has(fsnotify.Create):
		l.created(ctx, p)
	case ev.Has(fsnotify.Remove), ev.Has(fsnotify.Rename):
		if l.roots[p] {
			// The event may be stale (the root was replaced meanwhile and is
			// watched again): losing it once more is harmless.
			l.loseRoot(p)
			l.checkRoot(ctx, p) // a directory may be back at p already
			return
		}
		if isWatchedDir {
			l.drop(p)
		}
		l.report(p, isWatchedDir)
	case isWatchedDir:
		// Write or Chmod on a directory itself: its entries report their own
		// changes.
	default:
		l.report(p, false)
	}
}

// created handles a path that appeared, by creation or by a move in.
func (l *loop) created(ctx context.Context, p string) {
	if l.roots[p] { // a root nested in another root
		l.checkRoot(ctx, p)
		return
	}
	info, err := os.Lstat(p)
	if err != nil || !info.IsDir() {
		l.report(p, false) // a file, a symlink, or already gone
		return
	}
	if l.w.opts.Ignore(p, true) {
		return
	}
	l.report(p, true)
	if _, ok := l.dirs[filepath.Dir(p)]; !ok {
		// A stale event of a directory unwatched since (its root went
		// away): whoever watches the parent again walks p.
		return
	}
	l.sync(ctx, p, touchAll)
}

// checkRoot compares root r with what is watched: a root whose path no
// longer leads to the watched directory is lost, and a missing root that
// is a directory again is watched again.
func (l *loop) checkRoot(ctx context.Context, r string) {
	info, err := os.Stat(r)
	present := err == nil && info.IsDir()
	if _, watching := l.rootIDs[r]; watching {
		if _, watched := l.dirs[r]; watched && present && os.SameFile(l.rootIDs[r], info) {
			return
		}
		l.loseRoot(r)
	}
	if present {
		l.restoreRoot(ctx, r, info)
	}
}

// loseRoot handles a root that was deleted or moved away: it drops the
// root's watches (a moved directory's would keep reporting under the old
// names) and reports the root, so that the consumer removes what was
// beneath it.
func (l *loop) loseRoot(r string) {
	if _, watching := l.rootIDs[r]; !watching {
		return // already missing
	}
	delete(l.rootIDs, r)
	l.drop(r)
	l.publishMissing()
	l.w.log.Warn().Str("root", r).Msg("workspace root removed or moved away; its files leave the index until it is back")
	l.w.deb.touch(r) // a root is never ignored
}

// restoreRoot watches a missing root again once info, a directory, is at
// its path: its files are reported and a rescan follows. When the watch
// cannot be added the root stays missing and the next poll tries again.
func (l *loop) restoreRoot(ctx context.Context, r string, info os.FileInfo) {
	// The root itself is added here rather than by sync, so that a failure
	// retried every poll does not request a rescan every time.
	if err := l.fsw.Add(r); err != nil {
		l.w.log.Debug().Err(err).Str("root", r).Msg("workspace root is back but cannot be watched yet")
		return
	}
	l.sync(ctx, r, touchAll)
	if _, ok := l.dirs[r]; !ok {
		return // gone again
	}
	// info was read before the watch was added: if r was replaced in
	// between, the next poll sees another directory and starts over.
	l.rootIDs[r] = info
	l.publishMissing()
	l.w.log.Info().Str("root", r).Msg("workspace root is back; watching it again and rescanning")
	l.w.rootRestored(r)
}

// publishMissing publishes, sorted, the roots not watched, for Stats.
func (l *loop) publishMissing() {
	var roots []string
	for _, r := range l.w.roots {
		if _, watching := l.rootIDs[r]; !watching {
			roots = append(roots, r)
		}
	}
	slices.Sort(roots)
	l.w.setMissing(roots)
}

func (l *loop) handleError(ctx context.Context, err error) {
	if err == nil {
		return
	}
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		l.w.overflowed.Store(true)
		// Directories created during the overflow are not watched yet:
		// re-walk before the consumer rescans. Roots gone or back meanwhile
		// are handled as the poll would.
		for _, r := range l.w.roots {
			l.checkRoot(ctx, r)
			if _, watching := l.rootIDs[r]; watching {
				l.sync(ctx, r, touchNone)
			}
		}
		l.w.requestRescan(RescanOverflow, "", err)
		return
	}
	l.w.requestRescan(RescanWatchError, "", err)
}

// report queues p for OnChange unless it is ignored. Ignore files are
// always reported, since their change alters what is ignored.
func (l *loop) report(p string, isDir bool) {
	if (!isDir && isIgnoreFile(p)) || !l.w.opts.Ignore(p, isDir) {
		l.w.deb.touch(p)
	}
}

// sync makes the watch set beneath dir match the disk: it watches dir and
// every non-ignored directory below it, and unwatches directories that
// disappeared or are now ignored. mode selects the files reported.
func (l *loop) sync(ctx context.Context, dir string, mode touchMode) {
	stack := []string{dir}
	for len(stack) > 0 && ctx.Err() == nil {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		_, known := l.dirs[d]
		if !l.addWatch(d) {
			continue
		}
		// The watch is in place before listing, so an entry created from
		// now on produces an event and none is missed.
		entries, err := os.ReadDir(d)
		if err != nil {
			l.readDirFailed(d, err)
			continue
		}
		reportFiles := mode == touchAll || (mode == touchNewDirs && !known)
		stack = append(stack, l.syncEntries(d, entries, reportFiles)...)
	}
}

// syncEntries reports d's files if asked, unwatches subdirectories that are
// gone or now ignored, and returns the subdirectories to walk.
func (l *loop) syncEntries(d string, entries []os.DirEntry, reportFiles bool) []string {
	var subdirs []string
	present := make(map[string]struct{})
	for _, e := range entries {
		p := filepath.Join(d, e.Name())
		switch {
		case l.roots[p]:
			// A nested root is walked on its own.
		case e.IsDir(): // never true for a symlink
			if !l.w.opts.Ignore(p, true) {
				present[p] = struct{}{}
				subdirs = append(subdirs, p)
			}
		case reportFiles:
			l.report(p, false)
		}
	}
	for child := range l.dirs[d].children {
		if _, ok := present[child]; !ok {
			l.drop(child)
		}
	}
	return subdirs
}

// addWatch watches dir and records it. It reports whether dir is watched.
func (l *loop) addWatch(dir string) bool {
	if err := l.fsw.Add(dir); err != nil {
		l.addFailed(dir, err)
		return false
	}
	if _, ok := l.dirs[dir]; ok {
		return true
	}
	l.dirs[dir] = &dirState{children: make(map[string]struct{})}
	if parent, ok := l.dirs[filepath.Dir(dir)]; ok && !l.roots[dir] {
		parent.children[dir] = struct{}{}
	}
	l.w.watched.Store(int64(len(l.dirs)))
	return true
}

// addFailed handles a directory that could not be watched: one that
// vanished is forgotten (its parent reports the removal); any other failure
// means changes beneath it would be missed, so a rescan is requested.
func (l *loop) addFailed(dir string, err error) {
	l.drop(dir)
	reason, limit := rescanReason(err)
	if reason == "" {
		l.w.log.Debug().Err(err).Str("dir", dir).Msg("directory vanished before it could be watched")
		return
	}
	if limit {
		l.w.overflowed.Store(true)
	}
	l.w.requestRescan(reason, dir, err)
}

// rescanReason classifies an error from adding a watch. reason is empty
// when the directory no longer exists; limit is true when a kernel limit
// was hit.
func rescanReason(err error) (reason string, limit bool) {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return "", false
	case errors.Is(err, syscall.ENOSPC):
		return RescanWatchLimit, true
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return RescanFDLimit, true
	default:
		return RescanWatchFailed, false
	}
}

// readDirFailed handles a watched directory that could not be listed.
func (l *loop) readDirFailed(dir string, err error) {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		l.drop(dir)
		return
	}
	l.w.log.Warn().Err(err).Str("dir", dir).Msg("cannot list watched directory")
}

// drop unwatches dir and its watched subtree. fsnotify may already have
// dropped the watches of removed directories; that is not an error.
func (l *loop) drop(dir string) {
	st, ok := l.dirs[dir]
	if !ok {
		return
	}
	for child := range st.children {
		l.drop(child)
	}
	delete(l.dirs, dir)
	if parent, ok := l.dirs[filepath.Dir(dir)]; ok {
		delete(parent.children, dir)
	}
	if err := l.fsw.Remove(dir); err != nil && !errors.Is(err, fsnotify.ErrNonExistentWatch) {
		l.w.log.Debug().Err(err).Str("dir", dir).Msg("removing watch")
	}
	l.w.watched.Store(int64(len(l.dirs)))
}
