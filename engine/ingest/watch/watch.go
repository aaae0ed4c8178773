// Package watch keeps the index current by reporting which workspace paths
// changed. It wraps fsnotify, which watches single directories, with a
// recursive watch set, per-path debouncing and loss detection.
//
// # Usage
//
//	w, err := watch.New(watch.Options{
//		Roots:    roots,
//		Ignore:   func(p string, dir bool) bool { ign, _ := matcher.Ignored(p, dir); return ign },
//		OnChange: indexer.Reconcile, // stats the path and acts on its state
//		OnRescan: func(string) { indexer.ScanAll() },
//		Logger:   log,
//	})
//	go w.Run(ctx)       // blocks until ctx ends
//	<-w.Ready()         // initial watch set in place (select on ctx too)
//	indexer.ScanAll()   // initial scan: nothing changed since is missed
//
// Run walks the roots and watches every directory the Ignore func does not
// exclude, without reporting the files that already exist: the consumer's
// initial scan, started after Ready, covers them.
//
// # The OnChange contract
//
// OnChange(p) receives an absolute path once that path has been quiet for
// the debounce delay. It says only that something at p may have changed;
// the event type is not passed on, because after atomic saves, vim-style
// saves (rename f to f~, write f, delete f~), probe files and chmods only
// the final state matters. The consumer stats p when called and acts on
// what it finds:
//
//   - p is a regular file: (re)index it (unless the consumer ignores it);
//   - otherwise (p is missing, a directory, or anything else): remove p from
//     the index, and remove every indexed path beneath p (prefix p + "/")
//     that is no longer a regular file on disk — when p is missing, that is
//     everything beneath it.
//
// This covers directories without the watcher having to remember their
// contents. When a directory is removed or renamed away, its own path is
// reported (its files may or may not be reported too), so the prefix rule
// deletes what was under it. When a directory is created or moved in, it
// is reported and so is every file found inside it, including files created
// before its watch existed ("mkdir -p a/b/c && echo x > a/b/c/f" reports f).
// A directory moved within a root is thus reported at its old path (deleted
// beneath) and its files at their new paths.
//
// Changes to ".gitignore" and ".wqmignore" are reported even if Ignore
// excludes them: the consumer invalidates its ignore matcher and reconciles
// that directory's subtree. After that OnChange returns, the watcher
// re-evaluates its own watch set beneath the directory with the updated
// Ignore func, and reports the files of directories it newly watches.
//
// # OnRescan
//
// OnRescan(reason) means events may have been lost: the kernel queue
// overflowed ("event_overflow"), the inotify watch limit was reached
// ("watch_limit", raise fs.inotify.max_user_watches), file descriptors ran
// out ("fd_limit"), a watch could not be added ("watch_failed") or fsnotify
// reported an error ("watch_error"). The consumer then rescans the whole
// workspace. Each occurrence is also logged as a warning and counted in
// Stats. Rescan requests are debounced like paths. On overflow the watcher
// first re-walks the roots so that directories created meanwhile are
// watched before OnRescan is delivered. A directory whose watch could not
// be added stays unwatched.
//
// After OnRescan returns, the watcher re-evaluates its watch set beneath
// every root that came back since the previous OnRescan (see below), with
// the Ignore func as OnRescan left it: a consumer that caches ignore files
// should drop those caches in OnRescan, since changes to them may have been
// among the lost events.
//
// # Roots that go away
//
// A root that is deleted or renamed away, or whose path stops leading to
// the directory being watched (a parent directory was renamed), is lost:
// its watches are dropped (a renamed directory would otherwise stay watched
// under its old name), its own path is reported to OnChange, so that by the
// rule above the consumer removes everything beneath it, a warning is
// logged, and Stats.MissingRoots lists it until it is back. Loss is noticed
// from the root's own Remove or Rename event (inotify's IN_DELETE_SELF and
// IN_MOVE_SELF) and, for the cases no event covers, by a poll.
//
// A root comes back when a directory exists at its path again. Run's event
// loop polls every root once per RootPoll (one stat each; no extra
// goroutine): a missing root that is a directory again, or a root whose path
// now leads to another directory than the one watched, is watched again
// (recursively, reporting its files as for a directory created inside a
// root) and OnRescan(RescanRootReappeared) follows. A Create event for a
// root nested in another root is acted on at once. The poll was chosen over
// a watch on each root's parent directory: it needs no watches outside the
// workspace, does not depend on the parent existing, and also notices
// a renamed parent, which sends no event on the root at all. A root that
// is missing when New is called is an error; one that disappears before Run
// has walked it starts out missing.
//
// # Concurrency
//
// OnChange and OnRescan are called from one goroutine, one call at a time.
// They may call Pause, Resume and Stats. Ignore is called from the event
// loop goroutine, concurrently with the callbacks. Pause holds back
// deliveries (paths keep being collected and deduplicated) and Resume
// releases them; a callback already running when Pause is called finishes.
// Run owns every goroutine and timer it starts: when it returns, no
// callback is running and none will be made.
//
// Symbolic links to directories are never followed; a symlink is reported
// like a file. A path written continuously is delivered once it has been
// quiet for the debounce delay.
package watch

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/ingest/ignore"
)

// DefaultDebounce is the debounce delay used when Options.Debounce is zero.
const DefaultDebounce = 200 * time.Millisecond

// RootPoll is how often Run checks that every root is still the directory
// it watches, and whether a missing root is back.
const RootPoll = time.Second

// Reasons passed to OnRescan.
const (
	RescanOverflow       = "event_overflow"
	RescanWatchLimit     = "watch_limit"
	RescanFDLimit        = "fd_limit"
	RescanWatchFailed    = "watch_failed"
	RescanWatchError     = "watch_error"
	RescanRootReappeared = "root_reappeared" // a root that went away is a directory again
)

// rescanKey is the debouncer key of a pending rescan; paths are absolute,
// so it never collides with one.
const rescanKey = ""

// Options configures a Watcher.
type Options struct {
	Roots    []string                              // directories watched recursively
	Debounce time.Duration                         // quiet time before a path is delivered; default 200ms
	Ignore   func(absPath string, isDir bool) bool // nil: nothing ignored
	OnChange func(absPath string)                  // required; see the package comment
	OnRescan func(reason string)                   // events may have been lost; nil: only logged
	Logger   zerolog.Logger

	rootPoll time.Duration // default RootPoll; tests shorten it
}

// Stats is a snapshot of a Watcher's state.
type Stats struct {
	WatchedDirs      int    `json:"watched_dirs"`                 // directories currently watched
	Events           uint64 `json:"events"`                       // fsnotify events received
	Rescans          uint64 `json:"rescans"`                      // OnRescan calls made
	LastRescanReason string `json:"last_rescan_reason,omitempty"` // reason of the latest rescan request
	Overflowed       bool   `json:"overflowed"`                   // the event queue overflowed or a watch or fd limit was hit
	Paused           bool   `json:"paused"`
	Running          bool   `json:"running"`
	// MissingRoots lists, sorted, the roots that were deleted or moved
	// away and are not back yet (see the package comment).
	MissingRoots []string `json:"missing_roots,omitempty"`
}

// Watcher reports changes beneath a set of roots. Create it with New and
// start it with Run.
type Watcher struct {
	opts   Options
	roots  []string
	log    zerolog.Logger
	deb    *debouncer
	ready  chan struct{}
	resync chan string // directories whose ignore file was delivered

	started    atomic.Bool
	running    atomic.Bool
	watched    atomic.Int64
	events     atomic.Uint64
	rescans    atomic.Uint64
	overflowed atomic.Bool

	mu            sync.Mutex
	lastReason    string
	pendingReason string
	rescanPending bool
	missing       []string          // Stats.MissingRoots; set by the event loop
	restored      map[string]bool   // roots back since the last OnRescan: re-synced after it
	fsw           *fsnotify.Watcher // set by Run; tests inject errors through it
}

// New validates opts and returns a Watcher. Every root must be an existing
// directory.
func New(opts Options) (*Watcher, error) {
	if len(opts.Roots) == 0 {
		return nil, errors.New("watch: no roots")
	}
	if opts.OnChange == nil {
		return nil, errors.New("watch: OnChange is required")
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Ignore == nil {
		opts.Ignore = func(string, bool) bool { return false }
	}
	if opts.rootPoll <= 0 {
		opts.rootPoll = RootPoll
	}
	roots, err := cleanRoots(opts.Roots)
	if err != nil {
		return nil, err
	}
	return &Watcher{
		opts:   opts,
		roots:  roots,
		log:    opts.Logger.With().Str("component", "watch").Logger(),
		deb:    newDebouncer(opts.Debounce),
		ready:  make(chan struct{}),
		resync: make(chan string, 16),
	}, nil
}

func cleanRoots(in []string) ([]string, error) {
	seen := make(map[string]bool, len(in))
	var roots []string
	for _, r := range in {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, fmt.Errorf("watch: root %q: %w", r, err)
		}
		info, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("watch: root: %w", err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("watch: root %q is not a directory", abs)
		}
		if !seen[abs] {
			seen[abs] = true
			roots = append(roots, abs)
		}
	}
	return roots, nil
}

// Run watches until ctx ends, then closes the fsnotify watcher, waits for
// its goroutines and for any callback in flight, and returns nil. It
// returns an error if fsnotify cannot be started or fails. Run may be
// called once.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.started.CompareAndSwap(false, true) {
		return errors.New("watch: Run called more than once")
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: start fsnotify: %w", err)
	}
	w.mu.Lock()
	w.fsw = fsw
	w.mu.Unlock()
	w.running.Store(true)
	defer w.running.Store(false)

	dispatchCtx, stopDispatch := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		w.deb.run(dispatchCtx, func(key string) { w.deliver(dispatchCtx, key) })
	})

	l := newLoop(w, fsw)
	runErr := l.run(ctx)

	closeErr := fsw.Close()
	stopDispatch()
	wg.Wait()
	w.watched.Store(0)
	if closeErr != nil {
		closeErr = fmt.Errorf("watch: close fsnotify: %w", closeErr)
	}
	return errors.Join(runErr, closeErr)
}

// Ready returns a channel closed once the initial recursive watch set is in
// place. It is never closed if Run ends first.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Pause holds back deliveries; changes keep being collected, one entry per
// path.
func (w *Watcher) Pause() { w.deb.setPaused(true) }

// Resume delivers what was collected while paused and resumes delivery.
func (w *Watcher) Resume() { w.deb.setPaused(false) }

// Stats returns a snapshot of the watcher's counters and state.
func (w *Watcher) Stats() Stats {
	w.mu.Lock()
	reason := w.lastReason
	missing := slices.Clone(w.missing)
	w.mu.Unlock()
	return Stats{
		WatchedDirs:      int(w.watched.Load()),
		MissingRoots:     missing,
		Events:           w.events.Load(),
		Rescans:          w.rescans.Load(),
		LastRescanReason: reason,
		Overflowed:       w.overflowed.Load(),
		Paused:           w.deb.isPaused(),
		Running:          w.running.Load(),
	}
}

// requestRescan schedules OnRescan. The first request since the last
// delivery is logged as a warning, later ones (a burst of failed watches,
// say) at debug level.
func (w *Watcher) requestRescan(reason, path string, err error) {
	w.mu.Lock()
	first := !w.rescanPending
	w.rescanPending = true
	w.lastReason = reason
	w.pendingReason = reason
	w.mu.Unlock()

	ev := w.log.Debug()
	if first {
		ev = w.log.Warn()
	}
	ev.Err(err).Str("reason", reason).Str("path", path).Msg("events may have been lost; requesting a full rescan")
	w.deb.touch(rescanKey)
}

// setMissing publishes the roots currently missing, for Stats.
func (w *Watcher) setMissing(roots []string) {
	w.mu.Lock()
	w.missing = roots
	w.mu.Unlock()
}

// rootRestored requests the rescan that follows a root's return and the
// re-sync of its watch set after it.
func (w *Watcher) rootRestored(root string) {
	w.mu.Lock()
	if w.restored == nil {
		w.restored = make(map[string]bool)
	}
	w.restored[root] = true
	w.mu.Unlock()
	w.requestRescan(RescanRootReappeared, root, nil)
}

// deliver runs on the dispatcher goroutine for each debounced key.
func (w *Watcher) deliver(ctx context.Context, key string) {
	if key == rescanKey {
		w.mu.Lock()
		reason := w.pendingReason
		w.rescanPending = false
		restored := w.restored
		w.restored = nil
		w.mu.Unlock()
		w.rescans.Add(1)
		if w.opts.OnRescan != nil {
			w.opts.OnRescan(reason)
		}
		// A root that came back was walked with the consumer's ignore
		// rules as they were before OnRescan could refresh them.
		for _, r := range slices.Sorted(maps.Keys(restored)) {
			select {
			case w.resync <- r:
			case <-ctx.Done():
				return
			}
		}
		return
	}
	w.opts.OnChange(key)
	if isIgnoreFile(key) {
		select {
		case w.resync <- filepath.Dir(key):
		case <-ctx.Done():
		}
	}
}

// isIgnoreFile reports whether p is a .gitignore or .wqmignore, whose
// changes alter what is watched.
func isIgnoreFile(p string) bool { return ignore.IsIgnoreFile(filepath.Base(p)) }
