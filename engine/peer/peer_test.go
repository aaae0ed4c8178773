package peer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLockIsExclusiveUntilReleased(t *testing.T) {
	dir := t.TempDir()
	first, err := TryLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(dir); !errors.Is(err, ErrHeld) {
		t.Fatalf("second TryLock while held: got %v, want ErrHeld", err)
	}
	h := Holder{PID: 42, Socket: SocketPath(dir), Since: time.Unix(1700000000, 0).UTC(), Version: "v", Protocol: Protocol}
	if err := first.Publish(h); err != nil {
		t.Fatal(err)
	}
	got, err := ReadHolder(dir)
	if err != nil || got != h {
		t.Fatalf("ReadHolder = %+v, %v; want %+v", got, err, h)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	second, err := TryLock(dir)
	if err != nil {
		t.Fatalf("TryLock after release: %v", err)
	}
	if err := second.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestReadHolderWithoutHolder(t *testing.T) {
	if _, err := ReadHolder(t.TempDir()); err == nil {
		t.Fatal("ReadHolder of an empty directory succeeded")
	}
}

func TestSocketPathFallsBackWhenTooLong(t *testing.T) {
	short := t.TempDir()
	if got := SocketPath(short); got != filepath.Join(short, "indexer.sock") && len(filepath.Join(short, "indexer.sock")) <= maxSocketPath {
		t.Fatalf("SocketPath(%s) = %s", short, got)
	}
	long := filepath.Join(short, strings.Repeat("d", 120))
	got := SocketPath(long)
	if len(got) > maxSocketPath || strings.HasPrefix(got, long) {
		t.Fatalf("SocketPath of a long directory = %s (%d bytes)", got, len(got))
	}
	if SocketPath(long) != got || SocketPath(long+"x") == got {
		t.Fatal("the fallback socket path is not a function of the directory")
	}
}

// The fallback socket of a long data directory, in the per-user
// directory under os.TempDir(), serves calls like any other.
func TestFallbackSocketServes(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	path := SocketPath(long)
	if !strings.HasPrefix(path, os.TempDir()) {
		t.Fatalf("fallback socket %s is not under %s", path, os.TempDir())
	}
	srv := listenPing(t, path)
	c := Dial(path, nil)
	defer c.Close()
	var out string
	if err := c.Call(context.Background(), "ping", nil, &out); err != nil || out != "pong" {
		t.Errorf("ping = %q, %v", out, err)
	}
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket %s after Close: %v, want it removed", path, err)
	}
}

// listenPing serves one call, ping, answered "pong", at path.
func listenPing(t *testing.T, path string) *Server {
	t.Helper()
	srv, err := Listen(path, map[string]Handler{
		"ping": func(context.Context, json.RawMessage) (any, error) { return "pong", nil },
	}, nil, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

var errMissing = errors.New("missing")

// spanError is a Detailed error, as the engine's LineError is.
type spanError struct{ From, To int }

func (e *spanError) Error() string   { return fmt.Sprintf("lines %d-%d: %v", e.From, e.To, errMissing) }
func (e *spanError) Unwrap() error   { return errMissing }
func (e *spanError) WireDetail() any { return map[string]int{"from": e.From, "to": e.To} }

func TestCallsCrossTheSocketWithTheirErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	kinds := Errors{"missing": errMissing}
	type echo struct {
		Text string `json:"text"`
	}
	srv, err := Listen(path, map[string]Handler{
		"echo": func(_ context.Context, in json.RawMessage) (any, error) {
			var e echo
			if err := json.Unmarshal(in, &e); err != nil {
				return nil, err
			}
			return echo{Text: strings.ToUpper(e.Text)}, nil
		},
		"fail": func(context.Context, json.RawMessage) (any, error) {
			return nil, errors.Join(errors.New("doc 7"), errMissing)
		},
		"span": func(context.Context, json.RawMessage) (any, error) {
			return nil, fmt.Errorf("wrapped: %w", &spanError{From: 3, To: 7})
		},
		"block": func(ctx context.Context, _ json.RawMessage) (any, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
	}, kinds, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	c := Dial(path, kinds)
	defer c.Close()
	ctx := context.Background()

	var out echo
	if err := c.Call(ctx, "echo", echo{Text: "hi"}, &out); err != nil || out.Text != "HI" {
		t.Fatalf("echo = %+v, %v", out, err)
	}
	err = c.Call(ctx, "fail", nil, nil)
	var re *RemoteError
	if !errors.As(err, &re) || !errors.Is(err, errMissing) || !strings.Contains(err.Error(), "doc 7") {
		t.Fatalf("fail: got %v, want a RemoteError wrapping errMissing with the message", err)
	}
	err = c.Call(ctx, "span", nil, nil)
	if !errors.As(err, &re) || string(re.Detail) != `{"from":3,"to":7}` || !errors.Is(err, errMissing) {
		t.Fatalf("span: got %#v, want a RemoteError wrapping errMissing with the detail", err)
	}
	rebuilt := re.Rebuilt(&spanError{From: 3, To: 7})
	if se, ok := errors.AsType[*spanError](rebuilt); !ok || se.To != 7 || rebuilt.Error() != "wrapped: lines 3-7: missing" || !errors.As(rebuilt, new(*RemoteError)) {
		t.Fatalf("rebuilt span error: %#v", rebuilt)
	}
	if err := c.Call(ctx, "nosuch", nil, nil); err == nil || !strings.Contains(err.Error(), `no call "nosuch"`) {
		t.Fatalf("unknown call: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := c.Call(short, "block", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a call past its context: %v", err)
	}

	if err := srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Call(ctx, "echo", echo{}, &out); !errors.Is(err, ErrUnreachable) || !errors.Is(err, ErrNotSent) {
		t.Fatalf("call after the server closed: got %v, want ErrUnreachable and ErrNotSent", err)
	}
}

// A watch is held open while the server serves and ends when it closes.
//
// The test waits for the watch to be established (the server's handler
// has answered its headers) before it closes the server: closing first,
// as a fixed sleep allowed on a loaded machine, refuses the watch's
// connection, and the watch then fails with ErrUnreachable instead of
// ending cleanly. That the watch did not end while the server served is
// shown by a call answered on another connection after it was
// established, not by sleeping.
func TestWatchEndsWhenTheServerCloses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	srv := listenPing(t, path)
	c := Dial(path, nil)
	defer c.Close()
	established := make(chan struct{})
	var once sync.Once
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotFirstResponseByte: func() { once.Do(func() { close(established) }) },
	})
	ended := make(chan error, 1)
	go func() { ended <- c.Watch(ctx) }()
	select {
	case <-established:
	case err := <-ended:
		t.Fatalf("the watch ended before it was established: %v", err)
	}
	other := Dial(path, nil)
	defer other.Close()
	if err := other.Call(context.Background(), "ping", nil, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ended:
		t.Fatalf("the watch ended while the server served: %v", err)
	default:
	}
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-ended; err != nil {
		t.Fatalf("the watch of a server that closed: %v, want nil", err)
	}
	if err := c.Watch(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("a watch with no server: %v, want ErrUnreachable", err)
	}
}
