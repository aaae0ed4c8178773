package peer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Errors of calls that did not get an answer.
var (
	// ErrUnreachable wraps a call that could not reach the indexer:
	// nothing listens on the socket, or the connection broke.
	ErrUnreachable = errors.New("the indexer is unreachable")
	// ErrNotSent wraps (beside ErrUnreachable) a call that never left:
	// no connection could be made, so the indexer did nothing of it and
	// it is safe to send again, even a write.
	ErrNotSent = errors.New("the call was not sent")
)

// dialError marks a failure to connect.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// RemoteError is an error the indexer returned. It unwraps to the sentinel
// its kind names in the Client's Errors, if any.
type RemoteError struct {
	Kind    string
	Message string
	// Detail holds the fields of a Detailed error, or nothing.
	Detail json.RawMessage
	err    error
}

func (e *RemoteError) Error() string { return e.Message }
func (e *RemoteError) Unwrap() error { return e.err }

// Rebuilt returns e as the typed error typed, rebuilt by the caller from
// e.Detail: its text is still the indexer's, and it unwraps to both typed
// and e, so that errors.As finds the typed error and errors.Is its
// sentinel on the caller's side as on the indexer's.
func (e *RemoteError) Rebuilt(typed error) error { return &rebuiltError{remote: e, typed: typed} }

// rebuiltError is a RemoteError with its typed error rebuilt.
type rebuiltError struct {
	remote *RemoteError
	typed  error
}

func (e *rebuiltError) Error() string   { return e.remote.Message }
func (e *rebuiltError) Unwrap() []error { return []error{e.typed, e.remote} }

// Client calls the indexer on its socket. It is safe for concurrent use;
// Close releases its idle connections.
type Client struct {
	path  string
	kinds Errors
	hc    *http.Client
}

// Dial returns a client of the indexer listening at path. It connects
// lazily, at each call that finds no idle connection, so it keeps working
// when another server becomes the indexer on the same socket path.
func Dial(path string, kinds Errors) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			conn, err := d.DialContext(ctx, "unix", path)
			if err != nil {
				return nil, &dialError{err}
			}
			return conn, nil
		},
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	return &Client{path: path, kinds: kinds, hc: &http.Client{Transport: tr}}
}

// Call sends in to method and decodes the result into out (nil discards
// it). The error wraps ErrUnreachable when the indexer could not be
// reached, or is a *RemoteError with the indexer's message.
func (c *Client) Call(ctx context.Context, method string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode %s request: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://indexer/call/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s request: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", method, context.Cause(ctx))
		}
		if errors.As(err, new(*dialError)) || closedIdle(err) {
			return fmt.Errorf("%s: %w at %s (%w): %v", method, ErrUnreachable, c.path, ErrNotSent, unwrapURL(err))
		}
		return fmt.Errorf("%s: %w at %s: %v", method, ErrUnreachable, c.path, unwrapURL(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", method, context.Cause(ctx))
		}
		return fmt.Errorf("%s: %w: reading the answer at %s: %v", method, ErrUnreachable, c.path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var we wireError
		if err := json.Unmarshal(data, &we); err != nil || we.Message == "" {
			return fmt.Errorf("%s: the indexer answered %s: %s", method, resp.Status, bytes.TrimSpace(data))
		}
		return &RemoteError{Kind: we.Kind, Message: we.Message, Detail: we.Detail, err: c.kinds[we.Kind]}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode %s answer: %w", method, err)
	}
	return nil
}

// closedIdle reports whether err is net/http's "server closed idle
// connection": the indexer closed a kept-alive connection (as it does
// when it stops) just as this call took it, before reading the call, so
// the call never reached it and may be sent again, whatever it is.
// net/http resends only idempotent requests itself, and does not export
// the error, so its text is matched.
func closedIdle(err error) bool {
	return strings.Contains(err.Error(), "server closed idle connection")
}

// unwrapURL drops the *url.Error wrapper, whose text repeats the fake URL.
func unwrapURL(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// Close releases the client's idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Watch blocks while the indexer serves: it returns nil when the indexer
// closes its socket, an error when the connection breaks (the indexer
// died) or none could be made, and ctx's error when ctx ends.
func (c *Client) Watch(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://indexer/watch", nil)
	if err != nil {
		return fmt.Errorf("watch request: %w", err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("watch: %w at %s: %v", ErrUnreachable, c.path, unwrapURL(err))
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil && ctx.Err() == nil {
		return fmt.Errorf("watch: %w: %v", ErrUnreachable, err)
	}
	return ctx.Err()
}
