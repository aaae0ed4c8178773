package mcp

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/version"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newEngine returns a stopped engine with its data in a temporary
// directory, or, with brokenStorage, one whose storage.data_dir is a file
// so that every start fails in its first phase.
func newEngine(t *testing.T, brokenStorage bool) *engine.Manager {
	t.Helper()
	cfg := config.Default()
	cfg.Workspace.Roots = nil
	cfg.Storage.DataDir = t.TempDir()
	if brokenStorage {
		cfg.Storage.DataDir = filepath.Join(cfg.Storage.DataDir, "file")
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if brokenStorage { // after validation, which refuses it: the start fails
		if err := os.WriteFile(cfg.Storage.DataDir, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return engine.New(cfg, engine.Options{Logger: zerolog.Nop()})
}

// session is a Server serving over in-memory pipes, with a client.
type session struct {
	client   *client.Client
	toServer *io.PipeWriter
	served   chan error // Serve's result
	cancel   context.CancelFunc

	mu            sync.Mutex
	notifications []mcpgo.JSONRPCNotification
}

func serve(t *testing.T, eng *engine.Manager) *session {
	t.Helper()
	return serveWith(t, New(eng, zerolog.Nop()))
}

func serveWith(t testing.TB, srv *Server) *session {
	t.Helper()
	inR, inW := io.Pipe()   // client → server
	outR, outW := io.Pipe() // server → client
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{toServer: inW, served: make(chan error, 1), cancel: cancel}
	go func() {
		err := srv.Serve(ctx, inR, outW)
		outW.Close()
		inR.Close()
		s.served <- err
	}()
	s.client = client.NewClient(transport.NewIO(outR, inW, nil))
	s.client.OnNotification(func(n mcpgo.JSONRPCNotification) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.notifications = append(s.notifications, n)
	})
	if err := s.client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		s.client.Close()
		select {
		case <-s.served:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return")
		}
	})
	return s
}

func (s *session) initialize(t testing.TB) *mcpgo.InitializeResult {
	t.Helper()
	req := mcpgo.InitializeRequest{}
	req.Params.ProtocolVersion = mcpgo.LATEST_LEGACY_PROTOCOL_VERSION
	req.Params.ClientInfo = mcpgo.Implementation{Name: "test", Version: "1"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.client.Initialize(ctx, req)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return res
}

// logs returns the engine log notifications received so far.
func (s *session) logs() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, n := range s.notifications {
		if n.Method == string(mcpgo.MethodNotificationMessage) && n.Params.AdditionalFields["logger"] == "engine" {
			out = append(out, n.Params.AdditionalFields)
		}
	}
	return out
}

func TestInitializeAndListTools(t *testing.T) {
	s := serve(t, newEngine(t, false))
	res := s.initialize(t)
	if res.ServerInfo.Name != Name || res.ServerInfo.Version != version.String() || res.ServerInfo.Title != Title {
		t.Errorf("server info = %+v", res.ServerInfo)
	}
	if res.Capabilities.Tools == nil || res.Capabilities.Logging == nil {
		t.Errorf("capabilities = %+v, want tools and logging", res.Capabilities)
	}
	if !strings.Contains(res.Instructions, "engine_start") {
		t.Errorf("instructions do not explain engine_start: %q", res.Instructions)
	}
	tools, err := s.client.ListTools(context.Background(), mcpgo.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tools.Tools) != 11 {
		t.Errorf("%d tools, want 11", len(tools.Tools))
	}
}

func TestToolCallWhileStopped(t *testing.T) {
	s := serve(t, newEngine(t, false))
	s.initialize(t)
	req := mcpgo.CallToolRequest{}
	req.Params.Name = "search"
	req.Params.Arguments = map[string]any{"query": "anything"}
	res, err := s.client.CallTool(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || !strings.Contains(mcpgo.GetTextFromContent(res.Content[0]), "engine_start") {
		t.Errorf("search while stopped = %+v, want a tool error mentioning engine_start", res)
	}
}

func TestServeReturnsNilAtEOF(t *testing.T) {
	s := serve(t, newEngine(t, false))
	s.initialize(t)
	s.toServer.Close()
	select {
	case err := <-s.served:
		if err != nil {
			t.Errorf("Serve at EOF = %v, want nil", err)
		}
		s.served <- err
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return at EOF")
	}
}

func TestServeReturnsWhenCancelled(t *testing.T) {
	s := serve(t, newEngine(t, false))
	s.initialize(t)
	s.cancel()
	select {
	case err := <-s.served:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Serve after cancel = %v, want context.Canceled", err)
		}
		s.served <- err
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

// waitLogs waits until n engine log notifications have arrived.
func (s *session) waitLogs(t *testing.T, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		logs := s.logs()
		if len(logs) >= n || time.Now().After(deadline) {
			return logs
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTransitionsAreLogNotifications(t *testing.T) {
	eng := newEngine(t, true)
	s := serve(t, eng)
	s.initialize(t)
	if err := eng.Start(context.Background()); err == nil {
		t.Fatal("start with a file as storage.data_dir succeeded")
	}
	logs := s.waitLogs(t, 2)
	if len(logs) != 2 {
		t.Fatalf("got %d engine log notifications, want 2 (stopped->starting, starting->error): %v", len(logs), logs)
	}
	want := []struct{ level, to string }{{"info", "starting"}, {"error", "error"}}
	for i, w := range want {
		data, _ := logs[i]["data"].(map[string]any)
		if logs[i]["level"] != w.level || data["to"] != w.to {
			t.Errorf("notification %d = %v, want level %s, to %s", i, logs[i], w.level, w.to)
		}
		if msg, _ := data["message"].(string); !strings.HasPrefix(msg, "engine ") {
			t.Errorf("notification %d message = %q", i, msg)
		}
	}
	if _, err := eng.Stop(context.Background(), engine.StopOptions{}); err != nil {
		t.Fatal(err)
	}
	if logs := s.waitLogs(t, 3); len(logs) != 3 || logs[2]["data"].(map[string]any)["to"] != "stopped" {
		t.Errorf("reset from error not notified: %v", logs)
	}
}

func TestSetLevelFiltersTransitions(t *testing.T) {
	eng := newEngine(t, true)
	s := serve(t, eng)
	s.initialize(t)
	req := mcpgo.SetLevelRequest{}
	req.Params.Level = mcpgo.LoggingLevelError
	if err := s.client.SetLevel(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	// Two failed starts: stopped→starting (info), starting→error (error),
	// error→stopped (info), then the same again. Notifications are sent in
	// transition order, so once the second error has arrived every info
	// transition before it would have arrived too: no sleep is needed to
	// show that none was sent.
	for i := range 2 {
		_ = eng.Start(context.Background())
		if _, err := eng.Stop(context.Background(), engine.StopOptions{}); err != nil {
			t.Fatal(err)
		}
		s.waitLogs(t, i+1)
	}
	logs := s.logs()
	if len(logs) != 2 || logs[0]["level"] != "error" || logs[1]["level"] != "error" {
		t.Errorf("with level error, got %v, want only the two error transitions", logs)
	}
}

// TestModernClient checks that a client of the stateless protocol
// (server/discover, no initialize handshake) is served too.
func TestModernClient(t *testing.T) {
	s := serve(t, newEngine(t, false))
	res, err := s.client.Initialize(context.Background(), mcpgo.InitializeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if res.ServerInfo.Name != Name {
		t.Errorf("server info = %+v", res.ServerInfo)
	}
	req := mcpgo.CallToolRequest{}
	req.Params.Name = "engine_status"
	st, err := s.client.CallTool(context.Background(), req)
	if err != nil || st.IsError || !strings.Contains(mcpgo.GetTextFromContent(st.Content[0]), `"state":"stopped"`) {
		t.Errorf("engine_status = %+v, %v", st, err)
	}
	t.Logf("negotiated protocol %s", res.ProtocolVersion)
}

// The health monitor's and recovery's notifications reach the client
// through Notifier, under their own logger names and levels.
func TestNotifier(t *testing.T) {
	srv := New(newEngine(t, false), zerolog.Nop())
	s := serveWith(t, srv)
	s.initialize(t)
	srv.Notifier("health")("warning", map[string]any{"message": "health alert: memory_mb = 1200 MB exceeds the threshold of 1000 MB"})
	srv.Notifier("recovery")("debug", map[string]any{"message": "below the client's level"})
	srv.Notifier("recovery")("error", map[string]any{"message": "recovery gave up"})
	deadline := time.Now().Add(10 * time.Second)
	var got []map[string]any
	for len(got) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		s.mu.Lock()
		got = got[:0]
		for _, n := range s.notifications {
			if l := n.Params.AdditionalFields["logger"]; l == "health" || l == "recovery" {
				got = append(got, n.Params.AdditionalFields)
			}
		}
		s.mu.Unlock()
	}
	if len(got) != 2 || got[0]["logger"] != "health" || got[0]["level"] != "warning" ||
		got[1]["logger"] != "recovery" || got[1]["level"] != "error" {
		t.Errorf("notifications %v, want the health warning and the recovery error", got)
	}
}
