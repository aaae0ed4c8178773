package mcp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/tools"
)

// raw is a Server spoken to in raw JSON-RPC lines: what it writes is
// kept, message by message, for the test to look through.
type raw struct {
	t        *testing.T
	toServer *io.PipeWriter
	meta     map[string]any // the _meta of every request, nil for none
	served   chan struct{}  // closed when Serve returned
	serveErr error          // what Serve returned, once served is closed

	mu       sync.Mutex
	messages []map[string]any
}

func serveRaw(t *testing.T, srv *Server) *raw {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	r := &raw{t: t, toServer: inW, served: make(chan struct{})}
	read := make(chan struct{})
	go func() {
		err := srv.Serve(ctx, inR, outW)
		outW.Close()
		inR.Close()
		r.serveErr = err
		close(r.served)
	}()
	go func() {
		defer close(read)
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 1<<22)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("the server wrote a line that is not JSON: %q", sc.Text())
				continue
			}
			r.mu.Lock()
			r.messages = append(r.messages, m)
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		select {
		case <-r.served:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return")
		}
		outR.Close()
		<-read
	})
	return r
}

// write sends one JSON-RPC message; params get r.meta as their _meta.
func (r *raw) write(id any, method string, params map[string]any) {
	r.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	if r.meta != nil {
		meta, _ := params["_meta"].(map[string]any)
		params["_meta"] = maps.Clone(r.meta)
		maps.Copy(params["_meta"].(map[string]any), meta)
	}
	msg := map[string]any{"jsonrpc": "2.0", "method": method, "params": params}
	if id != nil {
		msg["id"] = id
	}
	line, err := json.Marshal(msg)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.toServer.Write(append(line, '\n')); err != nil {
		r.t.Fatalf("write %s: %v", method, err)
	}
}

// call sends a request and returns its response.
func (r *raw) call(id float64, method string, params map[string]any) map[string]any {
	r.t.Helper()
	r.write(id, method, params)
	return r.waitFor(fmt.Sprintf("the response to %s", method), func(m map[string]any) bool { return m["id"] == id && m["method"] == nil })
}

// waitFor waits up to 20 seconds for a message that match accepts.
func (r *raw) waitFor(what string, match func(map[string]any) bool) map[string]any {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range r.find(match) {
			return m
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("no %s in %v", what, r.find(func(map[string]any) bool { return true }))
	return nil
}

// waitCount waits up to 20 seconds for n messages that match accepts.
func (r *raw) waitCount(what string, match func(map[string]any) bool, n int) {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(r.find(match)) < n {
		if time.Now().After(deadline) {
			r.t.Fatalf("%d %s, want %d: %v", len(r.find(match)), what, n, r.find(match))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// find returns the messages so far that match accepts.
func (r *raw) find(match func(map[string]any) bool) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, m := range r.messages {
		if match(m) {
			out = append(out, m)
		}
	}
	return out
}

func method(name string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["method"] == name }
}

func params(m map[string]any) map[string]any { p, _ := m["params"].(map[string]any); return p }

// indexEngine is a stopped engine whose workspace holds one file.
func indexEngine(t *testing.T) *engine.Manager {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "hello.go"), []byte("package hello\n\nfunc Hello() string { return \"hello\" }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Workspace.Roots = []string{root}
	cfg.Storage.DataDir = t.TempDir()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(cfg, engine.Options{Logger: zerolog.Nop()})
	t.Cleanup(func() {
		if _, err := eng.Stop(context.Background(), engine.StopOptions{}); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return eng
}

// startAndWait calls engine_start with wait_for_index and a progress
// token, and checks that it succeeded and that progress was reported.
func (r *raw) startAndWait(id float64) {
	r.t.Helper()
	res := r.call(id, "tools/call", map[string]any{
		"name": "engine_start", "arguments": map[string]any{"wait_for_index": true},
		"_meta": map[string]any{"progressToken": "start"},
	})
	if result, _ := res["result"].(map[string]any); result == nil || result["isError"] == true {
		r.t.Fatalf("engine_start: %v", res)
	}
	r.waitFor("progress notification", func(m map[string]any) bool {
		return m["method"] == "notifications/progress" && params(m)["progressToken"] == "start"
	})
}

// TestNotificationsByProtocolVersion speaks raw JSON-RPC at 2025-11-25
// (initialize) and at 2026-07-28 (server/discover, _meta in each
// request) and checks which notifications each is sent: engine
// transitions and index events as log notifications only to the first;
// notifications/resources/updated for the status resource to both, the
// first through resources/subscribe, the second through the
// resourceSubscriptions of subscriptions/listen, tagged with its id;
// progress for wait_for_index to both.
func TestNotificationsByProtocolVersion(t *testing.T) {
	t.Run("2025-11-25", func(t *testing.T) {
		r := serveRaw(t, New(indexEngine(t), zerolog.Nop()))
		init := r.call(1, "initialize", map[string]any{
			"protocolVersion": "2025-11-25", "capabilities": map[string]any{},
			"clientInfo": map[string]any{"name": "raw", "version": "1"},
		})
		if v := init["result"].(map[string]any)["protocolVersion"]; v != "2025-11-25" {
			t.Fatalf("initialize negotiated %v", v)
		}
		caps := init["result"].(map[string]any)["capabilities"].(map[string]any)
		if res, _ := caps["resources"].(map[string]any); res["subscribe"] != true {
			t.Errorf("capabilities %v, want resources with subscribe", caps)
		}
		r.write(nil, "notifications/initialized", nil)
		if res := r.call(2, "resources/subscribe", map[string]any{"uri": tools.StatusURI}); res["error"] != nil {
			t.Fatalf("resources/subscribe: %v", res)
		}
		r.startAndWait(3)
		r.waitFor("index finish log", func(m map[string]any) bool {
			return m["method"] == "notifications/message" && params(m)["logger"] == "indexer" &&
				params(m)["data"].(map[string]any)["event"] == "index_finished"
		})
		r.waitFor("engine log", func(m map[string]any) bool {
			return m["method"] == "notifications/message" && params(m)["logger"] == "engine"
		})
		ups := r.find(method("notifications/resources/updated"))
		if len(ups) < 3 { // starting, running, index started and finished
			t.Errorf("%d resources/updated, want one per transition and index event: %v", len(ups), ups)
		}
		for _, u := range ups {
			if p := params(u); p["uri"] != tools.StatusURI || p["_meta"] != nil {
				t.Errorf("resources/updated %v, want the status URI and no subscription id", p)
			}
		}
		if res := r.call(4, "resources/unsubscribe", map[string]any{"uri": tools.StatusURI}); res["error"] != nil {
			t.Fatalf("resources/unsubscribe: %v", res)
		}
		before := len(r.find(method("notifications/resources/updated")))
		r.call(5, "tools/call", map[string]any{"name": "engine_stop", "arguments": map[string]any{}})
		r.waitFor("stop log", func(m map[string]any) bool {
			d, _ := params(m)["data"].(map[string]any)
			return m["method"] == "notifications/message" && d["to"] == "stopped"
		})
		if after := len(r.find(method("notifications/resources/updated"))); after != before {
			t.Errorf("%d resources/updated after unsubscribing", after-before)
		}
	})
	t.Run("2026-07-28", func(t *testing.T) {
		r := serveRaw(t, New(indexEngine(t), zerolog.Nop()))
		r.meta = map[string]any{
			mcpgo.MetaKeyProtocolVersion:    "2026-07-28",
			mcpgo.MetaKeyClientCapabilities: map[string]any{},
		}
		disc := r.call(1, "server/discover", nil)
		if res, _ := disc["result"].(map[string]any); res == nil {
			t.Fatalf("server/discover: %v", disc)
		}
		if res := r.call(2, "resources/subscribe", map[string]any{"uri": tools.StatusURI}); res["error"] == nil {
			t.Errorf("resources/subscribe under 2026-07-28 = %v, want an error: it was removed", res)
		}
		r.write(7, "subscriptions/listen", map[string]any{"notifications": map[string]any{"resourceSubscriptions": []string{tools.StatusURI}}})
		ack := r.waitFor("subscriptions acknowledged", method(mcpgo.MethodNotificationSubscriptionsAcknowledged))
		if got := fmt.Sprint(params(ack)["notifications"]); got != fmt.Sprintf("map[resourceSubscriptions:[%s]]", tools.StatusURI) {
			t.Errorf("acknowledged %s", got)
		}
		r.startAndWait(3)
		r.waitFor("resources/updated", method("notifications/resources/updated"))
		r.call(4, "tools/call", map[string]any{"name": "engine_stop", "arguments": map[string]any{}})
		r.waitCount("resources/updated for the stop", method("notifications/resources/updated"), 5)
		for _, u := range r.find(method("notifications/resources/updated")) {
			p := params(u)
			meta, _ := p["_meta"].(map[string]any)
			if p["uri"] != tools.StatusURI || meta[mcpgo.MetaKeySubscriptionID] != float64(7) {
				t.Errorf("resources/updated %v, want the status URI tagged with subscription id 7", p)
			}
		}
		if logs := r.find(method("notifications/message")); len(logs) != 0 {
			t.Errorf("a 2026-07-28 client was sent %d unsolicited log notifications: %v", len(logs), logs)
		}
		// Cancelling the listen request ends the stream: it is answered,
		// and nothing more is sent on it.
		r.write(nil, "notifications/cancelled", map[string]any{"requestId": 7})
		r.waitFor("the listen response", func(m map[string]any) bool { return m["id"] == float64(7) && m["method"] == nil })
		before := len(r.find(method("notifications/resources/updated")))
		r.startAndWait(5)
		if after := len(r.find(method("notifications/resources/updated"))); after != before {
			t.Errorf("%d resources/updated after the stream ended", after-before)
		}
	})
}
