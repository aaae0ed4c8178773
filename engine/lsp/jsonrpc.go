package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
)

// This file is the JSON-RPC 2.0 layer that the language servers speak:
// messages framed by the LSP base protocol (a Content-Length header, a
// blank line, then the JSON body) over the child's stdin and stdout. It
// is symmetric, so the tests' fake server uses it too.

// maxMessageBytes bounds one incoming message; a server's answer for one
// file is far smaller.
const maxMessageBytes = 256 << 20

// Standard JSON-RPC error codes that we send.
const codeMethodNotFound = -32601

// errConnClosed is the error of calls still waiting when the connection
// ends.
var errConnClosed = errors.New("jsonrpc connection closed")

// RPCError is an error answer from the other side.
type RPCError struct {
	Code    int64           `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *RPCError) Error() string {
	return fmt.Sprintf("jsonrpc error %d: %s", e.Code, e.Message)
}

// wireMessage is any message as read: a request (method and id), a
// notification (method, no id) or a response (id, result or error).
type wireMessage struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *RPCError       `json:"error,omitempty"`
}

// outRequest is a request or, without ID, a notification as sent.
type outRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      *int64 `json:"id,omitempty"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

// outResult and outError are the two forms of a response as sent: a
// result, null included, or an error.
type outResult struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result"`
}

type outError struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   *RPCError       `json:"error"`
}

// incoming is a request or notification received from the other side.
type incoming struct {
	Method string
	Params json.RawMessage
	id     json.RawMessage // nil for a notification
}

// replyFunc answers an incoming request with a result or an error; for a
// notification it does nothing. A handler that never calls it leaves the
// request unanswered.
type replyFunc func(result any, err error) error

// handlerFunc handles the other side's requests and notifications. It
// runs on the connection's reading goroutine, so it must not block.
type handlerFunc func(req incoming, reply replyFunc)

// conn is one JSON-RPC connection. Calls and notifications may be sent
// from any goroutine; answers are matched to calls by id.
type conn struct {
	rw      io.ReadWriteCloser
	handler handlerFunc

	wmu sync.Mutex // one message written at a time

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan *wireMessage
	ended   bool

	done chan struct{} // closed when reading has stopped
}

// newConn starts reading rw on a goroutine of its own, which ends when
// rw fails or is closed; handler gets the other side's requests.
func newConn(rw io.ReadWriteCloser, handler handlerFunc) *conn {
	c := &conn{rw: rw, handler: handler, pending: map[int64]chan *wireMessage{}, done: make(chan struct{})}
	go c.read()
	return c
}

// Call sends a request and waits for its answer, which it decodes into
// result (unless result is nil). It returns early when ctx ends or the
// connection does; an error answer is an *RPCError.
func (c *conn) Call(ctx context.Context, method string, params, result any) error {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return fmt.Errorf("%s: %w", method, errConnClosed)
	}
	c.nextID++
	id := c.nextID
	ch := make(chan *wireMessage, 1) // the reader never blocks on a caller that gave up
	c.pending[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	if err := c.write(outRequest{JSONRPC: "2.0", ID: &id, Method: method, Params: params}); err != nil {
		return err
	}
	select {
	case resp := <-ch:
		if resp == nil {
			return fmt.Errorf("%s: %w", method, errConnClosed)
		}
		if resp.Error != nil {
			return resp.Error
		}
		if result == nil || len(resp.Result) == 0 {
			return nil
		}
		if err := json.Unmarshal(resp.Result, result); err != nil {
			return fmt.Errorf("%s: decode result: %w", method, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Notify sends a notification; there is no answer.
func (c *conn) Notify(method string, params any) error {
	return c.write(outRequest{JSONRPC: "2.0", Method: method, Params: params})
}

// Close closes the stream, which ends reading.
func (c *conn) Close() error { return c.rw.Close() }

// Done is closed once reading has stopped.
func (c *conn) Done() <-chan struct{} { return c.done }

// write sends one message with its header.
func (c *conn) write(msg any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("jsonrpc: encode: %w", err)
	}
	buf := make([]byte, 0, len(body)+32)
	buf = append(buf, "Content-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(body)), 10)
	buf = append(buf, "\r\n\r\n"...)
	buf = append(buf, body...)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.rw.Write(buf); err != nil {
		return fmt.Errorf("jsonrpc: write: %w", err)
	}
	return nil
}

// read handles messages until the stream ends, then fails the calls
// still waiting.
func (c *conn) read() {
	br := bufio.NewReader(c.rw)
	for {
		body, err := readMessage(br)
		if err != nil {
			break
		}
		var m wireMessage
		if json.Unmarshal(body, &m) != nil {
			break // the stream is out of step: nothing after it can be trusted
		}
		c.dispatch(&m)
	}
	_ = c.rw.Close()
	c.mu.Lock()
	c.ended = true
	for id, ch := range c.pending {
		ch <- nil
		delete(c.pending, id)
	}
	c.mu.Unlock()
	close(c.done)
}

// dispatch routes one message: an answer to its call, a request or
// notification to the handler.
func (c *conn) dispatch(m *wireMessage) {
	if m.Method == "" { // a response
		id, err := strconv.ParseInt(string(m.ID), 10, 64)
		if err != nil {
			return // not one of ours
		}
		c.mu.Lock()
		ch, ok := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if ok {
			ch <- m
		}
		return
	}
	req := incoming{Method: m.Method, Params: m.Params}
	if len(m.ID) > 0 && !bytes.Equal(m.ID, []byte("null")) {
		req.id = m.ID
	}
	c.handler(req, func(result any, err error) error {
		if req.id == nil {
			return nil
		}
		if err != nil {
			var re *RPCError
			if !errors.As(err, &re) {
				re = &RPCError{Code: -32603, Message: err.Error()} // internal error
			}
			return c.write(outError{JSONRPC: "2.0", ID: req.id, Error: re})
		}
		return c.write(outResult{JSONRPC: "2.0", ID: req.id, Result: result})
	})
}

// methodNotFound is the answer to a request nobody handles.
func methodNotFound(method string) error {
	return &RPCError{Code: codeMethodNotFound, Message: "method not found: " + method}
}

// readMessage reads one framed message body.
func readMessage(br *bufio.Reader) ([]byte, error) {
	tp := textproto.NewReader(br)
	hdr, err := tp.ReadMIMEHeader()
	if err != nil {
		if errors.Is(err, io.EOF) && len(hdr) == 0 {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("jsonrpc: read header: %w", err)
	}
	v := strings.TrimSpace(hdr.Get("Content-Length"))
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("jsonrpc: bad Content-Length %q", v)
	}
	if n > maxMessageBytes {
		return nil, fmt.Errorf("jsonrpc: message of %d bytes is over the limit of %d", n, maxMessageBytes)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		return nil, fmt.Errorf("jsonrpc: read body: %w", err)
	}
	return body, nil
}
