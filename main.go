// Command workspace-qdrant-mcp is an MCP server that indexes the user's
// workspace into a local vector store and answers hybrid (keyword and
// semantic) searches over it. An MCP client such as Claude Desktop
// launches it and talks JSON-RPC over its stdin and stdout; logs go to
// stderr (and to logging.file when set).
//
// Usage:
//
//	workspace-qdrant-mcp [-root DIR]... [-config PATH] [-version] [-fetch-model]
//
// The workspace is the -root directories, else $WQM_ROOTS, else
// workspace.roots of the configuration, else the git top level of the
// working directory. The configuration is the -config file, else
// $WQM_CONFIG, else the user's file with the project's .wqm.yaml over
// it, else built-in defaults (see internal/config); a config.yaml in the
// working directory is never taken for ours. In Claude Desktop's
// claude_desktop_config.json:
//
//	{"mcpServers": {"workspace": {
//	  "command": "/usr/local/bin/workspace-qdrant-mcp",
//	  "args": ["-root", "/Users/me/src/project"]}}}
//
// To try it by hand, send the initialize request and close stdin; the
// server answers on stdout, stops the engine and exits 0:
//
//	echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"sh","version":"0"}}}' \
//	  | workspace-qdrant-mcp -config config.yaml
//
// Lifetime: the server answers at once; when engine.autostart is true
// (the default) the engine starts in the background and tools that need
// it say so until it runs. Beside it run the health monitor (package
// health) and connection recovery (package recovery); at shutdown they
// end before the engine stops, so nothing restarts it then. When stdin ends, or on SIGINT or SIGTERM, the
// engine stops gracefully and the process exits 0; a second signal forces
// the stop. Exit status 2 is a configuration error, 1 a runtime failure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/embed/static"
	"workspace-qdrant-mcp/health"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/hfhub"
	"workspace-qdrant-mcp/internal/logging"
	"workspace-qdrant-mcp/internal/memlimit"
	"workspace-qdrant-mcp/internal/version"
	"workspace-qdrant-mcp/mcp"
	"workspace-qdrant-mcp/recovery"
	"workspace-qdrant-mcp/tools"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // a runtime failure
	exitConfig  = 2 // bad flags or configuration
)

func main() {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	// A client that closes our stdout must not kill us with SIGPIPE before
	// the engine has stopped: make the write fail instead.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, signals)) // stdout-ok: handed to the JSON-RPC transport
}

// run is the whole program. It writes only JSON-RPC to stdout and
// everything else to stderr, and returns the exit status. It returns once
// the engine has stopped and every goroutine it started has ended.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, signals <-chan os.Signal) int {
	opts, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		return exitConfig
	case opts.version:
		fmt.Fprintf(stderr, "%s %s\n", mcp.Name, version.String())
		return exitOK
	}

	cfg, err := config.Resolve(opts.config)
	if err != nil {
		return configError(stderr, err)
	}
	if opts.fetchModel {
		return fetchModel(cfg.Embedding, stderr)
	}
	logger, logFile, err := logging.Setup(cfg.Logging, stderr)
	if err != nil {
		return configError(stderr, err)
	}
	defer logFile.Close()
	logger.Info().Str("version", version.String()).Strs("config_files", cfg.Files).Strs("roots", cfg.Workspace.Roots).
		Str("data_dir", cfg.Storage.DataDir).Msg("starting")
	memlimit.Set(int64(cfg.Engine.MemoryLimitMB) << 20)
	if len(cfg.Workspace.Roots) == 0 {
		logger.Warn().Msg("no workspace: nothing will be indexed; start the server with -root DIR, set $WQM_ROOTS, or start it inside a git repository")
	}
	if old, ok := config.LegacyIndex(cfg.Storage.DataDir); ok && cfg.Storage.DataDirDerived() {
		logger.Info().Str("old_index", old).Str("data_dir", cfg.Storage.DataDir).
			Msg("an index made by an earlier version is at the old shared location; it is left alone (each workspace now has its own data directory; delete the old one when no longer wanted)")
	}

	p := &process{
		log:     logger,
		cfg:     cfg,
		signals: signals,
		eng: engine.New(cfg, engine.Options{
			Logger:     logger,
			LoadConfig: func() (config.Config, error) { return config.Resolve(opts.config) },
			FlushLogs:  syncer(logFile),
		}),
	}
	code := p.serve(stdin, stdout, cfg.Engine.AutostartEnabled())
	p.eng.Wait()
	logger.Info().Int("exit_status", code).Msg("exiting")
	return code
}

// flags are the command line's options.
type flags struct {
	config     config.Options
	version    bool
	fetchModel bool
}

// parseFlags parses args; usage and errors go to stderr.
func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet(mcp.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.config.File, "config", "", "configuration `file`, used alone (default: $WQM_CONFIG, else the user's config.yaml with the workspace's .wqm.yaml over it, else built-in defaults)")
	fs.Func("root", "a workspace `directory` to index; repeat for several (default: $WQM_ROOTS, else workspace.roots, else the git top level of the working directory)", func(dir string) error {
		if dir == "" {
			return errors.New("must not be empty")
		}
		f.config.Roots = append(f.config.Roots, dir)
		return nil
	})
	fs.BoolVar(&f.version, "version", false, "print the version (on stderr: stdout is for JSON-RPC only) and exit")
	fs.BoolVar(&f.fetchModel, "fetch-model", false, "download the configured static embedding model (embedding.model, default "+
		config.DefaultStaticModel+") into the Hugging Face cache, print where it went (on stderr) and exit: the way to prepare an offline machine")
	return f, fs.Parse(args)
}

// fetchModel downloads the static model that e names (whatever the
// configured provider) and reports where it is.
func fetchModel(e config.Embedding, stderr io.Writer) int {
	model, revision := e.Model, e.Revision
	if (e.Provider != "static" && e.Provider != "auto") || model == "" {
		model = config.DefaultStaticModel
	}
	if revision == "" {
		revision = "main"
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	dir, commit, err := static.Fetch(ctx, hfhub.FromEnv(), model, revision)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", mcp.Name, err)
		return exitFailure
	}
	m, err := static.Load(dir, model+"@"+commit)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s was fetched but does not load: %v\n", mcp.Name, model, err)
		return exitFailure
	}
	fmt.Fprintf(stderr, "%s at %s (commit %s, %d dimensions) is in %s\n", model, revision, commit, m.Info().Dimensions, dir)
	return exitOK
}

func configError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "%s: configuration error: %v\n", mcp.Name, err)
	return exitConfig
}

// syncer flushes the log file, when there is one that can be synced.
func syncer(c io.Closer) func() error {
	if s, ok := c.(interface{ Sync() error }); ok {
		return s.Sync
	}
	return nil
}

// process is one run of the server: the MCP session, the engine, and the
// health monitor and recovery manager beside it.
type process struct {
	log     zerolog.Logger
	cfg     config.Config // as loaded at process start: health and recovery keep it
	eng     *engine.Manager
	signals <-chan os.Signal
	forced  bool // a second signal came while calls in flight were awaited: stop at once
}

// serve runs the MCP session at once and, when autostart, starts the
// engine in the background; then the health monitor and the recovery
// manager. It waits for the end of stdin, a transport failure or a signal,
// then ends the monitor and recovery (so that nothing restarts the engine
// during shutdown), stops the engine, and returns the exit status once the
// session and the start have ended too.
func (p *process) serve(stdin io.Reader, stdout io.Writer, autostart bool) int {
	serveCtx, cancelServe := context.WithCancel(context.Background())
	defer cancelServe()
	startCtx, cancelStart := context.WithCancel(context.Background())
	defer cancelStart()
	watchCtx, cancelWatch := context.WithCancel(context.Background())
	defer cancelWatch()

	// The monitor and recovery notify the client through the server, which
	// needs them for its tools: srv is set before either runs.
	var srv *mcp.Server
	mon := health.NewMonitor(p.cfg, p.eng, p.log, func(level string, data any) { srv.Notifier("health")(level, data) })
	rec := recovery.New(p.cfg, p.eng, p.log, func(level string, data any) { srv.Notifier("recovery")(level, data) })
	mon.OnSample(rec.Observe)
	// A request that fails on a dependency has it checked at once.
	unsubscribe := p.eng.SubscribeFailures(func(engine.Failure) { mon.Kick() })
	defer unsubscribe()
	srv = mcp.New(p.eng, p.log, tools.WithHealth(mon), tools.WithRecovery(rec))

	var wg sync.WaitGroup
	var serveErr error // read only once session is closed
	session := make(chan struct{})
	wg.Go(func() {
		defer close(session)
		serveErr = srv.Serve(serveCtx, stdin, stdout)
	})
	if autostart {
		wg.Go(func() { p.autostart(startCtx, rec) })
	} else {
		p.log.Info().Msg(autostartOff)
	}
	var watchers sync.WaitGroup
	watchers.Go(func() { rec.Run(watchCtx) })
	watchers.Go(func() { mon.Run(watchCtx) })

	reason := "stdin closed"
	select {
	case <-session:
		if serveErr != nil {
			reason = "MCP transport failed"
		}
	case sig := <-p.signals:
		reason = "signal " + sig.String()
		p.drainCalls(srv)
	}
	p.log.Info().Str("reason", reason).Msg("shutting down")
	cancelServe()
	cancelStart()
	cancelWatch()
	watchers.Wait() // a recovery attempt under way is cancelled, never restarts
	code := exitOK
	if err := p.stop(reason); err != nil {
		code = exitFailure
	}
	wg.Wait()
	if serveErr != nil && !errors.Is(serveErr, context.Canceled) {
		p.log.Error().Err(serveErr).Msg("MCP session failed")
		code = exitFailure
	}
	// A start that was under way as the stop began (the autostart, or an
	// engine_start call) ends in error or, rarely, running: stop again.
	if st := p.eng.State(); st != engine.StateStopped {
		p.log.Info().Str("state", string(st)).Msg("a start raced the shutdown; stopping again")
		if err := p.stop(reason); err != nil {
			code = exitFailure
		}
	}
	return code
}

// drainCalls lets the tool calls in flight be answered before the session
// ends, up to engine.shutdown_timeout; a second signal cuts the wait short
// (and, queued again, forces the engine's stop).
func (p *process) drainCalls(srv *mcp.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.Engine.ShutdownTimeout.D())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- srv.Drain(ctx) }()
	var left int
	select {
	case left = <-done:
	case sig := <-p.signals:
		cancel()
		left = <-done
		p.log.Warn().Str("signal", sig.String()).Msg("second signal: not waiting for the calls in flight; the engine stops at once")
		p.forced = true
	}
	if left > 0 {
		p.log.Warn().Int("calls", left).Msg("tool calls still in flight at engine.shutdown_timeout; they are not answered")
	}
}

// autostartOff is logged when engine.autostart is false.
const autostartOff = "autostart off: the engine starts on engine_start"

// autostart starts the engine; a failure leaves the MCP server serving,
// so the user can fix the cause and call engine_start. A start that
// failed because a dependency did not answer is retried by recovery with
// its backoff.
func (p *process) autostart(ctx context.Context, rec *recovery.Manager) {
	err := p.eng.Start(ctx)
	switch {
	case err == nil, errors.Is(err, engine.ErrAlreadyRunning):
	case ctx.Err() != nil:
		p.log.Info().Err(err).Msg("autostart interrupted by shutdown")
	case errors.Is(err, engine.ErrStartCancelled):
		p.log.Info().Msg("autostart cancelled by engine_stop")
	case errors.Is(err, engine.ErrUnreachable):
		p.log.Warn().Err(err).Msg("autostart failed on a dependency that does not answer; recovery retries the start with its backoff")
		rec.RetryStart("autostart failed: " + err.Error())
	default:
		p.log.Error().Err(err).Msg("autostart failed; the server keeps serving: fix the cause and call engine_start")
	}
}

// stop stops the engine gracefully; a signal meanwhile forces the stop
// (escalating the graceful one) instead of waiting for pending work.
func (p *process) stop(reason string) error {
	type outcome struct {
		res engine.StopResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := p.eng.Stop(context.Background(), engine.StopOptions{Reason: reason, Origin: engine.OriginShutdown, Force: p.forced})
		done <- outcome{res, err}
	}()
	var forcing sync.WaitGroup
	defer forcing.Wait()
	for {
		select {
		case o := <-done:
			if o.err != nil {
				p.log.Error().Err(o.err).Msg("engine stop failed")
				return fmt.Errorf("stop engine: %w", o.err)
			}
			p.log.Info().Str("state", string(o.res.State)).Int("drained_tasks", o.res.DrainedTasks).
				Int("remaining_tasks", o.res.RemainingTasks).Bool("forced", o.res.Forced).
				Float64("duration_ms", o.res.DurationMS).Msg("engine stopped")
			return nil
		case sig := <-p.signals:
			p.log.Warn().Str("signal", sig.String()).Msg("second signal: forcing the engine to stop now")
			forcing.Go(func() {
				_, err := p.eng.Stop(context.Background(), engine.StopOptions{Force: true, Origin: engine.OriginShutdown, Reason: reason + ", then " + sig.String() + ": forced"})
				if err != nil {
					p.log.Error().Err(err).Msg("forced stop failed")
				}
			})
		}
	}
}
