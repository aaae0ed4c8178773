// Package engine owns the ingestion engine's whole lifecycle inside the MCP
// server process: its state machine, phased startup with health
// verification, graceful and forced shutdown, the processing pipeline, and
// the workspace operations (search, documents) that tools call.
//
// # Layout
//
// This package is the Manager: the state machine, the startup phases, the
// list of a run's components and the gate that admits workspace
// operations. The work itself is done by its subpackages:
//
//	engine            Manager: lifecycle (manager.go, startup.go, shutdown.go, state.go),
//	                  the gate and the admission hook (gate.go, admit.go, methods.go),
//	                  the operation table (methods.go) run on the run's workspace.Service,
//	                  the notes task (notestask.go), the reader's link and takeover
//	                  (peers.go, handoff.go), status and checks (status.go: a run's
//	                  runView, local on an indexer, forwarded on a reader)
//	engine/workspace  the workspace operations: the Service interface and Local, its
//	                  implementation on the run's store and embedder (search, find_related,
//	                  documents, notes pages), and the notes migration with its lock
//	engine/peer       the indexer lock, the socket, the wire protocol: Methods and
//	                  versioned DTOs (wire.go, pinned under testdata/); ServiceClient,
//	                  a reader's workspace.Service, and ServiceHandlers, which serve one
//	engine/ingest     the workspace indexer: scan, watch, ledger, chunk, secrets
//	engine/pipeline   the bounded queue and workers that run indexing tasks
//	engine/embed      embedders (static, builtin, remote providers)
//	engine/storage    the vector store contract and its backends (embedded, qdrant)
//	engine/rank       fusion and the ranking rules of search and find_related
//	engine/analysis   the keyword index's terms
//	engine/lsp        language servers that enrich code chunks with symbols
//
// Imports go one way: engine imports workspace and peer, peer imports
// workspace, and workspace imports neither.
//
// The role is which workspace.Service a run holds: an indexer's run holds
// a workspace.Local, a reader's a peer.ServiceClient over its link to the
// indexer. The line differs from a "peer.Client implements Service" in
// two places, because the code draws them there: the reader's retries,
// timeouts and takeover belong to the run (they use the engine's states
// and sentinels), so ServiceClient sends through a peer.Caller that the
// engine's link implements; and the indexer's socket serves not its Local
// but the Manager as a Service (managerService), so that a reader's call
// passes the indexer's admission hook, gate and redo exactly as a tool
// call there does. Status and Checks read through a second seam the run
// holds beside its Service, its runView: localView reads the indexer's
// own components, forwardedView asks the indexer over the link. It is
// not part of workspace.Service because what it reads (pipeline,
// watcher, language servers, the link's reachability) is the run's, not
// the workspace's.
//
// docs/architecture.md follows a tool call and a file change through them.
//
// # States
//
//	             start
//	┌─────────┐ ───────▶ ┌──────────┐  complete  ┌─────────┐
//	│ stopped │          │ starting │ ─────────▶ │ running │
//	└─────────┘ ◀─────── └──────────┘            └─────────┘
//	  ▲     ▲    cancel       │ fail                  │ stop,
//	  │     │                 ▼                       │ force_stop
//	  │     │  reset    ┌─────────┐                   ▼
//	  │     └────────── │  error  │ ◀──── fail ── ┌──────────┐ ◀┐ force_stop
//	  │                 └─────────┘               │ stopping │ ─┘ (escalation)
//	  └──────────────────── stopped ───────────── └──────────┘
//
// cancel is engine_stop during a start; fail out of stopping is a
// component that failed to stop or did not stop within
// engine.force_shutdown_timeout. Subscribe sees the transitions in the
// order they were made.
//
// A Manager is created once per process and started and stopped any
// number of times:
//
//	m := engine.New(cfg, engine.Options{Logger: logger, LoadConfig: reload})
//	if err := m.Start(ctx); err != nil { ... } // blocks until running or error
//	hits, err := m.Search(ctx, engine.SearchRequest{Query: "parse duration"})
//	res, err := m.Stop(ctx, engine.StopOptions{})  // graceful, then forced
//
// Startup runs three phases, each timed and shown in Status: (1) validate
// the configuration, start the metrics collector, open and ping storage,
// create the embedder and embed a test text, open the run's ledger (one
// ingest.Ledger, shared by the indexer and the engine's checks); (2) start
// the processing pipeline and the workspace indexer (watcher); (3) verify the pipeline is
// ready and the watcher active, then send a probe text through embed,
// upsert, search and delete. engine.startup_timeout bounds the whole start;
// on failure every component already started is stopped in reverse order.
//
// # Roles
//
// Servers that share storage.data_dir coordinate through package peer: a
// start that gets the data directory's indexer lock runs as RoleIndexer
// (everything above, plus a socket that answers the other servers); one
// that does not runs as RoleReader, with no store, embedder or watcher of
// its own. Every workspace operation is one entry of the operation table
// (methods.go): it is offered to the admission hook (SetAdmission), then
// run on the run's workspace.Service, which on a reader sends it to the
// indexer as its peer.Method with the request's wire DTO; there
// peer.ServiceHandlers serve it through the same entry.
// A reader tries the lock when the watch call it holds open on the
// indexer's socket ends, and every lockPollEvery; when it gets it (the
// indexer exited, stopped or died), it restarts itself as the indexer (a
// takeover: its transitions carry OriginTakeover, as recovery's carry
// OriginRecovery). Operations
// that arrive meanwhile wait for the takeover and run again (redo).
// Restart and Recover keep an indexer's lock from their stop to their
// start (a lockHandoff, a parameter of that stop), so it stays the
// indexer.
//
// Concurrency: every exported method may be called from any goroutine.
// Start, Stop and Restart are serialised; workspace operations run
// concurrently with each other and are refused, with an error naming the
// state, while the engine is not running.
package engine
