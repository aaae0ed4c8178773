// Package engine owns the ingestion engine's whole lifecycle inside the MCP
// server process: its state machine, phased startup with health
// verification, graceful and forced shutdown, the processing pipeline, and
// the workspace operations (search, documents) that tools call.
//
// The design follows the engine lifecycle design (stopped, starting,
// running, stopping, error), with its gRPC hops replaced by direct calls:
//
//	stopped ──start──▶ starting ──complete──▶ running ──stop/force_stop──▶ stopping ──stopped──▶ stopped
//	                      │ fail  │ cancel                                   │ fail
//	                      ▼       └──▶ stopped                               ▼
//	                    error ──────────────reset──────────────▶ stopped   error
//
// cancel is engine_stop during a start, which the design has wait for
// the start instead; fail out of stopping is a component that failed to
// stop or did not stop within engine.force_shutdown_timeout.
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
// create the embedder and embed a test text; (2) start the processing
// pipeline and the workspace indexer (watcher); (3) verify the pipeline is
// ready and the watcher active, then send a probe text through embed,
// upsert, search and delete. engine.startup_timeout bounds the whole start;
// on failure every component already started is stopped in reverse order.
//
// Servers that share storage.data_dir coordinate through package peer: a
// start that gets the data directory's indexer lock runs as RoleIndexer
// (everything above, plus a socket that answers the other servers); one
// that does not runs as RoleReader, with no store, embedder or watcher of
// its own, forwarding every workspace operation to the indexer. A reader
// tries the lock when the watch call it holds open on the indexer's socket
// ends, and every lockPollEvery; when it gets it (the indexer exited,
// stopped or died), it restarts itself as the indexer (a takeover: its
// transitions carry OriginTakeover, as recovery's carry OriginRecovery). Operations that arrive
// meanwhile wait for the takeover and run again (redo). Restart and Recover keep an
// indexer's lock, so it stays the indexer.
//
// Concurrency: every exported method may be called from any goroutine.
// Start, Stop and Restart are serialised; workspace operations run
// concurrently with each other and are refused, with an error naming the
// state, while the engine is not running.
package engine
