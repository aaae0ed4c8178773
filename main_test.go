package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/internal/version"
	"workspace-qdrant-mcp/packaging/mcpb"
)

var allTools = []string{
	"add_document", "delete_document", "engine_health", "engine_restart", "engine_start",
	"engine_status", "engine_stop", "find_related", "get_document", "list_collections", "search",
}

// TestEndToEnd drives the real server through a whole session, as an MCP
// client would, with autostart on.
func TestEndToEnd(t *testing.T) {
	fx := newFixture(t, fixtureOptions{autostart: true})
	p := spawn(t, fx, "-config", fx.config)

	init := p.initialize(t)
	if took := time.Since(p.started); took > 3*time.Second {
		t.Errorf("initialize answered %s after spawn; the handshake must not wait for the engine", took)
	}
	if init.ServerInfo.Name != "workspace-qdrant-mcp" || init.ServerInfo.Version != version.String() {
		t.Errorf("server info = %+v", init.ServerInfo)
	}

	t.Run("list tools", func(t *testing.T) {
		res, err := p.client.ListTools(context.Background(), mcp.ListToolsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range res.Tools {
			names = append(names, tool.Name)
			if tool.InputSchema.Type != "object" || tool.Description == "" {
				t.Errorf("%s: schema type %q, description %q", tool.Name, tool.InputSchema.Type, tool.Description)
			}
			if tool.Name == "search" && !slices.Contains(tool.InputSchema.Required, "query") {
				t.Errorf("search schema does not require query: %+v", tool.InputSchema)
			}
		}
		slices.Sort(names)
		if !slices.Equal(names, allTools) {
			t.Errorf("tools = %v, want %v", names, allTools)
		}
	})

	p.waitState(t, "running")
	if h := p.mustCall(t, "engine_health", nil); h.str("overall_status") != "HEALTHY" {
		t.Errorf("engine_health = %s, want HEALTHY", h.text)
	}

	t.Run("workspace files are indexed", func(t *testing.T) {
		var hits []any
		p.eventually(t, callTimeout, "README.md to be searchable", func() bool {
			r := p.mustCall(t, "search", map[string]any{"query": "quokkaflux", "mode": "keyword"})
			hits, _ = r.obj["results"].([]any)
			return len(hits) > 0
		})
		if hit := hits[0].(map[string]any); !strings.HasSuffix(fmt.Sprint(hit["path"]), "README.md") {
			t.Errorf("first hit for quokkaflux = %v, want README.md", hit)
		}
		p.waitIdle(t) // parser.go may still be indexing (a language server starts for it)
		doc := p.mustCall(t, "get_document", map[string]any{"path": "parser.go"})
		if doc.str("kind") != "file" || !strings.Contains(doc.text, "ParseDuration") {
			t.Errorf("get_document parser.go = %s", doc.text)
		}
	})

	var noteID string
	t.Run("add, search, get, delete a note", func(t *testing.T) {
		added := p.mustCall(t, "add_document", map[string]any{
			"content":  "Meeting notes: the zanzibarquux rollout is planned for Tuesday.",
			"title":    "rollout",
			"metadata": map[string]any{"source": "e2e"},
		})
		noteID = added.str("id")
		if noteID == "" || added.str("collection") != engine.NotesCollection || added.num("chunks") < 1 {
			t.Fatalf("add_document = %s", added.text)
		}
		for _, mode := range []string{"keyword", "hybrid", "semantic"} {
			r := p.mustCall(t, "search", map[string]any{"query": "zanzibarquux rollout", "mode": mode, "limit": 5})
			hits, _ := r.obj["results"].([]any)
			if r.str("mode") != mode || len(hits) == 0 || hits[0].(map[string]any)["id"] != noteID {
				t.Errorf("%s search for the note = %s, want the note first", mode, r.text)
			}
		}
		doc := p.mustCall(t, "get_document", map[string]any{"id": noteID})
		meta, _ := doc.obj["metadata"].(map[string]any)
		if doc.str("id") != noteID || doc.str("kind") != "note" || doc.str("title") != "rollout" ||
			meta["source"] != "e2e" || doc.num("chunks") < 1 || !strings.Contains(doc.str("text"), "zanzibarquux") {
			t.Errorf("get_document = %s", doc.text)
		}

		cols := p.mustCall(t, "list_collections", nil)
		counts := map[string]float64{}
		for _, c := range cols.obj["collections"].([]any) {
			c := c.(map[string]any)
			counts[c["name"].(string)] = c["documents"].(float64)
		}
		if counts["notes"] < 1 || counts["workspace"] < 2 {
			t.Errorf("list_collections = %s, want notes ≥ 1 and workspace ≥ 2 documents", cols.text)
		}

		del := p.mustCall(t, "delete_document", map[string]any{"id": noteID})
		if del.str("id") != noteID || del.num("deleted_chunks") < 1 {
			t.Errorf("delete_document = %s", del.text)
		}
		for _, tool := range []string{"get_document", "delete_document"} {
			r := p.call(t, tool, map[string]any{"id": noteID})
			if want := "document " + noteID + " not found"; !r.isError || !strings.Contains(r.text, want) {
				t.Errorf("%s after delete = %s, want %q", tool, r.text, want)
			}
		}
	})

	t.Run("bad arguments are tool errors", func(t *testing.T) {
		cases := []struct {
			tool string
			args map[string]any
			want string
		}{
			{"search", map[string]any{"query": "x", "limit": 500}, "limit: must be between 1 and 100, got 500"},
			{"search", map[string]any{"query": ""}, "query: must not be empty"},
			{"search", map[string]any{"query": "x", "mode": "fuzzy"}, "mode: must be one of"},
			{"get_document", map[string]any{"id": "a", "path": "b"}, "give exactly one of id or path"},
			{"get_document", map[string]any{"path": "/etc/passwd"}, "outside the workspace"},
			{"get_document", map[string]any{"path": "../../etc/passwd"}, "outside the workspace"},
		}
		for _, c := range cases {
			if r := p.call(t, c.tool, c.args); !r.isError || !strings.Contains(r.text, c.want) {
				t.Errorf("%s(%v) = %s (isError %v), want an error containing %q", c.tool, c.args, r.text, r.isError, c.want)
			}
		}
	})

	t.Run("lifecycle", func(t *testing.T) {
		stop := p.mustCall(t, "engine_stop", nil)
		if stop.str("state") != "stopped" {
			t.Errorf("engine_stop = %s", stop.text)
		}
		for _, key := range []string{"drained_tasks", "remaining_tasks", "duration_ms"} {
			if _, ok := stop.obj[key]; !ok {
				t.Errorf("engine_stop result lacks %s: %s", key, stop.text)
			}
		}
		if again := p.mustCall(t, "engine_stop", nil); again.str("state") != "stopped" {
			t.Errorf("second engine_stop = %s", again.text)
		}
		if r := p.call(t, "search", map[string]any{"query": "quokkaflux"}); !r.isError ||
			!strings.Contains(r.text, "stopped") || !strings.Contains(r.text, "engine_start") {
			t.Errorf("search while stopped = %s, want a tool error naming the state and engine_start", r.text)
		}
		if h := p.mustCall(t, "engine_health", nil); h.str("overall_status") != "UNHEALTHY" {
			t.Errorf("engine_health while stopped = %s", h.text)
		}
		start := p.mustCall(t, "engine_start", nil)
		if start.str("state") != "running" || !strings.Contains(start.str("message"), "started") {
			t.Errorf("engine_start = %s", start.text)
		}
		if again := p.mustCall(t, "engine_start", nil); again.str("message") != "engine already running" {
			t.Errorf("engine_start on a running engine = %s", again.text)
		}
		if r := p.mustCall(t, "engine_restart", nil); r.str("state") != "running" {
			t.Errorf("engine_restart = %s", r.text)
		}
		p.waitIdle(t)
		if r := p.mustCall(t, "search", map[string]any{"query": "ParseDuration"}); len(r.obj["results"].([]any)) == 0 {
			t.Errorf("search after restart found nothing: %s", r.text)
		}
	})

	t.Run("transitions are notified", func(t *testing.T) {
		var toRunning int
		for _, data := range p.engineLogs() {
			if data["to"] == "running" {
				toRunning++
			}
		}
		if toRunning < 2 { // engine_start, engine_restart (the autostart may finish before initialize)
			t.Errorf("%d notifications of the engine running, want at least 2: %v", toRunning, p.engineLogs())
		}
	})

	t.Run("exit at EOF", func(t *testing.T) {
		p.waitIdle(t)
		p.exitsOnEOF(t)
	})
}

// exitsOnEOF closes the server's stdin and checks that it exits 0
// within 1s.
func (p *proc) exitsOnEOF(t *testing.T) {
	t.Helper()
	closed := p.closeStdin(t)
	if !p.waitExit(10 * time.Second) {
		t.Fatal("server still running 10s after stdin closed")
	}
	if took := time.Since(closed); took > time.Second {
		t.Errorf("server exited %s after stdin closed, want within 1s", took)
	}
	if code := p.exitCode(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
}

// TestExitWithinOneSecondOfEOF checks that, with nothing pending, the
// server stops the engine and exits 0 within 1s of its input ending.
func TestExitWithinOneSecondOfEOF(t *testing.T) {
	fx := newFixture(t, fixtureOptions{autostart: true})
	p := fx.spawnIdle(t)
	p.exitsOnEOF(t)
	if stderr := p.stderr.String(); !strings.Contains(stderr, "stdin closed") || !strings.Contains(stderr, "engine stopped") {
		t.Errorf("stderr does not log the shutdown:\n%s", stderr)
	}
}

func TestConfigurationErrors(t *testing.T) {
	tests := []struct {
		name   string
		config string // "" means the file does not exist
		want   string
	}{
		{"unknown key", "workspace:\n  rootz: [/tmp]\n", `unknown key "rootz"`},
		{"bad value", "engine:\n  workers: 0\n", "engine.workers"},
		{"bad duration", "engine:\n  startup_timeout: 30\n", "not a duration"},
		{"syntax", "engine: [\n", "configuration error"},
		{"missing file", "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, fixtureOptions{})
			path := filepath.Join(t.TempDir(), "config.yaml")
			if tt.config != "" {
				if err := os.WriteFile(path, []byte(tt.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			p := spawn(t, fx, "-config", path)
			if !p.waitExit(10 * time.Second) {
				t.Fatal("server with a broken configuration still running after 10s")
			}
			if code := p.exitCode(); code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			stderr := p.stderr.String()
			if !strings.HasPrefix(stderr, "workspace-qdrant-mcp: configuration error: ") || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want a configuration error naming %q", stderr, tt.want)
			}
			if out := p.stdout.String(); out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

func TestAutostartOff(t *testing.T) {
	fx := newFixture(t, fixtureOptions{autostart: false})
	p := spawn(t, fx, "-config", fx.config)
	p.initialize(t)
	// The server logs that it will not start the engine: no start can
	// be under way, and none comes later.
	p.eventually(t, 10*time.Second, "the autostart off logged", func() bool { return strings.Contains(p.stderr.String(), autostartOff) })
	if st := p.mustCall(t, "engine_status", nil); st.str("state") != "stopped" {
		t.Fatalf("state with autostart off = %s, want stopped", st.str("state"))
	}
	if r := p.call(t, "add_document", map[string]any{"content": "x"}); !r.isError || !strings.Contains(r.text, "engine_start") {
		t.Errorf("add_document while stopped = %s", r.text)
	}
	if r := p.mustCall(t, "engine_start", nil); r.str("state") != "running" {
		t.Errorf("engine_start = %s", r.text)
	}
}

func TestVersionFlag(t *testing.T) {
	fx := newFixture(t, fixtureOptions{})
	p := spawn(t, fx, "-version")
	if !p.waitExit(10 * time.Second) {
		t.Fatal("-version did not exit")
	}
	if code := p.exitCode(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	if got := p.stderr.String(); !strings.Contains(got, version.String()) {
		t.Errorf("stderr = %q, want the version", got)
	}
	if out := p.stdout.String(); out != "" {
		t.Errorf("stdout = %q, want nothing", out)
	}
}

// The tests below call run in this process, so that the race detector and
// goleak watch the lifetime logic itself.

func TestRunConfigurationError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("storage:\n  backend: cassandra\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr lockedBuffer
	code := run([]string{"-config", path}, strings.NewReader(""), &stdout, &stderr, nil)
	if code != 2 || !strings.Contains(stderr.String(), "storage.backend") || stdout.String() != "" {
		t.Errorf("run = %d, stderr %q, stdout %q; want 2 naming storage.backend", code, stderr.String(), stdout.String())
	}
	if code := run([]string{"-no-such-flag"}, strings.NewReader(""), &stdout, &stderr, nil); code != 2 {
		t.Errorf("run with an unknown flag = %d, want 2", code)
	}
}

func TestRunAnswersThenExitsAtEOF(t *testing.T) {
	fx := newFixture(t, fixtureOptions{autostart: false})
	in := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}` + "\n"
	var stdout, stderr lockedBuffer
	code := run([]string{"-config", fx.config}, strings.NewReader(in), &stdout, &stderr, nil)
	if code != 0 {
		t.Errorf("run = %d, want 0; stderr:\n%s", code, stderr.String())
	}
	checkJSONRPC(t, stdout.Bytes())
	var resp struct {
		ID     int `json:"id"`
		Result struct {
			ServerInfo mcp.Implementation `json:"serverInfo"`
		} `json:"result"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil || resp.ID != 1 || resp.Result.ServerInfo.Name != "workspace-qdrant-mcp" {
		t.Errorf("stdout = %q, want the initialize response", stdout.String())
	}
}

// inProcess runs run in this process with a client on pipes.
type inProcess struct {
	client  *client.Client
	toSrv   *io.PipeWriter
	signals chan os.Signal
	code    chan int
	stderr  lockedBuffer
}

func startInProcess(t *testing.T, autostart bool) *inProcess {
	fx := newFixture(t, fixtureOptions{autostart: autostart})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ip := &inProcess{toSrv: inW, signals: make(chan os.Signal, 2), code: make(chan int, 1)}
	go func() {
		code := run([]string{"-config", fx.config}, inR, outW, &ip.stderr, ip.signals)
		outW.Close()
		ip.code <- code
	}()
	ip.client = client.NewClient(transport.NewIO(outR, inW, nil))
	if err := ip.client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	if _, err := ip.client.Initialize(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ip.client.Close()
		inR.Close() // ends a read that a cancelled session left behind
	})
	return ip
}

func (ip *inProcess) waitRunning(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(callTimeout)
	for {
		req := mcp.CallToolRequest{}
		req.Params.Name = "engine_status"
		res, err := ip.client.CallTool(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(mcp.GetTextFromContent(res.Content[0]), `"state":"running"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("engine not running after %s:\n%s", callTimeout, ip.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (ip *inProcess) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-ip.code:
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not return:\n%s", ip.stderr.String())
		return -1
	}
}

func TestRunStopsEngineAtEOF(t *testing.T) {
	ip := startInProcess(t, true)
	ip.waitRunning(t)
	ip.toSrv.Close()
	if code := ip.wait(t); code != 0 {
		t.Errorf("run = %d, want 0:\n%s", code, ip.stderr.String())
	}
	if !strings.Contains(ip.stderr.String(), "engine stopped") {
		t.Errorf("engine not stopped:\n%s", ip.stderr.String())
	}
}

func TestRunStopsEngineOnSignal(t *testing.T) {
	ip := startInProcess(t, true)
	ip.waitRunning(t)
	ip.signals <- os.Interrupt
	if code := ip.wait(t); code != 0 {
		t.Errorf("run = %d, want 0:\n%s", code, ip.stderr.String())
	}
}

func TestRunSignalDuringAutostart(t *testing.T) {
	ip := startInProcess(t, true)
	ip.signals <- syscall.SIGTERM
	ip.signals <- syscall.SIGTERM
	if code := ip.wait(t); code != 0 {
		t.Errorf("run = %d, want 0:\n%s", code, ip.stderr.String())
	}
}

// The Claude Desktop extension's manifest lists the server's tools.
func TestMCPBManifestListsTheTools(t *testing.T) {
	var m struct {
		Tools []struct{ Name, Description string } `json:"tools"`
	}
	if err := json.Unmarshal(mcpb.Template, &m); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range m.Tools {
		names = append(names, tool.Name)
		if tool.Description == "" {
			t.Errorf("manifest tool %s has no description", tool.Name)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, allTools) {
		t.Errorf("packaging/mcpb/manifest.json lists tools %v, the server has %v", names, allTools)
	}
}
