package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/ingest/watch"
	"workspace-qdrant-mcp/engine/lsp"
	"workspace-qdrant-mcp/engine/peer"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/procstat"
	"workspace-qdrant-mcp/internal/version"
)

// Status is engine_status's answer.
type Status struct {
	State State `json:"state"`
	// Role is "indexer" or "reader" while the engine has a run (see
	// RoleIndexer), "none" otherwise.
	Role string `json:"role"`
	// Indexer is the server that indexes storage.data_dir: this one
	// (self) or, on a reader, the one it forwards to.
	Indexer        *IndexerInfo   `json:"indexer,omitempty"`
	Version        string         `json:"version"`
	StartupSeconds float64        `json:"startup_seconds"`
	UptimeSeconds  float64        `json:"uptime_seconds"`
	Phases         []PhaseTiming  `json:"phases"`
	ActiveTasks    int            `json:"active_tasks"`
	QueuedTasks    int            `json:"queued_tasks"`
	ResourceUsage  procstat.Usage `json:"resource_usage"` // a figure the OS cannot give is null
	Index          IndexStatus    `json:"index"`
	Storage        StorageStatus  `json:"storage"`
	Config         ConfigInfo     `json:"config"`
	Embedding      EmbeddingInfo  `json:"embedding"`
	Workspace      WorkspaceInfo  `json:"workspace"`
	LastError      string         `json:"last_error"`
	Transitions    []Transition   `json:"transitions"`
	// LSP is the language servers: detected, running per root and
	// language, restarts; nil while the engine has no running components.
	LSP *lsp.Status `json:"lsp,omitempty"`
	// Connection recovery is not the engine's: engine_status adds it
	// after these fields (see package tools).
}

// EmbeddingInfo is the embedder as engine_status shows it: provider,
// model and dimensions, and while the engine runs a remote embedder, its
// counts (requests, failures, retries, truncated, batches,
// mean_batch_latency_ms, last_error) beside them.
type EmbeddingInfo struct {
	embed.Info
	*embed.Stats
	// Choice says, for embedding.provider auto, which embedder runs, why,
	// and how to get the static model when builtin runs.
	Choice *EmbedderChoice `json:"choice,omitempty"`
}

// IndexStatus counts what is indexed. Counts are the last ones read while
// the engine ran when it is not running.
type IndexStatus struct {
	Files     int `json:"files"`
	Chunks    int `json:"chunks"`
	Documents int `json:"documents"`
	Pending   int `json:"pending"`
	// Failed counts the pending files whose indexing failed while a
	// dependency was down; they are indexed once it answers again.
	Failed        int            `json:"failed"`
	Skipped       map[string]int `json:"skipped"`
	LastIndexedAt *time.Time     `json:"last_indexed_at"`
	Indexing      bool           `json:"indexing"`
	// EnrichPending counts indexed, searchable files still waiting for
	// their language-server symbols.
	EnrichPending int `json:"enrich_pending"`
	// NotesPending is true until this run has brought the notes to the
	// current embedding model (see workspace.Local.MigrateNotes); tool calls wait while a
	// note is rewritten.
	NotesPending bool `json:"notes_pending"`
	// KeywordIndexLoading is true while the store builds its in-memory
	// keyword index after opening; keyword and hybrid searches wait for
	// it meanwhile (a few seconds on a large workspace).
	KeywordIndexLoading bool `json:"keyword_index_loading"`
	// Watcher is the file watcher's state: directories watched, events,
	// rescans after lost events and why.
	Watcher *watch.Stats `json:"watcher,omitempty"`
	// Redacted counts the secrets replaced by "[REDACTED:<rule>]" in the
	// indexed files before anything was embedded or stored.
	Redacted int `json:"redacted"`
	// Reembed is the progress of re-embedding the workspace after a
	// change of embedding model; searches leave their semantic leg out
	// until it is done. Absent when every chunk has the current model's
	// vectors.
	Reembed *ingest.Reembed `json:"reembed,omitempty"`
}

// StorageStatus names the vector store, its data directory and the
// workspace roots that directory belongs to.
type StorageStatus struct {
	Backend string   `json:"backend"`
	DataDir string   `json:"data_dir"`
	Roots   []string `json:"roots"`
	// DataDirDefault is true when the data directory is the workspace's
	// default (one per workspace), false when storage.data_dir set it.
	DataDirDefault bool `json:"data_dir_default"`
}

// ConfigInfo names the configuration files that were loaded, in the
// order they were applied; empty for built-in defaults.
type ConfigInfo struct {
	Files []string `json:"files"`
}

// WorkspaceInfo names the indexed roots.
type WorkspaceInfo struct {
	Roots   []string `json:"roots"`
	Message string   `json:"message,omitempty"`
}

// transitionsShown is how many recent transitions status lists.
const transitionsShown = 20

// Status describes the engine. It never blocks on a hung dependency for
// longer than ctx allows.
func (m *Manager) Status(ctx context.Context) Status {
	m.mu.Lock()
	st := Status{
		State:     m.state,
		Version:   version.String(),
		Phases:    m.last.phases,
		Embedding: EmbeddingInfo{Info: m.last.embedding, Choice: m.last.choice},
		LastError: m.last.lastError,
		Storage: StorageStatus{Backend: m.cfg.Storage.Backend, DataDir: m.cfg.Storage.DataDir,
			Roots: slices.Clone(m.cfg.Workspace.Roots), DataDirDefault: m.cfg.Storage.DataDirDerived()},
		Config:    ConfigInfo{Files: append([]string{}, m.cfg.Files...)},
		Workspace: WorkspaceInfo{Roots: slices.Clone(m.cfg.Workspace.Roots)},
		Role:      "none",
	}
	if m.last.startup > 0 {
		st.StartupSeconds = m.last.startup.Seconds()
	}
	if st.Phases == nil {
		st.Phases = []PhaseTiming{}
	}
	if st.Embedding.Info == (embed.Info{}) { // no start got as far as the embedder: what is configured
		e := m.cfg.Embedding
		st.Embedding.Info = embed.Info{Provider: e.Provider, Model: e.Model, Dimensions: e.Dimensions}
	}
	if m.run != nil && !m.last.startedAt.IsZero() {
		st.UptimeSeconds = time.Since(m.last.startedAt).Seconds()
	}
	st.Transitions = append([]Transition(nil), m.history[max(0, len(m.history)-transitionsShown):]...)
	r, cached := m.run, m.lastStats
	m.mu.Unlock()

	if len(st.Workspace.Roots) == 0 {
		st.Workspace.Message = "no workspace is configured, so nothing is indexed: start the server with -root DIR (Claude Desktop: in \"args\"), set $WQM_ROOTS, set workspace.roots in the configuration, or start it inside a git repository"
	}
	st.ResourceUsage = m.sampler.Sample()
	st.Index = IndexStatus{Files: cached.Files, Chunks: cached.Chunks, Documents: cached.Documents, Skipped: map[string]int{}}
	if r == nil {
		return st
	}
	st.Role = r.role
	r.view.status(ctx, &st)
	return st
}

// runView is how a run reads its part of Status and Checks. It is chosen
// with the run's workspace.Service, by role: an indexer's run reads its
// own components (localView), a reader's asks the indexer through its
// link (forwardedView). Status and Checks do not branch on the role.
type runView interface {
	// status fills in the indexer, tasks, index, embedder and language
	// servers of st.
	status(ctx context.Context, st *Status)
	// checks are the run's component checks, run under the gate.
	checks(ctx context.Context) []Check
}

// newRunView is r's view: forwarded on a reader, local on an indexer.
func (m *Manager) newRunView(r *run) runView {
	if r.reader() {
		return forwardedView{m: m, r: r}
	}
	return localView{m: m, r: r}
}

// localView reads an indexer's own components.
type localView struct {
	m *Manager
	r *run
}

func (v localView) status(ctx context.Context, st *Status) {
	m, r := v.m, v.r
	st.Indexer = &IndexerInfo{PID: r.holder.PID, Since: r.holder.Since, Version: r.holder.Version,
		Socket: r.holder.Socket, Self: true, Reachable: true}
	ps := r.pipeline.Stats()
	st.ActiveTasks, st.QueuedTasks = ps.Active, ps.Queued
	if r.lsp != nil {
		ls := r.lsp.Status()
		st.LSP = &ls
	}
	if sr, ok := r.embed.inner.(embed.StatsReporter); ok {
		es := sr.Stats()
		st.Embedding.Stats = &es
	}
	if r.indexer != nil {
		is := r.indexer.Stats()
		st.Index.Pending, st.Index.Failed, st.Index.Skipped = is.Pending+is.Failed, is.Failed, is.Skipped
		st.Index.LastIndexedAt, st.Index.Indexing = is.LastIndexedAt, is.Indexing
		st.Index.EnrichPending, st.Index.Watcher = is.EnrichPending, is.Watcher
		st.Index.Redacted, st.Index.Reembed = is.Redacted, is.Reembed
	}
	st.Index.NotesPending = r.notesPending()
	if m.gate.enter(false) {
		defer m.gate.leave()
		if s, err := r.store.Stats(ctx); err == nil {
			st.Index.Files, st.Index.Chunks, st.Index.Documents = s.Files, s.Chunks, s.Documents
			st.Index.KeywordIndexLoading = s.KeywordIndexLoading
			m.mu.Lock()
			m.lastStats = s
			m.mu.Unlock()
		} else if st.LastError == "" {
			st.LastError = fmt.Sprintf("read index counts: %v", err)
		}
	}
}

func (v localView) checks(ctx context.Context) []Check {
	r := v.r
	probes := []struct {
		name string
		fn   func() error
	}{
		{CheckStorage, func() error { return r.store.Ping(ctx) }},
		{CheckEmbedder, func() error { return r.embed.check(ctx) }},
		{CheckPipeline, func() error {
			if st := r.pipeline.Stats(); !st.Accepting {
				return errors.New("not accepting tasks")
			}
			return nil
		}},
	}
	if r.indexer != nil {
		probes = append(probes, struct {
			name string
			fn   func() error
		}{CheckWatcher, r.indexer.Check})
	}
	// Concurrently, so that one slow component does not eat the others'
	// share of ctx.
	results := make([]Check, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() { results[i] = timed(ctx, p.name, p.fn) })
	}
	wg.Wait()
	for i := range results {
		if results[i].Name == CheckStorage && results[i].Err == nil {
			if s, err := r.store.Stats(ctx); err == nil && s.KeywordIndexLoading {
				results[i].Message = "keyword index loading: keyword and hybrid searches wait for it"
			}
		}
		if results[i].Name == CheckEmbedder && r.choice != nil { // which embedder auto runs, and why
			results[i].Message = strings.TrimPrefix(results[i].Message+"; "+r.choice.String(), "; ")
		}
	}
	return results
}

// forwardedView is what a reader shows of the indexer: its index, tasks,
// embedder and language servers, read through the socket.
type forwardedView struct {
	m *Manager
	r *run
}

// status reads the indexer's status. When the indexer does not answer,
// the counts are the last ones read and indexer.reachable is false.
func (v forwardedView) status(ctx context.Context, st *Status) {
	m, r := v.m, v.r
	var remote Status
	ok := false
	if m.gate.enter(false) {
		ok = r.link.try(ctx, peer.MethodStatus, peer.Empty{}, &remote) == nil
		m.gate.leave()
	}
	st.Indexer = r.link.info()
	if !ok || remote.State == "" {
		return
	}
	st.ActiveTasks, st.QueuedTasks = remote.ActiveTasks, remote.QueuedTasks
	st.Index, st.Embedding, st.LSP = remote.Index, remote.Embedding, remote.LSP
	m.mu.Lock()
	m.lastStats = storage.Stats{Files: remote.Index.Files, Chunks: remote.Index.Chunks, Documents: remote.Index.Documents}
	m.mu.Unlock()
}

// checks: a reader's storage is the indexer's store, through the socket.
func (v forwardedView) checks(ctx context.Context) []Check {
	return []Check{timed(ctx, CheckIndexer, func() error { return v.r.link.try(ctx, peer.MethodPing, peer.Empty{}, nil) })}
}

// Checks runs every component's health check, concurrently, each bounded
// by ctx.
func (m *Manager) Checks(ctx context.Context) []Check {
	state := m.State()
	engineCheck := Check{Name: CheckEngine, Status: CheckPass, Message: "state " + string(state)}
	if state != StateRunning {
		engineCheck.Status, engineCheck.Err = CheckFail, errors.New(engineCheck.Message)
	}
	checks := []Check{engineCheck}
	if !m.gate.enter(false) {
		return checks
	}
	defer m.gate.leave()
	m.mu.Lock()
	r := m.run
	m.mu.Unlock()
	if r == nil {
		return checks
	}
	return append(checks, r.view.checks(ctx)...)
}

// Tasks returns the processing pipeline's counts; zero while the engine
// has no running components.
func (m *Manager) Tasks() pipeline.Stats {
	m.mu.Lock()
	r := m.run
	m.mu.Unlock()
	if r == nil || r.pipeline == nil {
		return pipeline.Stats{}
	}
	return r.pipeline.Stats()
}
