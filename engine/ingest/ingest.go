// Package ingest keeps the index in step with the workspace.
//
// An Indexer walks every workspace root, reconciles what it finds against
// a durable ledger of per-file state (size, mtime, content hash) and of
// pending work, and then follows the file watcher. Each changed file is
// read, chunked, embedded (only chunks whose text is new) and written
// with one atomic replace (when many files are pending, several files'
// replaces share one store transaction; see batch.go); deleted files
// leave the index. Pending work is
// recorded before it is done, so a crash, a force stop or a shutdown
// timeout loses nothing: the next start finishes it.
//
// The Indexer is made of pieces, each with its own lock and tested on its
// own, without a watcher: scan (scan.go) walks the roots to a change set
// and changes nothing; workQueue (queue.go) holds the dirty, in-flight
// and failed paths and admits file tasks; enrichQueue (enrich.go) holds
// the versions waiting for symbols; pathLocks (gates.go) serialise the
// writes of one path's document; the Ledger (ledger.go) is the durable
// record, opened once per engine run and passed in Deps.Ledger. The
// Indexer's own lock guards the rest (known states, skips, the progress
// of a full index) and, when held with a piece's lock, is taken first.
//
//	ledger, err := ingest.OpenLedger(ctx, cfg.Storage.DataDir) // closed by the caller, after Stop
//	idx, err := ingest.New(ingest.Deps{Config: cfg, Store: st, Embedder: emb, Pipeline: p, Logger: log, Ledger: ledger})
//	err = idx.Start(ctx) // returns once the watcher is active; indexing goes on in the background
//	...
//	idx.Pause()          // a stop begins: keep events, hand no more to the pipeline
//	err = idx.Stop(ctx)  // ends watching and background work, and waits for it
package ingest

import (
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest/watch"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
)

// Deps is what an Indexer is built from.
type Deps struct {
	Config   config.Config
	Store    storage.Store
	Embedder embed.Embedder
	Pipeline *pipeline.Pipeline
	// Logger is the process's logger, without a component: the indexer
	// and its watcher add their own.
	Logger zerolog.Logger
	// OnEvent, when set, is told when a full index with work to do starts
	// and when it finishes. It is called on the indexer's goroutines and
	// must not block.
	OnEvent func(Event)
	// Enricher, when set, adds metadata (symbols) to each file's chunks,
	// in the background after the file is written and searchable.
	Enricher Enricher
	// Ledger is the run's ledger, which its opener closes after Stop;
	// nil makes the indexer open Config.Storage.DataDir's itself and
	// close it when it stops.
	Ledger *Ledger
}

// Event kinds.
const (
	EventIndexStarted  = "index_started"
	EventIndexFinished = "index_finished"
)

// Event reports the start or the end of a full index.
type Event struct {
	Kind  string
	Files int           // for EventIndexStarted: files to index or remove
	Took  time.Duration // for EventIndexFinished
}

// Stats is the indexer's part of engine_status.index.
type Stats struct {
	// Pending counts the files queued or being indexed.
	Pending int `json:"pending"`
	// Waiting counts the pending files not yet handed to the pipeline.
	Waiting int `json:"waiting,omitempty"`
	// Failed counts the files whose indexing failed (a dependency was
	// down): their work is pending in the ledger, and Retry does it.
	Failed int `json:"failed,omitempty"`
	// Done counts the paths handled since the latest full index with work
	// to do began: Done of Done+Pending is its progress.
	Done          int            `json:"done"`
	Skipped       map[string]int `json:"skipped"`
	LastIndexedAt *time.Time     `json:"last_indexed_at"`
	Indexing      bool           `json:"indexing"`
	Watcher       *watch.Stats   `json:"watcher,omitempty"`
	// EnrichPending counts the files written and searchable whose
	// symbols are yet to be added (queued or being enriched).
	EnrichPending int `json:"enrich_pending"`
	// Redacted counts the secrets replaced by "[REDACTED:<rule>]" in the
	// indexed files before they were embedded and stored.
	Redacted int `json:"redacted"`
	// Reembed is the progress of bringing the index to a new embedding
	// model; nil when every chunk has the current model's vectors.
	Reembed *Reembed `json:"reembed,omitempty"`
}

// Reembed is the progress of a re-embedding after a change of embedding
// model (or of its resolved commit): Files files to write again, Left of
// them still pending. Until it ends, searches leave the semantic leg out.
type Reembed struct {
	Model string `json:"model"` // the model key the index is brought to
	Files int    `json:"files"`
	Left  int    `json:"left"`
}
