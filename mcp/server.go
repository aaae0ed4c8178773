// Package mcp serves the workspace tools over the Model Context Protocol
// on stdio, the transport Claude Desktop and other MCP clients use when
// they launch the server as a subprocess.
//
// A Server wraps mcp-go's server with the tools and resources of package
// tools and tells the client of every engine state transition and every
// workspace index start and finish, so a client sees the engine start,
// stop and fail without polling engine_status. How depends on the
// protocol version the client speaks:
//
//   - A client that connected through initialize (protocol 2025-11-25 or
//     older) gets log notifications (logger "engine"; level info, or error
//     for a transition into the error state; logger "indexer" for the
//     index), at the level it chose with logging/setLevel.
//   - Any client may subscribe to the status resource (tools.StatusURI)
//     and gets notifications/resources/updated on each of these events:
//     through resources/subscribe up to 2025-11-25, through the
//     resourceSubscriptions of subscriptions/listen under 2026-07-28,
//     whose clients get no unsolicited log notification.
//
// Notifier gives the health monitor and the recovery manager the same
// channel (loggers "health" and "recovery").
//
// resources/list lists the status resource, then the notes, 50 a page,
// read from the stores' document heads (no note's text is read); files
// and notes alike are read through the template wqm://document/{id}. A
// cursor the server did not give is an invalid-params error.
//
// A request the client cancels (notifications/cancelled) has its context
// cancelled, which ends a search's work or an engine_start's wait for the
// index (not the start), and gets no response. When stdin ends, the
// requests in flight are answered, for up to engine.shutdown_timeout,
// before Serve returns; Drain does the same wait on SIGTERM.
//
//	srv := mcp.New(manager, logger, tools.WithHealth(mon), tools.WithRecovery(rec))
//	err := srv.Serve(ctx, os.Stdin, os.Stdout) // nil once stdin ends (stdout-ok)
//
// mcp-go keeps the stdio session in a package-level variable, so a process
// serves at most one stdio session at a time.
package mcp

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/internal/logging"
	"workspace-qdrant-mcp/internal/version"
	"workspace-qdrant-mcp/tools"
)

// Name is the server name announced at initialize.
const Name = "workspace-qdrant-mcp"

// Title is the server's name as clients show it.
const Title = "Workspace search (workspace-qdrant-mcp)"

// instructions tell the model how to use the tools.
const instructions = `This server indexes the user's workspace (code and documents) into a local vector index and searches it.

The ingestion engine starts by itself when the server starts unless engine.autostart is false; indexing then continues in the background. If a tool answers that the engine is not running, call engine_start. engine_status shows the state, indexing progress, the last error and connection recovery; engine_health gives HEALTHY, DEGRADED or UNHEALTHY with alerts and recent samples. When storage or the embedder is lost the engine keeps running and reconnects by itself: while the embedder is down, search in hybrid mode answers from its keyword leg (the result's degraded field says so) and add_document is refused; if a tool answers that a component is unavailable or the engine is degraded, tell the user what is down; work resumes by itself once it answers, or call engine_start once it is fixed.

Use search to find code and notes: hybrid mode (the default) suits most questions, keyword mode finds exact identifiers, semantic mode finds related meaning; narrow with path_glob, language or collection. find_related takes a file and line (or a document id) and returns the code most like it elsewhere. get_document returns a whole file or note by the id from a search result or by path. add_document stores a note for later searches; delete_document removes a document from the index (never the file). list_collections shows what is indexed.

engine_restart re-reads the configuration file; engine_stop stops the engine, gracefully unless force is set.`

// Server is the MCP server of one process.
type Server struct {
	mcp *server.MCPServer
	eng *engine.Manager
	log zerolog.Logger

	mu       sync.Mutex
	session  server.ClientSession // the client session, nil when none
	legacy   bool                 // the session began with initialize (protocol 2025-11-25 or older)
	minLevel mcpgo.LoggingLevel   // the client's logging/setLevel, info until it asks
	subs     subscriptions        // who wants notifications/resources/updated
	wire     *wire                // the streams of the session under way, nil when none

	opts     []tools.Option
	listings sync.Map // resources/list under way, by request id: the page of notes to answer with
}

// New builds the server for eng; logger receives the transport's errors.
// opts wire the health monitor and recovery manager into the tools.
func New(eng *engine.Manager, logger zerolog.Logger, opts ...tools.Option) *Server {
	s := &Server{eng: eng, log: logger.With().Str("component", "mcp").Logger(), minLevel: mcpgo.LoggingLevelInfo}
	s.opts = opts
	s.mcp = server.NewMCPServer(Name, version.String(),
		server.WithTitle(Title),
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(true, false),
		server.WithPaginationLimit(pageSize),
		server.WithLogging(),
		server.WithRecovery(),
		server.WithInstructions(instructions),
		server.WithHooks(s.hooks()),
		server.WithToolHandlerMiddleware(s.logToolCalls),
	)
	tools.Register(s.mcp, eng, opts...)
	s.mcp.AddResources(tools.StatusResource(eng, opts...))
	s.mcp.AddResourceTemplates(tools.DocumentResources(eng, opts...))
	return s
}

// Serve answers JSON-RPC requests read from in, writing responses and
// notifications to out, until in ends (it returns nil), ctx is cancelled
// (it returns an error wrapping ctx.Err()) or the transport fails. Only
// JSON-RPC messages are ever written to out. When in ends, the requests
// in flight are answered first, for up to engine.shutdown_timeout. A
// request the client cancelled (notifications/cancelled) has its context
// cancelled and gets no response.
func (s *Server) Serve(ctx context.Context, in io.Reader, out io.Writer) error {
	unsubscribe := s.eng.Subscribe(s.notifyTransition)
	defer unsubscribe()
	unsubscribeIndex := s.eng.SubscribeIndex(s.notifyIndex)
	defer unsubscribeIndex()
	w := newWire(ctx, in, out, s.eng.Config().Engine.ShutdownTimeout.D())
	s.mu.Lock()
	s.wire = w
	s.mu.Unlock()
	stdio := server.NewStdioServer(s.mcp)
	stdio.SetErrorLogger(logging.StdLogger(s.log))
	if err := stdio.Listen(ctx, w, w); err != nil {
		return fmt.Errorf("serve MCP on stdio: %w", err)
	}
	return nil
}

// hooks track the client session, how it connected, its logging level
// and its subscriptions, page resources/list through the notes, and log
// protocol errors.
func (s *Server) hooks() *server.Hooks {
	h := &server.Hooks{}
	h.AddOnRegisterSession(func(_ context.Context, cs server.ClientSession) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.session, s.legacy, s.minLevel, s.subs = cs, false, mcpgo.LoggingLevelInfo, subscriptions{}
	})
	h.AddOnUnregisterSession(func(_ context.Context, cs server.ClientSession) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.session != nil && s.session.SessionID() == cs.SessionID() {
			s.session, s.legacy, s.subs = nil, false, subscriptions{}
		}
	})
	h.AddAfterInitialize(func(context.Context, any, *mcpgo.InitializeRequest, *mcpgo.InitializeResult) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.legacy = true
	})
	s.subscriptionHooks(h)
	s.listHooks(h)
	h.AddAfterSetLevel(func(_ context.Context, _ any, req *mcpgo.SetLevelRequest, _ *mcpgo.EmptyResult) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.minLevel = req.Params.Level
	})
	h.AddOnError(func(_ context.Context, id any, method mcpgo.MCPMethod, _ any, err error) {
		if method == mcpgo.MethodSubscriptionsListen {
			s.endStream(id)
		}
		s.log.Warn().Err(err).Str("method", string(method)).Interface("id", id).Msg("request failed")
	})
	return h
}

// logToolCalls logs every tool call on stderr: at debug level, or at
// info level with the message when it failed.
func (s *Server) logToolCalls(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
		begin := time.Now()
		res, err := next(ctx, req)
		ev := s.log.Debug()
		switch {
		case err != nil:
			ev = s.log.Info().Err(err)
		case res != nil && res.IsError && len(res.Content) > 0:
			ev = s.log.Info().Str("error", mcpgo.GetTextFromContent(res.Content[0]))
		}
		ev.Str("tool", req.Params.Name).Float64("duration_ms", float64(time.Since(begin).Microseconds())/1000).Msg("tool call")
		return res, err
	}
}

// Drain waits until no request is in flight, or ctx ends; it returns
// how many requests were still in flight then. The process calls it on
// SIGTERM before it ends the session, so that calls under way are
// answered. (At the end of stdin Serve does the same by itself.)
func (s *Server) Drain(ctx context.Context) int {
	s.mu.Lock()
	w := s.wire
	s.mu.Unlock()
	if w == nil {
		return 0
	}
	return w.wait(ctx)
}

// transitionLog is the data of a transition's log notification.
type transitionLog struct {
	Message string       `json:"message"`
	From    engine.State `json:"from"`
	To      engine.State `json:"to"`
	Event   engine.Event `json:"event"`
	Reason  string       `json:"reason,omitempty"`
	At      string       `json:"at"`
}

// notifyTransition sends t to the client as a log notification. It runs
// on the goroutine that moved the state machine, so it never blocks: a
// notification that cannot be queued is dropped and logged.
func (s *Server) notifyTransition(t engine.Transition) {
	level := mcpgo.LoggingLevelInfo
	if t.To == engine.StateError {
		level = mcpgo.LoggingLevelError
	}
	msg := fmt.Sprintf("engine %s -> %s", t.From, t.To)
	if t.Reason != "" {
		msg += ": " + t.Reason
	}
	data := transitionLog{Message: msg, From: t.From, To: t.To, Event: t.Event, Reason: t.Reason, At: t.At.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
	s.sendLog(level, "engine", data)
	s.statusUpdated()
}

// indexLog is the data of an index start or finish notification.
type indexLog struct {
	Message string  `json:"message"`
	Event   string  `json:"event"`
	Files   int     `json:"files,omitempty"`
	TookMS  float64 `json:"took_ms,omitempty"`
}

// notifyIndex sends the start and the end of a full workspace index to
// the client as log notifications (one pair per full index: the indexer
// throttles them).
func (s *Server) notifyIndex(e ingest.Event) {
	data := indexLog{Event: e.Kind, Files: e.Files}
	switch e.Kind {
	case ingest.EventIndexStarted:
		data.Message = fmt.Sprintf("indexing workspace: %d files to index or remove", e.Files)
	case ingest.EventIndexFinished:
		data.TookMS = float64(e.Took.Microseconds()) / 1000
		data.Message = fmt.Sprintf("workspace index is current (took %s)", e.Took.Round(time.Millisecond))
	}
	s.sendLog(mcpgo.LoggingLevelInfo, "indexer", data)
	s.statusUpdated()
}

// Notifier returns a function that sends data to the client as a log
// notification from logger at level (an MCP logging level such as
// "info", "warning" or "error"), as the health monitor and the recovery
// manager do, and tells the status resource's subscribers that it
// changed. It never blocks.
func (s *Server) Notifier(logger string) func(level string, data any) {
	return func(level string, data any) {
		s.sendLog(mcpgo.LoggingLevel(level), logger, data)
		s.statusUpdated()
	}
}

// sendLog sends one log notification to a client that connected through
// initialize, when level passes the client's chosen level: under
// protocol 2026-07-28 a server sends log notifications only within a
// request that asked for them. It never blocks.
func (s *Server) sendLog(level mcpgo.LoggingLevel, logger string, data any) {
	s.mu.Lock()
	session, legacy, minLevel := s.session, s.legacy, s.minLevel
	s.mu.Unlock()
	if !legacy || !level.ShouldSendTo(minLevel) {
		return
	}
	s.send(session, mcpgo.JSONRPCNotification{
		JSONRPC: mcpgo.JSONRPC_VERSION,
		Notification: mcpgo.Notification{
			Method: string(mcpgo.MethodNotificationMessage),
			Params: mcpgo.NotificationParams{AdditionalFields: map[string]any{"level": level, "logger": logger, "data": data}},
		},
	})
}

// send queues n for session, when it is initialized; a notification that
// cannot be queued is dropped and logged. It never blocks.
func (s *Server) send(session server.ClientSession, n mcpgo.JSONRPCNotification) {
	if session == nil || !session.Initialized() {
		return
	}
	select {
	case session.NotificationChannel() <- n:
	default:
		s.log.Debug().Str("method", n.Method).Msg("notification not sent to the client: its queue is full")
	}
}
