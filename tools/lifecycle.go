package tools

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/health"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/recovery"
)

// inspectTimeout bounds engine_status and engine_health, so a hung
// dependency cannot hold them.
const inspectTimeout = 10 * time.Second

// maxStopSeconds bounds engine_stop's timeout_seconds.
const maxStopSeconds = 3600

// statusView is the engine's status as the tools show it: the engine's
// fields, then connection recovery's when it is wired.
type statusView struct {
	engine.Status
	Recovery *recovery.Status `json:"recovery,omitempty"`
}

// status reads eng's status and adds recovery's to it.
func (o options) status(ctx context.Context, eng Engine) statusView {
	v := statusView{Status: eng.Status(ctx)}
	if o.recovery != nil {
		rs := o.recovery.Snapshot()
		v.Recovery = &rs
	}
	return v
}

// statusReply is the engine status after a sentence about what happened.
type statusReply struct {
	Message string `json:"message"`
	statusView
}

func engineStart(eng Engine, o options) server.ServerTool {
	tool := newTool("engine_start", "Start engine",
		"Start the ingestion engine and wait until it is running: open the vector store, start the "+
			"embedder, the processing pipeline and the workspace watcher, then verify them end to end. "+
			"Returns the engine status. Starting a running engine changes nothing; starting after an "+
			"error retries with the current configuration. With wait_for_index the call also waits "+
			"until the workspace index is current, sending progress notifications when the request "+
			"carries a progress token.",
		hints(false, false, true), outputSchema[statusReply](),
		mcp.WithBoolean("wait_for_index",
			mcp.Description("Also wait until the initial workspace index is complete."), mcp.DefaultBool(false)))
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		wait := a.Bool("wait_for_index")
		if err := a.Err(); err != nil {
			return nil, err
		}
		msg := ""
		err := eng.Start(ctx)
		switch {
		case errors.Is(err, engine.ErrAlreadyRunning):
			msg = "engine already running"
		case err != nil:
			return nil, lifecycleFailure(ctx, eng, o, "engine start failed", err)
		default:
			msg = fmt.Sprintf("engine started in %.2fs", eng.Status(ctx).StartupSeconds)
		}
		return started(ctx, eng, o, a, msg, wait)
	})}
}

// progressSender returns a progress callback that sends MCP progress
// notifications for token, or nil when the client gave no token.
func progressSender(ctx context.Context, token mcp.ProgressToken, message string) func(done, total int) {
	srv := server.ServerFromContext(ctx)
	if token == nil || srv == nil {
		return nil
	}
	return func(done, total int) {
		_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{
			"progressToken": token, "progress": done, "total": total, "message": message,
		})
	}
}

func engineRestart(eng Engine, o options) server.ServerTool {
	tool := newTool("engine_restart", "Restart engine",
		"Re-read the configuration file, stop the engine gracefully and start it again, so edits to "+
			"the configuration take effect (a configuration that does not load is reported and the engine left as it was). With reindex the workspace index is rebuilt from scratch "+
			"(every file read and embedded again; notes are kept): the way out of an embedding-size "+
			"mismatch. With wait_for_index the call returns once the index is current, sending progress "+
			"notifications when the request carries a progress token. Returns the engine status.",
		hints(false, true, false), // destructive: reindex drops the workspace index
		outputSchema[statusReply](),
		mcp.WithBoolean("reindex",
			mcp.Description("Drop the workspace index and build it again from the files."), mcp.DefaultBool(false)),
		mcp.WithBoolean("wait_for_index",
			mcp.Description("Also wait until the workspace index is current."), mcp.DefaultBool(false)))
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		reindex, wait := a.Bool("reindex"), a.Bool("wait_for_index")
		if err := a.Err(); err != nil {
			return nil, err
		}
		restart, verb := eng.Restart, "restarted"
		if reindex {
			restart, verb = eng.Reindex, "restarted for a full reindex"
		}
		if err := restart(ctx); err != nil {
			return nil, lifecycleFailure(ctx, eng, o, "engine restart failed", err)
		}
		msg := fmt.Sprintf("engine %s in %.2fs", verb, eng.Status(ctx).StartupSeconds)
		return started(ctx, eng, o, a, msg, wait)
	})}
}

// started is engine_start's and engine_restart's answer: msg and the
// status, once the workspace index is current when wait.
func started(ctx context.Context, eng Engine, o options, a *args, msg string, wait bool) (any, error) {
	if wait {
		if err := waitIndexed(ctx, eng, a); err != nil {
			return nil, err
		}
		msg += "; workspace index is current"
	}
	return statusReply{msg, o.status(ctx, eng)}, nil
}

// waitIndexed waits for the workspace index, reporting progress to the
// client when the request carried a progress token.
func waitIndexed(ctx context.Context, eng Engine, a *args) error {
	if err := eng.WaitIndexed(ctx, progressSender(ctx, a.progress, "indexing workspace")); err != nil {
		return fmt.Errorf("wait for index: %w", err)
	}
	return nil
}

// lifecycleFailure is a tool error carrying the reason and the status.
func lifecycleFailure(ctx context.Context, eng Engine, o options, what string, err error) error {
	msg := what + ": " + err.Error()
	return failed(msg, statusReply{msg, o.status(ctx, eng)})
}

func engineStop(eng Engine) server.ServerTool {
	tool := newTool("engine_stop", "Stop engine",
		"Stop the engine. Gracefully by default: stop accepting work, wait for queued and active "+
			"indexing tasks (up to timeout_seconds, default engine.shutdown_timeout), then shut the "+
			"services down. force skips the wait, and escalates a graceful stop already in progress; "+
			"unfinished indexing is redone at the next start. Stopping a stopped engine is harmless. "+
			"Searches and documents are unavailable until engine_start.",
		hints(false, false, true), outputSchema[engine.StopResult](),
		mcp.WithNumber("timeout_seconds",
			mcp.Description("How long a graceful stop waits for pending tasks, in seconds (default: engine.shutdown_timeout)."),
			exclusiveMinimum(0), mcp.Max(maxStopSeconds)),
		mcp.WithBoolean("force",
			mcp.Description("Stop at once without waiting for pending tasks."), mcp.DefaultBool(false)),
	)
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		opts := engine.StopOptions{Timeout: a.Seconds("timeout_seconds", maxStopSeconds), Force: a.Bool("force")}
		if err := a.Err(); err != nil {
			return nil, err
		}
		return eng.Stop(ctx, opts)
	})}
}

// exclusiveMinimum is JSON Schema's exclusiveMinimum, which mcp-go lacks.
func exclusiveMinimum(v float64) mcp.PropertyOption {
	return func(schema map[string]any) { schema["exclusiveMinimum"] = v }
}

func engineStatus(eng Engine, o options) server.ServerTool {
	tool := newTool("engine_status", "Engine status",
		"Describe the engine: lifecycle state, role (indexer, or reader forwarding to another "+
			"server on the same data directory, named in indexer), version, startup phase timings, uptime, active and "+
			"queued tasks, resource usage, index counts (files, chunks, documents, pending), storage, "+
			"embedding model, workspace roots, the last error, recent state transitions (each with its origin: "+
			"user, recovery, takeover or shutdown) and connection "+
			"recovery (state, attempts, max_attempts, next_attempt_in_ms, last_error, degraded, down).",
		readOnly, outputSchema[statusView]())
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		if err := a.Err(); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
		defer cancel()
		return o.status(ctx, eng), nil
	})}
}

// defaultHistoryLimit is engine_health's history_limit when not given.
const defaultHistoryLimit = 10

// healthReply is engine_health's answer.
type healthReply struct {
	health.Report
	Recovery recovery.Status `json:"recovery"`
}

func engineHealth(eng Engine, o options) server.ServerTool {
	historySize := config.Default().Health.HistorySize
	if o.health != nil {
		historySize = o.health.HistorySize()
	}
	tool := newTool("engine_health", "Engine health",
		"Check every engine component (engine, storage, embedder, pipeline and whether it makes "+
			"progress, watcher) with its latency, and give an overall status: HEALTHY when running, "+
			"every check passes and no alert is active; DEGRADED when running but a component is "+
			"slow or failing, an alert (cpu, memory, response time) is active or connection recovery "+
			"is under way; UNHEALTHY when not running or storage is unreachable. Also returns the "+
			"active alerts (value, threshold, since), the last history_limit samples of the health "+
			"monitor and the state of connection recovery.",
		readOnly, outputSchema[healthReply](),
		mcp.WithInteger("history_limit", mcp.Min(0), mcp.Max(float64(historySize)),
			mcp.DefaultNumber(float64(min(defaultHistoryLimit, historySize))),
			mcp.Description("How many of the most recent health samples to return, oldest first.")))
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		limit := a.Int("history_limit", min(defaultHistoryLimit, historySize), 0, historySize)
		if err := a.Err(); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, inspectTimeout)
		defer cancel()
		recovering := o.recovery.Recovering()
		var rep health.Report
		if o.health != nil {
			rep = o.health.Report(ctx, limit, recovering)
		} else {
			state := eng.State()
			rep = health.Evaluate(state, eng.Checks(ctx))
			rep.OverallStatus = health.Overall(state, rep.Checks, nil, recovering, 0)
		}
		return healthReply{Report: rep, Recovery: o.recovery.Snapshot()}, nil
	})}
}
