package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/lsp"
	"workspace-qdrant-mcp/engine/peer"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/workspace"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/hfhub"
)

// Indexer keeps the index in step with the workspace: it reconciles the
// roots against the index at start and then follows the watcher. The
// engine starts it in phase 2, pauses it when a stop begins and stops it
// before the pipeline.
type Indexer interface {
	// Start begins indexing in the background and returns once the
	// watcher is active. It must not wait for indexing to finish.
	Start(ctx context.Context) error
	// Pause stops handing new file events to the pipeline; events are
	// kept, not lost.
	Pause()
	// Stop ends watching and background work and waits for it.
	Stop(ctx context.Context) error
	// Check reports whether the watcher is alive and no events were lost.
	Check() error
	// Stats describes the index for engine_status.
	Stats() ingest.Stats
	// Forget drops a file from the index and the ledger, so that it is
	// indexed again only when it next changes or at the next start; it
	// follows delete_document of a file's document.
	Forget(ctx context.Context, path string) error
}

// PhaseTiming is one startup phase as engine_status shows it.
type PhaseTiming struct {
	Name       string  `json:"name"`
	DurationMS float64 `json:"duration_ms"`
	OK         bool    `json:"ok"`
	Error      string  `json:"error,omitempty"`
}

// component is a started part of a run. Components are kept in start
// order and stopped in reverse.
type component struct {
	name string
	stop func(ctx context.Context) error
	// handOff, set on the indexer lock only, replaces stop in a stop that
	// keeps the lock for the start that follows (see lockHandoff).
	handOff func(*lockHandoff)
}

// run holds the components of one start, from Start to Stop. An
// indexer's run has them all; a reader's has only its link to the indexer
// (store, ledger, embedder, pipeline, indexer and lsp are nil).
type run struct {
	cfg      config.Config
	role     string      // RoleIndexer or RoleReader
	holder   peer.Holder // an indexer's own entry in the data directory
	link     *link       // a reader's connection to the indexer
	store    storage.Store
	ledger   *ingest.Ledger   // the indexer's bookkeeping, opened once per run
	embedder embed.Embedder   // embed, once phase 1 has tested it
	embed    *trackedEmbedder // the embedder with the outcomes of its requests
	choice   *EmbedderChoice  // what provider auto chose and why; nil for another provider
	pipeline *pipeline.Pipeline
	indexer  Indexer // nil when no workspace root is configured
	lsp      *lsp.Manager
	comps    []component
	reindex  bool            // rebuild the workspace index from scratch in phase 1
	inherit  *lockHandoff    // the indexer lock to claim first, from startPlan.lock
	notes    <-chan struct{} // closed once the notes migration has run (startNotes)
	// ws is the run's workspace.Service: local on the indexer, a
	// peer.ServiceClient on a reader. The operations run on it.
	ws    workspace.Service
	local *workspace.Local // the indexer's; nil on a reader
	// view reads the run's part of Status and Checks: its own components
	// on the indexer, the indexer's through the link on a reader.
	view runView
}

// reader reports whether the run forwards to another server's indexer.
func (r *run) reader() bool { return r.role == RoleReader }

func (r *run) add(name string, stop func(ctx context.Context) error) {
	r.comps = append(r.comps, component{name: name, stop: stop})
}

// spawn runs fn on a goroutine that the run owns: the component's stop
// cancels fn's context and waits, bounded by the stop's context, for fn to
// return.
func (r *run) spawn(name string, fn func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ctx)
	}()
	r.add(name, func(stopCtx context.Context) error {
		cancel()
		select {
		case <-done:
			return nil
		case <-stopCtx.Done():
			return fmt.Errorf("%s did not stop: %w", name, stopCtx.Err())
		}
	})
}

// probeText goes through embed, upsert, search and delete in phase 3.
const probeText = "workspace qdrant engine startup probe"

// startup runs the three phases. On failure it stops, in reverse order,
// every component it had started and returns the phase's error.
func (m *Manager) startup(ctx context.Context, cfg config.Config, plan startPlan) (*run, runRecord, error) {
	r := &run{cfg: cfg, reindex: plan.reindex, inherit: plan.lock}
	var rec runRecord
	phases := []struct {
		name string
		fn   func(context.Context, *run) error
	}{
		{"initialize", m.initialize},
		{"services", m.startServices},
		{"verify", m.verify},
	}
	for _, ph := range phases {
		begin := time.Now()
		err := ph.fn(ctx, r)
		if err == nil && ctx.Err() != nil {
			err = startError(ctx)
		}
		pt := PhaseTiming{Name: ph.name, DurationMS: ms(time.Since(begin)), OK: err == nil}
		if err != nil {
			pt.Error = err.Error()
		}
		rec.phases = append(rec.phases, pt)
		if err != nil {
			if errors.Is(context.Cause(ctx), ErrStartCancelled) {
				m.log.Info().Str("phase", ph.name).Msg("startup cancelled; stopping started components")
			} else {
				m.log.Error().Err(err).Str("phase", ph.name).Msg("startup phase failed; stopping started components")
			}
			m.stopComponents(r.comps, cfg.Engine.ForceShutdownTimeout.D(), false, nil)
			return nil, rec, fmt.Errorf("startup phase %s: %w", ph.name, err)
		}
		m.log.Info().Str("phase", ph.name).Float64("duration_ms", pt.DurationMS).Msg("startup phase done")
	}
	if r.reader() {
		r.ws = peer.NewServiceClient(r.link)
	} else {
		r.local = workspace.NewLocal(workspace.Deps{
			Config: r.cfg, Store: r.store, Embedder: r.embedder, Index: r.indexer,
			EmbedderOutage: r.embedderOutage, ReportFailure: m.reportFailure, NotesPending: r.notesPending,
			Log: m.opts.Logger.With().Str("component", "notes").Logger(),
		})
		r.ws = r.local
		r.notes = m.startNotes(r) // notes embedded by another model, in the background
	}
	r.view = m.newRunView(r)
	if r.embedder != nil {
		rec.embedding, rec.choice = r.embedder.Info(), r.choice
	}
	return r, rec, nil
}

// initialize is phase 1: configuration, metrics, storage, embedder.
func (m *Manager) initialize(ctx context.Context, r *run) error {
	if err := r.cfg.Validate(); err != nil {
		return err
	}
	m.sampler.Sample() // the metrics collector's first reading starts its CPU interval
	if err := os.MkdirAll(r.cfg.Storage.DataDir, 0o700); err != nil {
		return fmt.Errorf("create storage.data_dir: %w", err)
	}
	m.privateDataDir(r.cfg.Storage.DataDir)
	if err := m.claimRole(ctx, r); err != nil {
		return err
	}
	if r.reader() {
		return nil // the indexer has the store, the embedder and the temporary directory
	}
	if err := os.MkdirAll(tempDir(r.cfg), 0o700); err != nil {
		return fmt.Errorf("create temporary directory: %w", err)
	}

	open := m.opts.OpenStore
	if open == nil {
		open = openStore
	}
	store, err := open(ctx, r.cfg)
	if err != nil {
		if unreachable(err) && ctx.Err() == nil {
			return fmt.Errorf("open %s storage: %w: %w", r.cfg.Storage.Backend, ErrUnreachable, err)
		}
		return fmt.Errorf("open %s storage: %w", r.cfg.Storage.Backend, err)
	}
	r.store = store
	r.add("storage", func(context.Context) error { return store.Close() })
	if err := store.Ping(ctx); err != nil {
		if unreachable(err) && ctx.Err() == nil {
			return fmt.Errorf("storage health check: %w: %w", ErrUnreachable, err)
		}
		return fmt.Errorf("storage health check: %w", err)
	}

	emb, err := m.openEmbedder(ctx, r)
	if err != nil {
		return fmt.Errorf("initialise embedder: %w", err)
	}
	if c, ok := emb.(embed.IdleCloser); ok {
		r.add("embedder", func(context.Context) error { c.CloseIdleConnections(); return nil })
	}
	// One request, no retry schedule: an unreachable provider fails the
	// start in one embedding.timeout, and recovery retries the start.
	vecs, err := emb.Embed(embed.WithoutRetry(ctx), []string{probeText})
	if err != nil {
		if unreachable(err) && ctx.Err() == nil {
			return fmt.Errorf("embedding test: %w: %w", ErrUnreachable, err)
		}
		return fmt.Errorf("embedding test: %w", err)
	}
	if len(vecs) != 1 {
		return fmt.Errorf("embedding test: got %d vectors for 1 text", len(vecs))
	}
	if got, want := len(vecs[0]), emb.Info().Dimensions; got != want {
		return fmt.Errorf("embedding test: the model returned %d-dimensional vectors but embedding.dimensions is %d: "+
			"set embedding.dimensions: %d (an index built at %d dimensions is then rebuilt with engine_restart reindex: true, or use a new storage.data_dir)",
			got, want, got, want)
	}
	r.embed = &trackedEmbedder{
		inner:  emb,
		onFail: func(ctx context.Context, err error) { m.reportFailure(ctx, ComponentEmbedder, err) },
		up:     func() { m.resume(r, "the embedder answers again") },
	}
	r.embedder = r.embed.withTerms()
	// One ledger for the run: checked and reset here, then the indexer's.
	// Stopped after the indexer, which it outlives.
	ledger, err := ingest.OpenLedger(ctx, r.cfg.Storage.DataDir)
	if err != nil {
		return err
	}
	r.ledger = ledger
	r.add("ledger", func(context.Context) error { return ledger.Close() })
	m.initLSP(r)
	if r.reindex {
		if err := m.dropIndex(ctx, r); err != nil {
			return err
		}
	}
	err = store.EnsureCollection(ctx, r.cfg.Workspace.Collection, emb.Info().Dimensions)
	if errors.Is(err, storage.ErrDimensionMismatch) && !r.reindex && m.modelReplaced(ctx, r, emb.Info()) {
		// The provider chose another model, of another vector size (auto
		// between the static model and builtin, another static model):
		// the workspace index is derived from the files, so it is rebuilt
		// rather than the start refused. Notes move in the background
		// (startNotes).
		m.log.Warn().Str("collection", r.cfg.Workspace.Collection).Int("dimensions", emb.Info().Dimensions).
			Msg("the embedding model's vector size differs from the workspace index's: the index is rebuilt")
		r.reindex = true
		if err := m.dropIndex(ctx, r); err != nil {
			return err
		}
		err = store.EnsureCollection(ctx, r.cfg.Workspace.Collection, emb.Info().Dimensions)
	}
	if err != nil {
		if errors.Is(err, storage.ErrDimensionMismatch) {
			return fmt.Errorf("prepare collection %s: %w: rebuild the index at %d dimensions with engine_restart reindex: true (notes are kept), "+
				"set embedding.dimensions back to the index's size, or use a new storage.data_dir (with qdrant: a new storage.qdrant.collection_prefix)",
				r.cfg.Workspace.Collection, err, emb.Info().Dimensions)
		}
		return fmt.Errorf("prepare collection %s: %w", r.cfg.Workspace.Collection, err)
	}
	if !r.reindex {
		return m.checkIndex(ctx, r)
	}
	return nil
}

// modelReplaced reports whether the workspace index was built by another
// model than info's, and the provider chooses its model itself (auto,
// static), so that the index follows it without a reindex. A change of
// embedding.dimensions alone is the user's and still needs one.
func (m *Manager) modelReplaced(ctx context.Context, r *run, info embed.Info) bool {
	if p := r.cfg.Embedding.Provider; p != "auto" && p != "static" {
		return false
	}
	old, err := r.ledger.Model(ctx)
	if err != nil {
		m.log.Warn().Err(err).Msg("cannot tell which model built the workspace index")
		return false
	}
	withoutSize := func(key string) string { return key[:max(0, strings.LastIndex(key, "/"))] }
	return old != "" && withoutSize(old) != withoutSize(ingest.ModelKey(info))
}

// openEmbedder creates the run's embedder: Options.NewEmbedder's, else
// the configured provider's; for provider auto it records the choice.
func (m *Manager) openEmbedder(ctx context.Context, r *run) (embed.Embedder, error) {
	if m.opts.NewEmbedder != nil {
		return m.opts.NewEmbedder(ctx, r.cfg)
	}
	if r.cfg.Embedding.Provider != "auto" {
		return newEmbedder(ctx, r.cfg)
	}
	emb, choice, err := openAuto(ctx, r.cfg, hfhub.FromEnv())
	if err != nil {
		return nil, err
	}
	r.choice = &choice
	ev := m.log.Info()
	if choice.Provider != "static" {
		ev = m.log.Warn()
	}
	ev.Str("provider", choice.Provider).Str("reason", choice.Reason).Str("hint", choice.Hint).Msg("embedding.provider auto: embedder chosen")
	return emb, nil
}

// checkIndex makes the indexer write every known file again when the
// store lost documents the ledger records as indexed: a Qdrant collection
// deleted or re-created behind the server's back (EnsureCollection just
// created it), or one holding fewer documents than the ledger has indexed
// files not pending. The ledger stays local and trusted for everything
// else; see ingest.Ledger.RequeueAll.
func (m *Manager) checkIndex(ctx context.Context, r *run) error {
	coll := r.cfg.Workspace.Collection
	files, pending, err := r.ledger.Counts(ctx)
	if err != nil || files == 0 {
		if err != nil {
			m.log.Warn().Err(err).Msg("cannot compare the index with the ledger; trusting the ledger")
		}
		return nil
	}
	var reason string
	if c, ok := r.store.(storage.CreationReporter); ok && c.Created(coll) {
		reason = "the collection was missing and has been created empty"
	} else {
		colls, err := r.store.Collections(ctx)
		if err != nil {
			m.log.Warn().Err(err).Msg("cannot compare the index with the ledger; trusting the ledger")
			return nil
		}
		docs := 0
		for _, c := range colls {
			if c.Name == coll {
				docs = c.Documents
			}
		}
		if docs+pending < files {
			reason = fmt.Sprintf("the collection holds %d documents, the ledger records %d indexed files (%d pending)", docs, files, pending)
		}
	}
	if reason == "" {
		return nil
	}
	n, err := r.ledger.RequeueAll(ctx)
	if err != nil {
		return fmt.Errorf("requeue the workspace after the index lost documents: %w", err)
	}
	m.log.Warn().Str("collection", coll).Str("reason", reason).Int("files", n).
		Msg("the index lost documents the ledger records: every known file is written again")
	return nil
}

// initLSP is phase 1's last step: detect the language servers (LookPath
// only; they start when first needed). It is stopped after the indexer
// and before storage.
func (m *Manager) initLSP(r *run) {
	r.lsp = lsp.New(r.cfg.LSP, lsp.Options{Logger: m.opts.Logger, Roots: r.cfg.Workspace.Roots})
	r.add("lsp", r.lsp.Stop)
}

// dropIndex forgets the workspace index: its collection and the ledger.
func (m *Manager) dropIndex(ctx context.Context, r *run) error {
	coll := r.cfg.Workspace.Collection
	n, err := r.store.DropCollection(ctx, coll)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if err := r.ledger.Reset(ctx); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	m.log.Warn().Str("collection", coll).Int("documents", n).Msg("reindex: dropped the workspace index; every file is indexed again")
	return nil
}

// startServices is phase 2: the processing pipeline, then the indexer;
// a reader's watch on the indexer lock.
func (m *Manager) startServices(ctx context.Context, r *run) error {
	if r.reader() {
		r.spawn("indexer watch", func(ctx context.Context) { m.watchIndexer(ctx, r) })
		return nil
	}
	p := pipeline.New(r.cfg.Engine.Workers, r.cfg.Engine.QueueCapacity, m.opts.Logger.With().Str("component", "pipeline").Logger())
	p.Start()
	r.pipeline = p
	r.add("pipeline", func(ctx context.Context) error {
		dropped, err := p.Shutdown(ctx)
		if dropped > 0 {
			m.log.Warn().Int("dropped", dropped).Msg("pipeline stopped with queued tasks; their work stays pending and resumes at the next start")
		}
		return err
	})
	if len(r.cfg.Workspace.Roots) == 0 {
		m.log.Warn().Msg("no workspace root configured: set workspace.roots in the configuration; notes still work")
		return nil
	}
	newIdx := m.opts.NewIndexer
	if newIdx == nil {
		newIdx = newIndexer
	}
	idx, err := newIdx(ingest.Deps{
		Config: r.cfg, Store: r.store, Embedder: r.embedder, Pipeline: p,
		Logger:  m.opts.Logger,
		OnEvent: m.indexEvents.send, Enricher: r.lsp, Ledger: r.ledger,
	})
	if err != nil {
		return fmt.Errorf("create workspace indexer: %w", err)
	}
	r.indexer = idx
	r.add("watcher", idx.Stop)
	if err := idx.Start(ctx); err != nil {
		return fmt.Errorf("start file watcher: %w", err)
	}
	return nil
}

// verify is phase 3: readiness checks, then an end-to-end probe through
// the pipeline.
func (m *Manager) verify(ctx context.Context, r *run) error {
	if r.reader() {
		return nil // claimRole's hello went through the socket and back
	}
	if st := r.pipeline.Stats(); !st.Accepting {
		return errors.New("processing pipeline is not accepting tasks")
	}
	if r.indexer != nil {
		if err := r.indexer.Check(); err != nil {
			return fmt.Errorf("file watcher: %w", err)
		}
	}
	return r.pipeline.Do(ctx, "startup probe", func(tctx context.Context) error {
		pctx, cancel := mergeCancel(ctx, tctx)
		defer cancel()
		return probe(pctx, r)
	})
}

// probe sends a text through embed, upsert, search and delete.
func probe(ctx context.Context, r *run) error {
	id := fmt.Sprintf("probe:%d:%d", os.Getpid(), time.Now().UnixNano())
	coll := r.cfg.Workspace.Collection
	vecs, err := r.embedder.Embed(ctx, []string{probeText})
	if err != nil {
		return fmt.Errorf("probe embed: %w", err)
	}
	doc := storage.Document{ID: id, Collection: coll, Kind: storage.KindNote, Title: "startup probe"}
	ch := storage.Chunk{
		ID: id + "#0", DocID: id, Collection: coll, Kind: storage.KindNote, Title: doc.Title,
		StartLine: 1, EndLine: 1, Text: probeText, Hash: storage.VectorHash(ingest.ModelKey(r.embedder.Info()), probeText), Dense: vecs[0],
	}
	if err := r.store.ReplaceDocument(ctx, doc, []storage.Chunk{ch}); err != nil {
		return fmt.Errorf("probe upsert: %w", err)
	}
	deleted := false
	defer func() { // never leave the probe behind, even when a step fails
		if !deleted {
			_, _ = r.store.DeleteDocument(context.WithoutCancel(ctx), id)
		}
	}()
	hits, err := r.store.Search(ctx, storage.Query{Text: probeText, Dense: vecs[0], Mode: storage.ModeHybrid, Limit: 5, Collection: coll})
	if err != nil {
		return fmt.Errorf("probe search: %w", err)
	}
	found := false
	for _, h := range hits {
		found = found || h.Chunk.DocID == id
	}
	if !found {
		return fmt.Errorf("probe search: the probe document was not found among %d hits", len(hits))
	}
	deleted = true
	if _, err := r.store.DeleteDocument(ctx, id); err != nil {
		return fmt.Errorf("probe delete: %w", err)
	}
	return nil
}

// mergeCancel returns a context that ends when either a or b ends.
func mergeCancel(a, b context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(a)
	stop := context.AfterFunc(b, func() { cancel(context.Cause(b)) })
	return ctx, func() { stop(); cancel(nil) }
}

func tempDir(cfg config.Config) string { return filepath.Join(cfg.Storage.DataDir, "tmp") }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
