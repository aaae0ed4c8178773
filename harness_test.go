package main

// The end-to-end harness: it builds the server binary once, runs it as an
// MCP client would, and records every byte it writes.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.uber.org/goleak"

	"workspace-qdrant-mcp/internal/enginetest"
)

// serverBinary is the server built by TestMain.
var serverBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wqm-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverBinary = filepath.Join(dir, "workspace-qdrant-mcp")
	if runtime.GOOS == "windows" {
		serverBinary += ".exe" // Windows runs only a file with its extension
	}
	args := []string{"build", "-o", serverBinary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build the server: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// fixture is one server's private world: a workspace with a couple of
// files, a data directory, a home, and a configuration file naming them.
type fixture struct {
	workspace string
	config    string
	env       []string
	dir       string // the server's working directory; "" for the test's
}

type fixtureOptions struct {
	autostart      bool
	emptyWorkspace bool
	extraConfig    string // appended to the configuration file
	peerTimeout    string // engine.peer_timeout, when set
}

var workspaceFiles = map[string]string{
	"parser.go": "package demo\n\nimport \"time\"\n\n// ParseDuration turns a string such as 30s into a time.Duration.\n" +
		"func ParseDuration(s string) (time.Duration, error) {\n\treturn time.ParseDuration(s)\n}\n",
	"README.md": "# Demo\n\nThe quokkaflux module keeps the widgets in order.\n\nRun it with `go run .`.\n",
}

func newFixture(t testing.TB, o fixtureOptions) *fixture {
	t.Helper()
	base := t.TempDir()
	fx := &fixture{workspace: filepath.Join(base, "workspace"), config: filepath.Join(base, "config.yaml")}
	for _, d := range []string{fx.workspace, filepath.Join(base, "home"), filepath.Join(base, "xdg")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if !o.emptyWorkspace {
		for name, content := range workspaceFiles {
			if err := os.WriteFile(filepath.Join(fx.workspace, name), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	cfg := fmt.Sprintf(`workspace:
  roots: [%q]
storage:
  data_dir: %q
engine:
  autostart: %v
  startup_timeout: 60s
  shutdown_timeout: 10s
  workers: 2
%slogging:
  level: debug
lsp:
  # No test here needs symbols; gopls, found on PATH in CI, would only
  # slow the runs and write its telemetry under the temporary HOME.
  enabled: false
`, fx.workspace, filepath.Join(base, "data"), o.autostart, peerTimeout(o.peerTimeout)) + o.extraConfig
	if err := os.WriteFile(fx.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	fx.env = append(os.Environ(),
		"HOME="+filepath.Join(base, "home"),
		"XDG_DATA_HOME="+filepath.Join(base, "xdg"),
		"WQM_CONFIG=",
		// No test ever contacts the real Hugging Face Hub.
		"HF_HUB_OFFLINE=1", "HF_HUB_CACHE="+filepath.Join(base, "hf"),
		// A -race binary otherwise sleeps 1s before exiting.
		"GORACE=atexit_sleep_ms=0",
	)
	return fx
}

// peerTimeout is the engine.peer_timeout line of the fixture's
// configuration, if any.
func peerTimeout(d string) string {
	if d == "" {
		return ""
	}
	return "  peer_timeout: " + d + "\n"
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer = enginetest.Buffer

// proc is a running server with an MCP client on its stdio.
type proc struct {
	t       testing.TB
	cmd     *exec.Cmd
	stdin   *os.File // our end of the server's stdin
	toCli   *io.PipeReader
	stdout  lockedBuffer // everything the server wrote on stdout
	stderr  lockedBuffer
	copied  chan struct{} // closed when stdout is fully recorded
	exited  chan struct{} // closed when the process has exited
	started time.Time
	client  *client.Client

	mu    sync.Mutex
	notes []mcp.JSONRPCNotification
}

// spawn starts the server with args. Its stdout goes through a recorder
// to the client; cleanup closes stdin, waits for the exit and checks that
// stdout held JSON-RPC messages only.
func spawn(t testing.TB, fx *fixture, args ...string) *proc {
	t.Helper()
	return spawnBinary(t, serverBinary, fx, args...)
}

// spawnIdle spawns the server on fx's configuration, initializes it and
// waits until the engine runs and the workspace is indexed.
func (fx *fixture) spawnIdle(t testing.TB) *proc {
	t.Helper()
	p := spawn(t, fx, "-config", fx.config)
	p.initialize(t)
	p.waitIdle(t)
	return p
}

// spawnBinary is spawn with another build of the server, bin.
func spawnBinary(t testing.TB, bin string, fx *fixture, args ...string) *proc {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, stdin: inW, copied: make(chan struct{}), exited: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = fx.env
	p.cmd.Dir = fx.dir
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = inR, outW, &p.stderr
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()

	toCli, toCliW := io.Pipe()
	p.toCli = toCli
	go func() {
		defer close(p.copied)
		defer outR.Close()
		_, _ = io.Copy(io.MultiWriter(&p.stdout, toCliW), outR)
		toCliW.Close()
	}()
	p.client = client.NewClient(transport.NewIO(toCli, inW, nil))
	p.client.OnNotification(func(n mcp.JSONRPCNotification) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.notes = append(p.notes, n)
	})
	if err := p.client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.cleanup)
	return p
}

func (p *proc) cleanup() {
	p.client.Close() // closes stdin
	if !p.waitExit(20 * time.Second) {
		p.t.Errorf("server did not exit within 20s of stdin closing; killing it")
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	// Drain what the client no longer reads, so that the recorder can
	// finish; the client's reader then ends at EOF, quietly.
	go func() { _, _ = io.Copy(io.Discard, p.toCli) }()
	<-p.copied
	checkJSONRPC(p.t, p.stdout.Bytes())
	checkLogLines(p.t, p.stderr.Bytes())
	stderr := p.stderr.String()
	for _, bad := range []string{"DATA RACE", "panic:", "goroutine leak"} {
		if strings.Contains(stderr, bad) {
			p.t.Errorf("server stderr contains %q:\n%s", bad, stderr)
		}
	}
	if p.t.Failed() {
		p.t.Logf("server stderr:\n%s", stderr)
	}
}

// waitExit reports whether the process exited within d.
func (p *proc) waitExit(d time.Duration) bool {
	select {
	case <-p.exited:
		return true
	case <-time.After(d):
		return false
	}
}

func (p *proc) exitCode() int { return p.cmd.ProcessState.ExitCode() }

// closeStdin ends the server's input and returns when it was closed.
func (p *proc) closeStdin(t testing.TB) time.Time {
	if err := p.stdin.Close(); err != nil {
		t.Fatal(err)
	}
	return time.Now()
}

// checkJSONRPC fails unless out is a sequence of complete lines, each one
// JSON-RPC 2.0 message: a request or notification (method), or a response
// (id with exactly one of result and error).
func checkJSONRPC(t testing.TB, out []byte) {
	t.Helper()
	if len(out) > 0 && out[len(out)-1] != '\n' {
		t.Errorf("stdout ends with a partial line: %q", out[max(0, len(out)-200):])
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if len(out) == 0 {
			break
		}
		var msg map[string]json.RawMessage
		if err := json.Unmarshal(line, &msg); err != nil {
			t.Errorf("stdout line %d is not JSON (%v): %q", i+1, err, line)
			continue
		}
		_, hasMethod := msg["method"]
		_, hasID := msg["id"]
		_, hasResult := msg["result"]
		_, hasError := msg["error"]
		switch {
		case string(msg["jsonrpc"]) != `"2.0"`:
			t.Errorf("stdout line %d lacks jsonrpc 2.0: %s", i+1, line)
		case hasMethod:
		case hasID && hasResult != hasError:
		default:
			t.Errorf("stdout line %d is neither a request, a notification nor a response: %s", i+1, line)
		}
	}
}

// checkLogLines fails on a JSON log line on stderr that repeats a key
// (a sub-logger adding "component" twice): log parsers keep one of the
// two, or refuse the line.
func checkLogLines(t testing.TB, stderr []byte) {
	t.Helper()
	for i, line := range bytes.Split(stderr, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("{")) {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		if _, err := dec.Token(); err != nil { // {
			t.Errorf("stderr line %d is not a JSON object: %q", i+1, line)
			continue
		}
		seen := map[string]bool{}
		for dec.More() {
			key, err := dec.Token()
			var value json.RawMessage
			if err == nil {
				err = dec.Decode(&value)
			}
			if err != nil {
				t.Errorf("stderr line %d is not a JSON object (%v): %q", i+1, err, line)
				break
			}
			if k := key.(string); seen[k] {
				t.Errorf("stderr line %d repeats the key %q: %s", i+1, k, line)
			} else {
				seen[k] = true
			}
		}
	}
}

const callTimeout = 90 * time.Second

// initialize runs the MCP handshake as Claude Desktop does.
func (p *proc) initialize(t testing.TB) *mcp.InitializeResult {
	t.Helper()
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	req.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	res, err := p.client.Initialize(ctx, req)
	if err != nil {
		t.Fatalf("initialize: %v\nstderr:\n%s", err, p.stderr.String())
	}
	return res
}

// result is a decoded tool result.
type result struct {
	isError bool
	text    string
	obj     map[string]any // the JSON object of the text, nil if none
}

func (r result) str(key string) string {
	s, _ := r.obj[key].(string)
	return s
}

func (r result) num(key string) float64 {
	f, _ := r.obj[key].(float64)
	return f
}

// call calls a tool; a protocol error fails the test.
func (p *proc) call(t testing.TB, name string, args map[string]any) result {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	res, err := p.client.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: protocol error: %v", name, err)
	}
	r := result{isError: res.IsError}
	for _, c := range res.Content {
		r.text += mcp.GetTextFromContent(c)
	}
	_ = json.Unmarshal([]byte(r.text), &r.obj)
	if !r.isError && (r.obj == nil || res.StructuredContent == nil) {
		t.Errorf("%s: result is not a JSON object in both text and structured content: %s", name, r.text)
	}
	return r
}

// mustCall calls a tool that must succeed.
func (p *proc) mustCall(t testing.TB, name string, args map[string]any) result {
	t.Helper()
	r := p.call(t, name, args)
	if r.isError {
		t.Fatalf("%s(%v) failed: %s", name, args, r.text)
	}
	return r
}

// eventually polls check until it succeeds or d passes.
func (p *proc) eventually(t testing.TB, d time.Duration, what string, check func() bool) {
	t.Helper()
	enginetest.Eventually(t, what, d, check)
}

// waitState polls engine_status until the engine is in state.
func (p *proc) waitState(t testing.TB, state string) result {
	t.Helper()
	var st result
	p.eventually(t, callTimeout, "engine state "+state, func() bool {
		st = p.mustCall(t, "engine_status", nil)
		if st.str("state") == "error" && state != "error" {
			t.Fatalf("engine failed: %s", st.str("last_error"))
		}
		return st.str("state") == state
	})
	return st
}

// waitIdle polls engine_status until the engine runs with nothing to do.
func (p *proc) waitIdle(t testing.TB) {
	t.Helper()
	p.waitState(t, "running")
	p.eventually(t, callTimeout, "indexing to finish", func() bool {
		st := p.mustCall(t, "engine_status", nil)
		idx, _ := st.obj["index"].(map[string]any)
		return st.num("active_tasks") == 0 && st.num("queued_tasks") == 0 &&
			idx["indexing"] == false && idx["pending"] == float64(0)
	})
}

// engineLogs returns the data of the engine's log notifications so far.
func (p *proc) engineLogs() []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, n := range p.notes {
		if n.Method == string(mcp.MethodNotificationMessage) && n.Params.AdditionalFields["logger"] == "engine" {
			if data, ok := n.Params.AdditionalFields["data"].(map[string]any); ok {
				out = append(out, data)
			}
		}
	}
	return out
}
