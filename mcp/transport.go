package mcp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/internal/inflight"
)

// wire sits between the stdio streams and mcp-go's stdio server and
// keeps two promises mcp-go does not:
//
//   - A request the client cancelled (notifications/cancelled) gets no
//     response, as the protocol says: mcp-go cancels the handler's
//     context but still writes its answer, which wire drops.
//   - When stdin ends, the requests in flight are answered before the
//     session closes: mcp-go cancels every request's context as soon as
//     it reads the end of its input, so wire holds the end back until the
//     requests are answered, for up to its timeout
//     (engine.shutdown_timeout), or until its context ends.
//
// It also refuses a resources/list cursor the engine did not give, with
// a clear invalid-params error (see received).
//
// It follows requests by id: one read from stdin is in flight until a
// response with its id is written. subscriptions/listen is not counted:
// its stream stays open until the client cancels it.
type wire struct {
	in      *bufio.Reader
	out     io.Writer
	ctx     context.Context   // the session's: the wait at the end of stdin ends with it
	timeout time.Duration     // bounds the wait at the end of stdin
	calls   *inflight.Counter // requests in flight
	pending []byte            // the rest of the line Read returns
	ended   bool              // stdin ended and the requests in flight were waited for

	mu        sync.Mutex
	inflight  map[string]bool // ids of the requests in flight
	cancelled map[string]bool // ids of the requests in flight the client cancelled
	partial   []byte          // a written line not yet complete
	refuseErr error           // the failure to write a refusal, kept for Write
}

// newWire wraps in and out of the session whose context is ctx; at the
// end of stdin it waits up to timeout for the requests in flight.
func newWire(ctx context.Context, in io.Reader, out io.Writer, timeout time.Duration) *wire {
	return &wire{
		in: bufio.NewReader(in), out: out, ctx: ctx, timeout: timeout, calls: inflight.New(),
		inflight: map[string]bool{}, cancelled: map[string]bool{},
	}
}

// message is what wire reads of a JSON-RPC message.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		RequestID json.RawMessage `json:"requestId"`
		Cursor    *string         `json:"cursor"`
	} `json:"params"`
}

// idKey identifies a JSON-RPC id however it is spelled: 1 and 1.0 are one
// id, 1 and "1" are two. It is "" for no id (absent or null).
func idKey(raw json.RawMessage) string {
	var id any
	if len(raw) == 0 || json.Unmarshal(raw, &id) != nil || id == nil {
		return ""
	}
	return fmt.Sprintf("%T:%v", id, id)
}

// Read passes stdin on line by line, noting the requests and
// cancellations it reads. At the end of stdin it waits for the requests
// in flight first.
func (w *wire) Read(p []byte) (int, error) {
	for len(w.pending) == 0 {
		line, err := w.in.ReadBytes('\n')
		if len(line) > 0 {
			if w.received(line) {
				w.pending = line
			}
		} else if err != nil {
			if errors.Is(err, io.EOF) && !w.ended {
				w.ended = true
				ctx, cancel := context.WithTimeout(w.ctx, w.timeout)
				w.calls.Wait(ctx)
				cancel()
			}
			return 0, err //nolint:wrapcheck // io.EOF must reach mcp-go as it is
		}
	}
	n := copy(p, w.pending)
	w.pending = w.pending[n:]
	return n, nil
}

// received notes a request, or a client's cancellation of one, and
// reports whether line goes on to mcp-go: a resources/list whose cursor
// the server did not give is answered here, with invalid params (mcp-go
// would only say that the cursor is not base64, or list nothing).
func (w *wire) received(line []byte) bool {
	var m message
	if json.Unmarshal(line, &m) != nil {
		return true
	}
	key := idKey(m.ID)
	w.mu.Lock()
	defer w.mu.Unlock()
	if m.Method == string(mcpgo.MethodResourcesList) && key != "" && m.Params.Cursor != nil {
		if err := engine.ParseNotesCursor(*m.Params.Cursor); err != nil {
			w.refuse(m.ID, mcpgo.INVALID_PARAMS, "resources/list: "+err.Error())
			return false
		}
	}
	switch {
	case m.Method == string(mcpgo.MethodNotificationCancelled):
		if key := idKey(m.Params.RequestID); w.inflight[key] {
			w.cancelled[key] = true
		}
	case m.Method != "" && key != "" && m.Method != string(mcpgo.MethodSubscriptionsListen) && !w.inflight[key]:
		w.inflight[key] = true
		w.calls.Enter()
	}
	return true
}

// refuse answers request id with a JSON-RPC error. The caller holds
// w.mu.
func (w *wire) refuse(id json.RawMessage, code int, msg string) {
	line, err := json.Marshal(map[string]any{"jsonrpc": mcpgo.JSONRPC_VERSION, "id": id, "error": map[string]any{"code": code, "message": msg}})
	if err == nil {
		_, err = w.out.Write(append(line, '\n'))
	}
	if err != nil {
		w.refuseErr = err
	}
}

// Write passes mcp-go's output on, less the responses to cancelled
// requests. mcp-go writes each message whole, with its newline; a
// message written in parts is held until its newline.
func (w *wire) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.refuseErr; err != nil {
		return 0, fmt.Errorf("write to the client: %w", err)
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := w.partial[:i+1]
		if w.answered(line) {
			if _, err := w.out.Write(line); err != nil {
				w.partial = w.partial[:0]
				return 0, fmt.Errorf("write to the client: %w", err)
			}
		}
		w.partial = w.partial[i+1:]
	}
}

// answered notes a response to a request in flight and reports whether
// line is to be sent: false for the response to a cancelled request.
// The caller holds w.mu.
func (w *wire) answered(line []byte) bool {
	var m message
	if json.Unmarshal(line, &m) != nil || m.Method != "" {
		return true
	}
	key := idKey(m.ID)
	if !w.inflight[key] {
		return true
	}
	delete(w.inflight, key)
	w.calls.Leave()
	if w.cancelled[key] {
		delete(w.cancelled, key)
		return false
	}
	return true
}

// wait blocks until no request is in flight or ctx ends; it returns how
// many were still in flight then.
func (w *wire) wait(ctx context.Context) int { return w.calls.Wait(ctx) }
