package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"testing"
)

// TestConnRoundTrip: calls are answered by id, error answers come back as
// *RPCError, notifications get no answer, and a call still waiting when
// the connection ends fails with errConnClosed.
func TestConnRoundTrip(t *testing.T) {
	a, b := net.Pipe()
	notified := make(chan string, 1)
	hung := make(chan struct{})
	server := newConn(b, func(req incoming, reply replyFunc) {
		switch req.Method {
		case "echo":
			var v map[string]int
			_ = json.Unmarshal(req.Params, &v)
			_ = reply(v, nil)
		case "note":
			notified <- string(req.Params)
			_ = reply("ignored", nil) // a notification is never answered
		case "hang":
			close(hung) // and never answered
		default:
			_ = reply(nil, methodNotFound(req.Method))
		}
	})
	client := newConn(a, func(req incoming, reply replyFunc) { _ = reply(nil, methodNotFound(req.Method)) })
	ctx := context.Background()

	var got map[string]int
	if err := client.Call(ctx, "echo", map[string]int{"x": 7}, &got); err != nil || got["x"] != 7 {
		t.Fatalf("echo = %v, %v", got, err)
	}
	var re *RPCError
	if err := client.Call(ctx, "nope", nil, nil); !errors.As(err, &re) || re.Code != codeMethodNotFound {
		t.Errorf("unknown method: err = %v, want method not found", err)
	}
	if err := client.Notify("note", []int{1}); err != nil {
		t.Fatal(err)
	}
	if p := <-notified; p != "[1]" {
		t.Errorf("notification params %s", p)
	}
	if err := client.Call(ctx, "echo", map[string]int{"x": 8}, &got); err != nil || got["x"] != 8 {
		t.Fatalf("echo after notification = %v, %v", got, err)
	}

	errc := make(chan error, 1)
	go func() { errc <- client.Call(ctx, "hang", nil, nil) }()
	<-hung
	_ = server.Close() // which ends the client's reading too
	if err := <-errc; !errors.Is(err, errConnClosed) {
		t.Errorf("pending call = %v, want errConnClosed", err)
	}
	<-client.Done()
	<-server.Done()
	if err := client.Call(ctx, "echo", nil, nil); !errors.Is(err, errConnClosed) {
		t.Errorf("call after close = %v, want errConnClosed", err)
	}
}
