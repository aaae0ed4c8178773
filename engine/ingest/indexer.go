package ingest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/ingest/ignore"
	"workspace-qdrant-mcp/engine/ingest/secrets"
	"workspace-qdrant-mcp/engine/ingest/watch"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/engine/storage"
)

// Skip reasons counted in Stats.Skipped.
const (
	SkipTooLarge       = "too_large"
	SkipBinary         = "binary"
	SkipInvalidUTF8    = "invalid_utf8"
	SkipUnreadable     = "unreadable"
	SkipSymlink        = "symlink"
	SkipSymlinkOutside = "symlink_outside_roots"
	SkipSymlinkBroken  = "symlink_broken"    // dangling, or part of a loop
	SkipInvalidName    = "invalid_utf8_name" // a file or directory name that is not valid UTF-8
	SkipIgnoredPrefix  = "ignored_"          // + the ignore reason, e.g. ignored_gitignore
	// SkipSecret is a file that holds credentials by design (.env, a
	// private key, .npmrc; see ignore.SecretPatterns): never read.
	SkipSecret = "secret"
)

// ignoredSkip is the skip reason of a path the matcher ignores for reason.
func ignoredSkip(reason string) string {
	if reason == ignore.ReasonSecret {
		return SkipSecret
	}
	return SkipIgnoredPrefix + reason
}

// byMatcher reports whether a skip reason comes from the matcher, which
// the scan, not the file tasks, keeps up to date.
func byMatcher(reason string) bool {
	return reason == SkipSecret || strings.HasPrefix(reason, SkipIgnoredPrefix)
}

// Indexer keeps one workspace's index current. See the package comment.
type Indexer struct {
	d         Deps
	log       zerolog.Logger
	matcher   *ignore.Matcher
	ledger    *Ledger
	ownLedger bool // opened by Start, closed by Stop
	watcher   *watch.Watcher

	mu          sync.Mutex           // guards the fields below; taken before a piece's lock
	known       map[string]FileState // mirror of the ledger's file states
	skipped     map[string]string    // path → skip reason
	redacted    map[string]int       // indexed path → secrets replaced in it; mirror of the ledger's
	scanning    bool
	announced   bool // an index start was reported and its finish not yet
	announcedAt time.Time
	done        int    // paths handled since the current full index was announced
	lostEvents  string // why events were lost, until a rescan has caught up
	lastIndexed time.Time
	watchErr    error
	reembed     string // the model the index is brought to after a change of model; "" when done
	reembedOf   int    // files pending when this run found the re-embedding under way

	// batcher, for a remote embedder, gathers the texts of file tasks
	// into requests of batch_size; nil otherwise.
	batcher *embedBatcher

	wake   chan struct{} // nudges the dispatcher
	scan   chan struct{} // asks for a full reconcile
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // background goroutines

	paths *pathLocks // per-path write locks (gates.go)

	enrich *enrichQueue // versions waiting for their symbols (enrich.go)

	// q is the paths with work to do, the file tasks doing it, and
	// whether they are paused or stopping (queue.go). Failed paths stay
	// pending in the ledger until Retry.
	q *workQueue
}

// New returns an Indexer for d.Config.Workspace.Roots. Call Start.
func New(d Deps) (*Indexer, error) {
	m, err := ignore.New(d.Config.Workspace.Roots, d.Config.Workspace.Ignore)
	if err != nil {
		return nil, fmt.Errorf("load ignore rules: %w", err)
	}
	ix := &Indexer{
		d: d, log: d.Logger.With().Str("component", "indexer").Logger(), matcher: m,
		known: map[string]FileState{}, q: newWorkQueue(),
		skipped: map[string]string{}, redacted: map[string]int{},
		wake: make(chan struct{}, 1), scan: make(chan struct{}, 1),
		paths: newPathLocks(), enrich: newEnrichQueue(),
	}
	if d.Config.Embedding.Remote() && d.Embedder != nil {
		ix.batcher = newEmbedBatcher(d.Embedder, d.Config.Embedding.BatchSize) // see embedbatch.go
	}
	return ix, nil
}

// identity names what the index is built with: the collection, the
// embedder, the chunking, by its sizes and the version of its rules
// (chunk.Version), the analysis of the keyword terms (analysis.Version,
// which the built-in embedder's name also carries, but no other
// embedder's), and the secret rules (secrets.Version); a change
// re-indexes every file at the next start. Vectors are reused by text
// hash, so chunks whose text a change leaves as it was are not embedded
// again. An index built before secrets were redacted has no "secrets="
// part, so its files are all written again, redacted, once.
func (ix *Indexer) identity() string {
	c := ix.d.Config
	return fmt.Sprintf("collection=%s embedder=%s chunk=%d/%d chunker=%d analysis=%d secrets=%s paths=%d",
		c.Workspace.Collection, ModelKey(ix.d.Embedder.Info()), c.Workspace.ChunkChars, c.Workspace.ChunkOverlap, chunk.Version, analysis.Version, secrets.Version, PathVectorsVersion)
}

// chunkOptions are the options with which files in language are cut,
// both when written and when enriched, which must agree.
func (ix *Indexer) chunkOptions(language string) chunk.Options {
	return chunk.Options{MaxChars: ix.d.Config.Workspace.ChunkChars, OverlapChars: ix.d.Config.Workspace.ChunkOverlap, Language: language}
}

// Start opens the ledger, starts the watcher and returns once it is
// active. Reconciliation and indexing go on in the background.
func (ix *Indexer) Start(ctx context.Context) error {
	l, own := ix.d.Ledger, ix.d.Ledger == nil
	if own {
		var err error
		if l, err = OpenLedger(ctx, ix.d.Config.Storage.DataDir); err != nil {
			return err
		}
	}
	fail := func(err error) error {
		if own {
			_ = l.Close()
		}
		return err
	}
	reset, err := l.adopt(ctx, ix.identity())
	if err != nil {
		return fail(fmt.Errorf("ledger: %w", err))
	}
	if reset {
		ix.log.Warn().Msg("index configuration changed (collection, embedder, chunk sizes, chunking rules or secret rules): every file is indexed again")
	}
	// What the previous runs recorded; the reads are independent, and the
	// first that failed fails the start.
	known, pending, errFiles := l.load(ctx)
	enrich, errEnrich := l.loadEnrich(ctx)
	last, errLast := l.lastIndexed(ctx)
	redacted, errRedacted := l.loadRedacted(ctx)
	reembed, errReembed := l.reembedding(ctx)
	if err := cmp.Or(errFiles, errEnrich, errLast, errRedacted, errReembed); err != nil {
		return fail(err)
	}
	ix.ownLedger = own
	ix.ledger, ix.known, ix.lastIndexed, ix.redacted = l, known, last, redacted
	ix.reembed, ix.reembedOf = reembed, len(pending)
	if reembed != "" {
		ix.log.Warn().Str("model", reembed).Int("files", len(pending)).
			Msg("the embedding model changed: every file is embedded again in the background; semantic search waits for it, keyword search answers")
		ix.endReembed(ctx)
	}
	// Enrichment the previous run left undone, of versions still current;
	// a pending path is queued again when it is written.
	for _, p := range slices.Sorted(maps.Keys(enrich)) {
		if s, ok := known[p]; ok && s.Hash == enrich[p] && ix.wantsEnrich(p, languageOnDisk(p)) {
			ix.enrich.put(p, enrich[p])
		}
	}
	for _, p := range pending {
		ix.enrich.drop(p)
		ix.q.add([]string{p})
		// Pending work may have reached the store without its new state
		// reaching the ledger: never skip it for matching the old hash.
		if s, ok := known[p]; ok {
			s.Hash = ""
			known[p] = s
		}
	}
	if len(pending) > 0 {
		ix.log.Info().Int("pending", len(pending)).Msg("resuming work left pending by the previous run")
		ix.wake <- struct{}{} // dispatch it even if the scan finds nothing changed; wake is empty yet
	}

	w, err := watch.New(watch.Options{
		Roots:    ix.d.Config.Workspace.Roots,
		Debounce: ix.d.Config.Workspace.Debounce.D(),
		Ignore:   func(p string, isDir bool) bool { ig, _ := ix.matcher.Ignored(p, isDir); return ig },
		OnChange: ix.onChange,
		OnRescan: ix.onRescan,
		Logger:   ix.d.Logger,
	})
	if err != nil {
		return fail(fmt.Errorf("create watcher: %w", err))
	}
	ix.watcher = w
	ix.ctx, ix.cancel = context.WithCancel(context.Background())
	watchDone := make(chan struct{})
	ix.wg.Go(func() {
		defer close(watchDone)
		if err := w.Run(ix.ctx); err != nil && ix.ctx.Err() == nil {
			ix.log.Error().Err(err).Msg("watcher stopped")
			ix.mu.Lock()
			ix.watchErr = err
			ix.mu.Unlock()
		}
	})
	select {
	case <-w.Ready():
	case <-watchDone:
		ix.stopBackground()
		return fmt.Errorf("watcher failed to start: %w", ix.Check())
	case <-ctx.Done():
		ix.stopBackground()
		return ctx.Err()
	}
	leftover := ix.enrich.queued() // read before any worker can change it
	ix.requestScan()               // the initial scan: Stats reports Indexing from now on
	ix.wg.Go(ix.scanLoop)
	ix.wg.Go(ix.dispatchLoop)
	if ix.d.Enricher != nil {
		for range enrichWorkers {
			ix.wg.Go(ix.enrichLoop)
		}
		if leftover > 0 {
			ix.log.Info().Int("files", leftover).Msg("resuming enrichment left undone by the previous run")
			ix.enrich.nudge() // a write may have woken the workers already
		}
	}
	return nil
}

// Pause stops handing work to the pipeline; what arrives is kept pending.
func (ix *Indexer) Pause() {
	ix.q.pause()
	if ix.watcher != nil {
		ix.watcher.Pause()
	}
}

// Stop ends watching, scanning and dispatching, lets running file tasks
// end (they see a cancelled context, and their work stays pending),
// abandons enrichment (the ledger keeps it for the next start) and
// closes the ledger when Start opened it.
func (ix *Indexer) Stop(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		// Refuse new file tasks before cancelling, so that tasks the
		// pipeline starts while the watcher winds down do not each fail
		// (and log) on the cancelled context.
		ix.q.stop()
		ix.stopBackground()
		ix.q.waitIdle()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("stop indexer: file tasks still running: %w", ctx.Err())
	}
	if ix.ledger != nil && ix.ownLedger {
		return ix.ledger.Close()
	}
	return nil
}

func (ix *Indexer) stopBackground() {
	if ix.cancel != nil {
		ix.cancel()
	}
	ix.wg.Wait()
}

// Retry hands to the pipeline again the files whose work failed (it is
// pending in the ledger) and rescans the workspace, so that what failed
// while a dependency was down is done as soon as it answers again,
// without a restart. It does nothing before Start or after Stop.
func (ix *Indexer) Retry() {
	ix.mu.Lock()
	if ix.ctx == nil || ix.ctx.Err() != nil {
		ix.mu.Unlock()
		return
	}
	ix.mu.Unlock()
	paths := ix.q.takeFailed()
	if len(paths) > 0 {
		ix.log.Info().Int("files", len(paths)).Msg("retrying the files whose indexing failed")
	}
	ix.markDirty(paths)
	ix.requestScan()
}

// Check reports whether the watcher is alive and watches every root.
func (ix *Indexer) Check() error {
	ix.mu.Lock()
	err := ix.watchErr
	ix.mu.Unlock()
	if err != nil {
		return fmt.Errorf("watcher stopped: %w", err)
	}
	if ix.watcher == nil {
		return errors.New("watcher is not running")
	}
	ws := ix.watcher.Stats()
	if !ws.Running {
		return errors.New("watcher is not running")
	}
	if len(ws.MissingRoots) > 0 {
		return fmt.Errorf("workspace root %s is missing (deleted or moved away): its files left the index; it is watched and rescanned again once it is back",
			strings.Join(ws.MissingRoots, ", "))
	}
	ix.mu.Lock()
	lost := ix.lostEvents
	ix.mu.Unlock()
	if lost != "" {
		return fmt.Errorf("file events were lost (%s); rescanning the workspace", lost)
	}
	return nil
}

// Stats describes the index for engine_status.
func (ix *Indexer) Stats() Stats {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	dirty, inflight, failed := ix.q.counts()
	s := Stats{
		Pending:  dirty + inflight,
		Waiting:  dirty,
		Failed:   failed,
		Done:     ix.done,
		Skipped:  map[string]int{},
		Indexing: ix.scanning || dirty+inflight > 0,

		EnrichPending: ix.enrich.pending(),
		Reembed:       ix.reembedLocked(),
	}
	for _, reason := range ix.skipped {
		s.Skipped[reason]++
	}
	for _, n := range ix.redacted {
		s.Redacted += n
	}
	if !ix.lastIndexed.IsZero() {
		t := ix.lastIndexed
		s.LastIndexedAt = &t
	}
	if ix.watcher != nil {
		ws := ix.watcher.Stats()
		s.Watcher = &ws
	}
	return s
}

// onChange is the watcher's callback for one debounced path.
func (ix *Indexer) onChange(path string) {
	if ignore.IsIgnoreFile(filepath.Base(path)) {
		ix.matcher.Invalidate(filepath.Dir(path))
		ix.requestScan()
		return
	}
	ix.markDirty([]string{path})
}

// onRescan is the watcher's callback when events may have been lost.
func (ix *Indexer) onRescan(reason string) {
	ix.log.Warn().Str("reason", reason).Msg("file events may have been lost; rescanning the workspace")
	// Changes to ignore files may have been among them, and a root that
	// came back may hold other ones: read them all again.
	for _, r := range ix.d.Config.Workspace.Roots {
		ix.matcher.Invalidate(r)
	}
	ix.mu.Lock()
	ix.lostEvents = reason
	ix.mu.Unlock()
	ix.requestScan()
}

// requestScan asks scanLoop for a full reconcile. Stats reports Indexing
// from the request on, not only once scanLoop takes it, so that no caller
// sees an idle indexer with a scan still to run.
func (ix *Indexer) requestScan() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.scanning = true
	select {
	case ix.scan <- struct{}{}:
	default:
	}
}

// markDirty records paths as pending, durably first, then for dispatch.
func (ix *Indexer) markDirty(paths []string) {
	if len(paths) == 0 {
		return
	}
	if err := ix.ledger.markPending(ix.ctx, paths); err != nil {
		if ix.ctx.Err() == nil {
			ix.log.Error().Err(err).Msg("record pending work")
		}
	}
	ix.q.add(paths)
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// woken waits for a wake-up on ch and reports whether it came before the
// indexer stopped.
func (ix *Indexer) woken(ch <-chan struct{}) bool {
	select {
	case <-ix.ctx.Done():
		return false
	case <-ch:
		return true
	}
}

// scanLoop runs a full reconcile whenever one is asked for.
func (ix *Indexer) scanLoop() {
	for ix.woken(ix.scan) {
		ix.mu.Lock()
		ix.scanning = true
		ix.mu.Unlock()
		begin := time.Now()
		changed, err := ix.reconcile(ix.ctx)
		ix.mu.Lock()
		ix.scanning = len(ix.scan) > 0 // a request made meanwhile still counts
		ix.clearLostLocked()
		ix.mu.Unlock()
		if err != nil {
			if ix.ctx.Err() == nil {
				ix.log.Error().Err(err).Msg("reconcile workspace")
			}
			continue
		}
		ix.log.Info().Int("changed", changed).Dur("took", time.Since(begin)).Msg("workspace reconciled")
		ix.maybeFinished()
		ix.wakeEnrichIfIdle()
	}
}

// clearLostLocked forgets lost events once the rescan they asked for has
// finished and everything it found is indexed. ix.mu must be held.
func (ix *Indexer) clearLostLocked() {
	if !ix.indexingLocked() {
		ix.lostEvents = ""
	}
}

// indexing reports whether a scan is asked for or running, or a file is
// dirty or in flight; indexingLocked is the same with ix.mu held.
func (ix *Indexer) indexing() bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.indexingLocked()
}

func (ix *Indexer) indexingLocked() bool {
	return ix.scanning || len(ix.scan) > 0 || ix.q.busy()
}

// announceStart reports a full index that has work to do, unless one is
// already announced: one start and one finish per full index, however
// many rescans happen meanwhile.
func (ix *Indexer) announceStart(changed int) {
	ix.mu.Lock()
	if ix.announced {
		ix.mu.Unlock()
		return
	}
	ix.announced, ix.announcedAt, ix.done = true, time.Now(), 0
	ix.mu.Unlock()
	ix.emit(Event{Kind: EventIndexStarted, Files: changed})
}

// maybeFinished reports the end of an announced full index once nothing
// is pending.
func (ix *Indexer) maybeFinished() {
	ix.mu.Lock()
	if !ix.announced || ix.scanning || ix.q.busy() {
		ix.mu.Unlock()
		return
	}
	ix.announced = false
	took := time.Since(ix.announcedAt)
	ix.mu.Unlock()
	ix.emit(Event{Kind: EventIndexFinished, Took: took})
}

func (ix *Indexer) emit(e Event) {
	if ix.d.OnEvent != nil {
		ix.d.OnEvent(e)
	}
}

// reconcile walks every root and marks pending each file that is new or
// changed by size or mtime, and each known file that is gone. Unchanged
// files are not read.
func (ix *Indexer) reconcile(ctx context.Context) (int, error) {
	known := func(p string) (FileState, bool) {
		ix.mu.Lock()
		defer ix.mu.Unlock()
		st, ok := ix.known[p]
		return st, ok
	}
	knownPaths := func() []string {
		ix.mu.Lock()
		defer ix.mu.Unlock()
		return slices.Collect(maps.Keys(ix.known))
	}
	cs, err := scan(ctx, ix.d.Config.Workspace.Roots, ix.matcher, ix.log, known, knownPaths)
	if err != nil {
		return 0, err
	}
	ix.mu.Lock()
	maps.Copy(ix.skipped, cs.skips)
	// The walk is the authority on what is ignored: drop ignored entries
	// that it no longer finds (an ignore rule was removed, or the path is
	// gone), so that Stats does not count them for ever.
	for p, reason := range ix.skipped {
		if _, ok := cs.ignored[p]; !ok && byMatcher(reason) {
			delete(ix.skipped, p)
		}
	}
	ix.mu.Unlock()
	if len(cs.changed) > 0 {
		ix.announceStart(len(cs.changed)) // before dispatch, so Done counts every file
	}
	ix.markDirty(cs.changed)
	return len(cs.changed), nil
}

func (ix *Indexer) setSkipped(path, reason string) {
	ix.mu.Lock()
	ix.skipped[path] = reason
	ix.mu.Unlock()
}

// dispatchLoop hands pending paths to the pipeline, one task per batch
// of files (see nextBatch), never two at once for the same path.
func (ix *Indexer) dispatchLoop() {
	for ix.woken(ix.wake) {
		for {
			if !ix.batcher.admit(ix.d.Config.Engine.Workers) {
				break // a task ending wakes the loop again
			}
			paths := ix.nextBatch()
			if len(paths) == 0 {
				ix.batcher.release(nil)
				break
			}
			name := "index " + paths[0]
			if len(paths) > 1 {
				name = fmt.Sprintf("index %d files: %s, ...", len(paths), paths[0])
			}
			err := ix.d.Pipeline.Submit(ix.ctx, pipeline.Task{Name: name, Run: func(tctx context.Context) error {
				defer ix.batcher.release(ix.wake)
				if !ix.q.enter() {
					return nil // stopping: the paths stay pending in the ledger
				}
				defer ix.q.leave()
				return ix.processBatch(tctx, paths)
			}})
			if err != nil {
				ix.batcher.release(nil)
				ix.q.requeue(paths)
				if !errors.Is(err, pipeline.ErrNotAccepting) && ix.ctx.Err() == nil {
					ix.log.Warn().Err(err).Str("path", paths[0]).Int("files", len(paths)).Msg("submit file task")
				}
				return // quiescing or stopping: the work stays pending
			}
		}
	}
}

// finish ends a path's flight; a path dirtied meanwhile goes round again,
// and so does one whose task was cancelled. A path whose work failed
// otherwise (err, ctx not ended: a dependency down) stays pending in the
// ledger and waits for Retry or the next change of the file.
func (ix *Indexer) finish(ctx context.Context, p string, err error) {
	cancelled := err != nil && ctx.Err() != nil
	ix.mu.Lock()
	again := ix.q.finish(p, cancelled, err != nil)
	ix.done++
	ix.clearLostLocked()
	ix.mu.Unlock()
	if again {
		select {
		case ix.wake <- struct{}{}:
		default:
		}
	}
	ix.maybeFinished()
	ix.endReembed(ctx)
	ix.wakeEnrichIfIdle()
}

// endReembed ends a re-embedding once nothing is pending, here and in
// the ledger: from then on every chunk has the current model's vectors.
func (ix *Indexer) endReembed(ctx context.Context) {
	ix.mu.Lock()
	dirty, inflight, failed := ix.q.counts()
	busy := ix.reembed == "" || ix.scanning || dirty+inflight+failed > 0
	ix.mu.Unlock()
	if busy || ctx.Err() != nil {
		return
	}
	ended, err := ix.ledger.endReembed(ctx)
	if err != nil {
		ix.log.Warn().Err(err).Msg("re-embedding state not updated; checked again after the next file")
		return
	}
	if ended {
		ix.mu.Lock()
		model := ix.reembed
		ix.reembed = ""
		ix.mu.Unlock()
		ix.log.Info().Str("model", model).Msg("re-embedding done: every chunk has the current model's vectors")
	}
}

// Reembedding reports, while the index is brought to a new embedding
// model, its progress; nil when every chunk has the current model's
// vectors. Until then the index holds vectors of two models, which must
// not be compared: the engine leaves the semantic leg out of searches.
func (ix *Indexer) Reembedding() *Reembed {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.reembedLocked()
}

func (ix *Indexer) reembedLocked() *Reembed {
	if ix.reembed == "" {
		return nil
	}
	dirty, inflight, failed := ix.q.counts()
	left := dirty + inflight + failed
	return &Reembed{Model: ix.reembed, Files: max(ix.reembedOf, left), Left: left}
}

// processBatch brings each path's index entry in line with the file as
// it is now, whatever event led there, and ends each path's flight. The
// documents of the files that changed are written together (see
// writeFiles).
func (ix *Indexer) processBatch(tctx context.Context, paths []string) error {
	ctx, cancel := context.WithCancel(tctx)
	defer cancel()
	stop := context.AfterFunc(ix.ctx, cancel)
	defer stop()
	var (
		errs   []error
		writes []*fileWrite
		size   int
	)
	if ix.batcher != nil {
		ix.batcher.enter()
		defer ix.batcher.leave()
	}
	for len(paths) > 0 {
		for _, p := range paths {
			w, err := ix.examine(ctx, p)
			if w == nil {
				// A cancelled task stays pending; one that failed otherwise
				// is picked up again by the next reconcile, since its
				// recorded state is old.
				ix.finish(ctx, p, err)
				errs = append(errs, err)
				continue
			}
			writes = append(writes, w)
			if size += w.size; size >= maxBatchBytes {
				errs = append(errs, ix.writeEmbedded(ctx, writes))
				writes, size = nil, 0
			}
		}
		paths = ix.morePaths(writes)
	}
	errs = append(errs, ix.writeEmbedded(ctx, writes))
	return errors.Join(errs...)
}

// examine does what path needs, except writing the document of a file
// that changed: that it returns, prepared (chunked and embedded), for
// writeFiles. It returns nil when nothing is left to write.
func (ix *Indexer) examine(ctx context.Context, path string) (*fileWrite, error) {
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, ix.removeUnder(ctx, path)
	case err != nil:
		ix.setSkipped(path, SkipUnreadable)
		return nil, ix.remove(ctx, path)
	case info.IsDir():
		err := ix.removeUnder(ctx, path) // files moved out from under it; new ones arrive as their own paths
		if ignored, _ := ix.matcher.Ignored(path, true); !ignored {
			ix.skipInvalidName(path)
		}
		return nil, err
	}
	if ignored, _ := ix.matcher.Ignored(path, false); ignored {
		// Not counted here: the scan counts what is ignored, an ignored
		// directory once rather than each file beneath it.
		return nil, ix.remove(ctx, path)
	}
	if ix.skipInvalidName(path) {
		return nil, ix.remove(ctx, path)
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		ix.setSkipped(path, ix.symlinkReason(path))
		return nil, ix.remove(ctx, path)
	}
	if !info.Mode().IsRegular() {
		return nil, ix.remove(ctx, path)
	}
	if info.Size() > ix.d.Config.Workspace.MaxFileBytes {
		ix.setSkipped(path, SkipTooLarge)
		return nil, ix.remove(ctx, path)
	}
	return ix.prepare(ctx, path, info)
}

// symlinkReason classifies a symlink: the indexer never follows links;
// a target inside the roots is indexed at its own path.
func (ix *Indexer) symlinkReason(path string) string {
	target, err := filepath.EvalSymlinks(path)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return SkipUnreadable
	case err != nil: // a missing target, or a loop ("too many links")
		return SkipSymlinkBroken
	}
	if ignored, reason := ix.matcher.Ignored(target, false); ignored && reason == "outside_roots" {
		return SkipSymlinkOutside
	}
	return SkipSymlink
}

// skipInvalidName reports whether path is not valid UTF-8, counting it
// as skipped under SkipInvalidName when so. Such a path cannot round-trip
// through JSON (ids and paths come back with U+FFFD), so get_document
// and delete_document could not name its document, and two such names
// could collide. It is counted at the outermost directory (or the file)
// whose own name is invalid, so that a directory counts once, as the
// scan, which does not descend into it, counts it.
func (ix *Indexer) skipInvalidName(path string) bool {
	top, bad := invalidName(path)
	if bad {
		ix.setSkipped(top, SkipInvalidName)
	}
	return bad
}

// prepare reads and checks one regular file and, when its content
// changed, chunks and embeds it for writeFiles.
func (ix *Indexer) prepare(ctx context.Context, path string, info fs.FileInfo) (*fileWrite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			ix.setSkipped(path, SkipUnreadable)
		}
		return nil, ix.remove(ctx, path)
	}
	text, reason := contentText(data)
	if reason != "" {
		ix.setSkipped(path, reason)
		return nil, ix.remove(ctx, path)
	}
	ix.mu.Lock()
	delete(ix.skipped, path)
	old, known := ix.known[path]
	ix.mu.Unlock()
	sum := sha256.Sum256(data)
	st := FileState{Size: info.Size(), MtimeNS: info.ModTime().UnixNano(), Hash: hex.EncodeToString(sum[:])}
	ix.mu.Lock()
	was := ix.redacted[path]
	ix.mu.Unlock()
	if known && old.Hash == st.Hash {
		if err := ix.ledger.done(ctx, []fileDone{{path: path, state: st, redacted: was, wasRedacted: was}}); err != nil {
			return nil, err
		}
		ix.mu.Lock()
		ix.known[path] = st
		ix.lastIndexed = time.Now()
		ix.mu.Unlock()
		return nil, nil
	}
	// Written without symbols, so that the file is searchable at once;
	// enrichment follows in the background (see enrich.go).
	language := chunk.Detect(path, text)
	doc := storage.Document{
		ID: FileDocID(path), Collection: ix.d.Config.Workspace.Collection, Kind: storage.KindFile, Path: path,
	}
	w := &fileWrite{
		fileDone: fileDone{path: path, state: st, enrich: ix.wantsEnrich(path, language), wasRedacted: was},
		rep:      storage.Replacement{Doc: doc},
		size:     len(data),
	}
	if ix.batcher != nil {
		var texts []string
		w.rep.Chunks, texts, w.fill, w.res, err = prepareChunks(ctx, ix.d.Store, ix.d.Embedder.Info(), doc, text, language, ix.chunkOptions(language))
		if err == nil {
			w.embed = ix.batcher.submit(texts)
			ix.batcher.sendFull(ctx)
		}
	} else {
		w.rep.Chunks, w.res, err = prepareDocument(ctx, ix.d.Store, ix.d.Embedder, doc, text, language, ix.chunkOptions(language),
			pathTerms(ix.d.Embedder, ix.d.Config.Workspace.Roots, path))
	}
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", path, err)
	}
	w.redacted = w.res.Redacted
	return w, nil
}

// Forget drops path from the index and from what the indexer knows of
// it: its document, its state in the ledger and in memory, and its
// pending and enrichment marks. delete_document calls it after deleting a
// file's document, so that the ledger never records a file the store
// lacks (at the next start, that would make the engine write every known
// file again; see Ledger.Counts). The file is indexed again when it
// next changes, or at the next start, whose scan finds it missing from
// the ledger; nothing is queued (a change already queued is still
// indexed, as any change is). Its document is deleted again under
// the path's write lock, so that a write or an enrichment under way when
// the caller deleted it cannot bring it back.
func (ix *Indexer) Forget(ctx context.Context, path string) error {
	if ix.ledger == nil {
		return errors.New("forget: the indexer is not started")
	}
	return ix.remove(ctx, path)
}

// remove takes a path out of the index and the ledger.
func (ix *Indexer) remove(ctx context.Context, path string) error {
	ix.paths.lock(path)
	defer ix.paths.unlock(path)
	if _, err := ix.d.Store.DeleteDocument(ctx, FileDocID(path)); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("remove %s from the index: %w", path, err)
	}
	if err := ix.ledger.forget(ctx, path); err != nil {
		return err
	}
	ix.mu.Lock()
	delete(ix.known, path)
	delete(ix.redacted, path)
	ix.mu.Unlock()
	return nil
}

// removeUnder removes path, when it is not a regular file, and every
// known file beneath it that is no longer a regular file on disk: the
// watcher reports only a removed or renamed directory's own path.
func (ix *Indexer) removeUnder(ctx context.Context, path string) error {
	prefix := path + string(filepath.Separator)
	ix.mu.Lock()
	delete(ix.skipped, path)
	targets := []string{path} // also clears its pending mark
	for p := range ix.known {
		if strings.HasPrefix(p, prefix) {
			targets = append(targets, p)
		}
	}
	for p := range ix.skipped {
		if strings.HasPrefix(p, prefix) {
			if _, err := os.Lstat(p); err != nil {
				delete(ix.skipped, p)
			}
		}
	}
	ix.mu.Unlock()
	for _, p := range targets {
		if info, err := os.Lstat(p); err == nil && info.Mode().IsRegular() {
			continue
		}
		if err := ix.remove(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
