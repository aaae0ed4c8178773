package lsp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
)

// fakeEnv, when set in the environment of this test binary, makes it a
// fake language server instead of running tests: "hang" answers
// initialize and nothing else (not even shutdown), "exit" dies on
// initialize, "ok" answers every documentSymbol with no symbols.
const fakeEnv = "WQM_FAKE_LANGUAGE_SERVER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeEnv); mode == "sleep" { // the "helper" server's helper
		time.Sleep(5 * time.Minute)
		os.Exit(0)
	} else if mode != "" {
		runFakeServer(mode)
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

type stdio struct{}

func (stdio) Read(b []byte) (int, error)  { return os.Stdin.Read(b) }
func (stdio) Write(b []byte) (int, error) { return os.Stdout.Write(b) }
func (stdio) Close() error                { return nil }

func runFakeServer(mode string) {
	warm, opened := false, false
	c := newConn(stdio{}, func(req incoming, reply replyFunc) {
		switch req.Method {
		case "textDocument/didOpen":
			opened = true
		case "initialize":
			if mode == "exit" {
				os.Exit(3)
			}
			if mode == "helper" { // like gopls's telemetry crash monitor
				exe, _ := os.Executable()
				helper := exec.Command(exe)
				helper.Env = append(os.Environ(), fakeEnv+"=sleep")
				if err := helper.Start(); err == nil {
					_ = os.WriteFile(os.Getenv(helperPIDEnv), []byte(strconv.Itoa(helper.Process.Pid)), 0o600)
				}
			}
			_ = reply(map[string]any{"capabilities": map[string]any{"documentSymbolProvider": true}}, nil)
		case "textDocument/documentSymbol":
			switch {
			case mode == "hang": // a hung server never answers
			case mode == "warmup" && !warm: // loading the workspace first
				warm = true
				time.AfterFunc(time.Second, func() { _ = reply([]any{}, nil) })
			case mode == "closed": // one symbol, for a file never opened
				if opened {
					_ = reply(nil, &RPCError{Code: -32603, Message: "the file was opened"})
					break
				}
				r := map[string]any{"start": map[string]int{"line": 0}, "end": map[string]int{"line": 9}}
				_ = reply([]any{map[string]any{"name": "F", "kind": 12, "range": r, "selectionRange": r}}, nil)
			default:
				_ = reply([]any{}, nil)
			}
		case "shutdown":
			if mode != "hang" {
				_ = reply(nil, nil)
			}
		case "exit":
			os.Exit(0)
		default:
			_ = reply(nil, methodNotFound(req.Method))
		}
	})
	<-c.Done()
}

// fakeServer configures this test binary as the Go language server.
func fakeServer(t *testing.T, mode string, timeout time.Duration) config.LSP {
	t.Helper()
	t.Setenv(fakeEnv, mode) // inherited by the server process
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return config.LSP{Enabled: true, RequestTimeout: config.Duration(timeout),
		Servers: map[string]config.LSPServer{"go": {Command: exe}}}
}

// goWorkspace writes a small Go module and returns its root.
func goWorkspace(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	files := map[string]string{
		"go.mod": "module example.com/ws\n\ngo 1.22\n",
		"dur.go": `package ws

import "time"

// Config holds settings.
type Config struct {
	Name    string
	Timeout time.Duration
}

// ParseDuration parses a duration.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	return d, nil
}

// Server serves.
type Server struct{ cfg Config }

// Start starts the server.
func (s *Server) Start() error {
	return nil
}
`,
		"other.go": `package ws

// MaxItems bounds the items.
const MaxItems = 10

// Sum adds numbers.
func Sum(xs ...int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func lineCount(s string) int { return strings.Count(s, "\n") }

// kill kills pid (SIGKILL on Unix, TerminateProcess on Windows).
func kill(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return fmt.Errorf("find process %d: %w", pid, err)
	}
	defer p.Release()
	return p.Kill()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func spansOf(text string, n int) []Span {
	// n equal spans over the text's lines.
	lines := lineCount(text)
	var out []Span
	per := max(1, lines/n)
	for s := 1; s <= lines; s += per {
		out = append(out, Span{StartLine: s, EndLine: min(lines, s+per-1)})
	}
	return out
}

// TestGopls runs one real gopls through enrichment, a crash and restart,
// and a stop; the subtests share the server because gopls starts slowly.
func TestGopls(t *testing.T) {
	gopls := enginetest.Gopls(t)
	root := goWorkspace(t)
	m := New(config.LSP{Enabled: true, RequestTimeout: config.Duration(20 * time.Second),
		Servers: map[string]config.LSPServer{"go": {Command: gopls}}},
		Options{Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel), Roots: []string{root}, Backoff: 50 * time.Millisecond})
	stopped := false
	defer func() {
		if !stopped {
			_ = m.Stop(context.Background())
		}
	}()
	if st := m.Status(); len(st.Found) == 0 || st.Found[slices.IndexFunc(st.Found, func(d Detected) bool { return d.Language == "go" })].Path == "" {
		t.Fatalf("gopls not detected: %+v", st)
	}
	if pids := m.PIDs(); len(pids) != 0 {
		t.Fatalf("a server runs before any file needed it: %v", pids)
	}
	ctx := context.Background()
	dur := filepath.Join(root, "dur.go")
	text := readFile(t, dur)

	t.Run("symbols", func(t *testing.T) {
		// Two spans: the Config type and ParseDuration; then the Server
		// type and its Start method.
		spans := []Span{{1, 18}, {20, lineCount(text)}}
		meta := m.Enrich(ctx, dur, "go", text, spans)
		if len(meta) != 2 || meta[0] == nil || meta[1] == nil {
			t.Fatalf("Enrich = %v, want metadata for both spans", meta)
		}
		if !Defines(meta[0], "ParseDuration") || !Defines(meta[0], "config") || Defines(meta[0], "Start") {
			t.Errorf("span 1 symbols = %s, want Config and ParseDuration", meta[0][MetaSymbols])
		}
		if !Defines(meta[1], "Start") || !Defines(meta[1], "Server") {
			t.Errorf("span 2 symbols = %s, want Server and its method Start", meta[1][MetaSymbols])
		}
		// A span inside ParseDuration's body has it as enclosing symbol.
		inner := m.Enrich(ctx, dur, "go", text, []Span{{13, 15}})
		if got := inner[0][MetaSymbol]; got != "func ParseDuration" {
			t.Errorf("enclosing symbol = %q, want %q", got, "func ParseDuration")
		}
		refs := DecodeSymbols(meta[0])
		i := slices.IndexFunc(refs, func(r SymbolRef) bool { return r.Name == "ParseDuration" })
		if i < 0 || refs[i].Kind != "func" || refs[i].StartLine != 12 || refs[i].EndLine != 18 {
			t.Errorf("ParseDuration ref = %+v, want a func on lines 12-18", refs)
		}
		st := m.Status()
		if len(st.Running) != 1 || st.Running[0].State != stateRunning || st.Running[0].PID == 0 || st.Running[0].Root != root {
			t.Errorf("status running = %+v, want one running gopls for %s", st.Running, root)
		}
	})

	t.Run("restart after kill", func(t *testing.T) {
		pids := m.PIDs()
		if len(pids) != 1 {
			t.Fatalf("PIDs = %v, want one", pids)
		}
		if err := kill(pids[0]); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the crash to be noticed", func() bool { return m.Status().Running[0].State == stateExited })
		if alive(pids[0]) {
			t.Errorf("killed gopls %d was not reaped", pids[0])
		}
		other := filepath.Join(root, "other.go")
		otext := readFile(t, other)
		meta := m.Enrich(ctx, other, "go", otext, spansOf(otext, 1))
		if len(meta) != 1 || !Defines(meta[0], "Sum") || !Defines(meta[0], "MaxItems") {
			t.Fatalf("after restart Enrich = %v, want Sum and MaxItems", meta)
		}
		st := m.Status()
		if st.Restarts != 1 || st.Running[0].State != stateRunning || st.Running[0].PID == pids[0] {
			t.Errorf("status = %+v, want restarts 1 and a new running gopls", st)
		}
	})

	t.Run("stop leaves no process", func(t *testing.T) {
		pids := m.PIDs()
		if err := m.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		stopped = true
		for _, pid := range pids {
			if alive(pid) {
				t.Errorf("gopls %d still runs after Stop", pid)
			}
		}
		if kids := children(t); len(kids) != 0 {
			t.Errorf("child processes after Stop: %v", kids)
		}
		if meta := m.Enrich(ctx, dur, "go", text, []Span{{1, 5}}); meta != nil {
			t.Errorf("Enrich after Stop = %v, want nothing", meta)
		}
	})
}

// TestHungServerTimesOut: a server that never answers documentSymbol
// costs each file one request timeout; after hungLimit timeouts in a row
// it is killed and replaced, and Stop kills one that ignores shutdown.
func TestHungServerTimesOut(t *testing.T) {
	root := goWorkspace(t)
	m := New(fakeServer(t, "hang", 300*time.Millisecond),
		Options{Logger: zerolog.Nop(), Roots: []string{root}, Backoff: 10 * time.Millisecond, ShutdownTimeout: 200 * time.Millisecond})
	path := filepath.Join(root, "dur.go")
	text := readFile(t, path)
	ctx := context.Background()
	first := startServer(t, m, root).pid
	for range hungLimit {
		begin := time.Now()
		if meta := m.Enrich(ctx, path, "go", text, []Span{{1, 10}}); meta != nil {
			t.Fatalf("Enrich = %v from a hung server", meta)
		}
		if took := time.Since(begin); took > 3*time.Second {
			t.Errorf("Enrich took %s; the request timeout is 300ms", took)
		}
	}
	if alive(first) {
		t.Errorf("hung server %d still runs after %d timeouts", first, hungLimit)
	}
	st := m.Status()
	if st.Running[0].Timeouts != hungLimit || st.Running[0].Failures != 1 {
		t.Errorf("status = %+v, want %d timeouts and 1 failure", st.Running[0], hungLimit)
	}
	// The next file starts a new server (a restart), which hangs too.
	startServer(t, m, root)
	_ = m.Enrich(ctx, path, "go", text, []Span{{1, 10}})
	pids := m.PIDs()
	if len(pids) != 1 || pids[0] == first || m.Status().Restarts != 1 {
		t.Errorf("pids %v (first %d), status %+v: want a restarted server", pids, first, m.Status())
	}
	begin := time.Now()
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("Stop took %s", took)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("server %d that ignores shutdown still runs after Stop", pid)
		}
	}
}

// TestFirstAnswerMayWaitForTheWorkspace: a server's first answer, which
// gopls gives only once it has loaded the workspace, is bounded by the
// warm-up timeout, not the request timeout; later ones by the request
// timeout again.
func TestFirstAnswerMayWaitForTheWorkspace(t *testing.T) {
	root := goWorkspace(t)
	path := filepath.Join(root, "dur.go")
	text := readFile(t, path)
	for _, tc := range []struct {
		name     string
		warmup   time.Duration
		timeouts int
	}{
		{"within the warm-up", time.Minute, 0},
		{"no warm-up", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fakeServer(t, "warmup", 300*time.Millisecond)
			cfg.WarmupTimeout = config.Duration(tc.warmup)
			m := New(cfg, Options{Logger: zerolog.Nop(), Roots: []string{root}, ShutdownTimeout: 200 * time.Millisecond})
			defer func() { _ = m.Stop(context.Background()) }()
			startServer(t, m, root)
			for range 2 {
				_ = m.Enrich(context.Background(), path, "go", text, []Span{{1, 10}})
			}
			st := m.Status().Running[0]
			if st.Requests != 2 || st.Timeouts != tc.timeouts {
				t.Errorf("status %+v: want 2 requests and %d timeouts", st, tc.timeouts)
			}
		})
	}
}

// TestDiskReaderIsNotOpened: a server that reads files from disk (gopls)
// is asked for symbols without didOpen, which would make it load the
// file's package, and its answer counts only while the file still holds
// the text to enrich. Another server gets the file opened.
func TestDiskReaderIsNotOpened(t *testing.T) {
	root := goWorkspace(t)
	path := filepath.Join(root, "dur.go")
	text := readFile(t, path)
	m := New(fakeServer(t, "closed", 10*time.Second), Options{Logger: zerolog.Nop(), Roots: []string{root}, ShutdownTimeout: 200 * time.Millisecond})
	defer func() { _ = m.Stop(context.Background()) }()
	d := m.found["go"]
	d.ReadsDisk = true
	m.found["go"] = d
	startServer(t, m, root)
	if meta := m.Enrich(context.Background(), path, "go", text, []Span{{1, 10}}); len(meta) != 1 || meta[0][MetaSymbol] == "" {
		t.Errorf("Enrich from a disk reader = %v, want the symbol F", meta)
	}
	if meta := m.Enrich(context.Background(), path, "go", text+"// an older version\n", []Span{{1, 10}}); meta != nil {
		t.Errorf("Enrich of text the file no longer holds = %v, want nothing", meta)
	}

	m2 := New(fakeServer(t, "closed", 10*time.Second), Options{Logger: zerolog.Nop(), Roots: []string{root}, ShutdownTimeout: 200 * time.Millisecond})
	defer func() { _ = m2.Stop(context.Background()) }()
	startServer(t, m2, root)
	if meta := m2.Enrich(context.Background(), path, "go", text, []Span{{1, 10}}); meta != nil {
		t.Errorf("Enrich = %v: a server that does not read the disk got no didOpen", meta)
	}
}

// startServer starts (or restarts) the Go server of root as Enrich does,
// but waits for its start to end however long it takes, instead of the
// start timeout that a short request timeout implies: a loaded machine
// may take longer than that to start the test binary as the server. It
// fails the test when the server does not start.
func startServer(t *testing.T, m *Manager, root string) *process {
	t.Helper()
	s, err := m.server(root, "go", m.found["go"])
	if err != nil {
		t.Fatal(err)
	}
	short := m.timeout
	m.timeout = time.Minute
	defer func() { m.timeout = short }()
	p, err := s.ensure(context.Background())
	if err != nil {
		t.Fatalf("the fake language server did not start: %v (status %+v)", err, m.Status())
	}
	return p
}

// helperPIDEnv names the file where the "helper" fake server writes the
// pid of the helper process it starts.
const helperPIDEnv = "WQM_FAKE_LSP_HELPER_PID"

// A helper process that a server leaves in its process group (gopls
// starts a telemetry crash monitor) is gone when Stop returns.
func TestStopLeavesNoHelperBehind(t *testing.T) {
	root := goWorkspace(t)
	pidFile := filepath.Join(t.TempDir(), "helper.pid")
	t.Setenv(helperPIDEnv, pidFile)
	m := New(fakeServer(t, "helper", time.Second), Options{Logger: zerolog.Nop(), Roots: []string{root}})
	path := filepath.Join(root, "dur.go")
	_ = m.Enrich(context.Background(), path, "go", readFile(t, path), []Span{{1, 10}})
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the fake server started no helper: %v", err)
	}
	helper, err := strconv.Atoi(string(b))
	if err != nil || !alive(helper) {
		t.Fatalf("helper pid %q: %v, alive %v", b, err, alive(helper))
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if alive(helper) {
		t.Errorf("helper %d of the language server still runs after Stop", helper)
	}
}

// TestCrashingServerIsTurnedOff: a server that dies at once is started
// 1 + MaxRestarts times, then enrichment of its language is off.
func TestCrashingServerIsTurnedOff(t *testing.T) {
	root := goWorkspace(t)
	m := New(fakeServer(t, "exit", time.Second), Options{Logger: zerolog.Nop(), Roots: []string{root}, Backoff: time.Millisecond})
	defer func() { _ = m.Stop(context.Background()) }()
	path := filepath.Join(root, "dur.go")
	text := readFile(t, path)
	for range DefaultMaxRestarts + 3 {
		if meta := m.Enrich(context.Background(), path, "go", text, []Span{{1, 10}}); meta != nil {
			t.Fatalf("Enrich = %v from a crashing server", meta)
		}
	}
	st := m.Status()
	if st.Disabled["go"] == "" || st.Restarts != DefaultMaxRestarts || st.Running[0].State != stateDisabled {
		t.Errorf("status = %+v, want go disabled after %d restarts", st, DefaultMaxRestarts)
	}
	if kids := children(t); len(kids) != 0 {
		t.Errorf("child processes left: %v", kids)
	}
}

func TestDetection(t *testing.T) {
	look := func(name string) (string, error) {
		switch name {
		case "pyright-langserver", "clangd", "my-java-server":
			return "/usr/bin/" + name, nil
		}
		return "", exec.ErrNotFound
	}
	m := New(config.LSP{Enabled: true, RequestTimeout: config.Duration(time.Second), Servers: map[string]config.LSPServer{
		"java": {Command: "my-java-server", Args: []string{"--stdio"}},
		"cpp":  {Command: ""}, // turned off
	}}, Options{Logger: zerolog.Nop(), LookPath: look})
	st := m.Status()
	var langs []string
	for _, d := range st.Found {
		langs = append(langs, d.Language+"="+d.Command)
	}
	want := []string{"c=clangd", "java=my-java-server", "python=pyright-langserver"}
	if !slices.Equal(langs, want) {
		t.Errorf("found %v, want %v", langs, want)
	}
	if !slices.Contains(st.Missing, "go") || slices.Contains(st.Missing, "cpp") {
		t.Errorf("missing = %v, want go and not cpp (turned off)", st.Missing)
	}
	off := New(config.LSP{Enabled: false}, Options{Logger: zerolog.Nop(), LookPath: look})
	if st := off.Status(); st.Enabled || len(st.Found) != 0 {
		t.Errorf("disabled manager status = %+v", st)
	}
	if meta := off.Enrich(context.Background(), "/x/a.py", "python", "x = 1\n", []Span{{1, 1}}); meta != nil {
		t.Errorf("disabled manager enriched: %v", meta)
	} // Handles: what the indexer queues for enrichment.
	m.roots = []string{"/x"}
	for _, c := range []struct {
		path, lang string
		want       bool
	}{{"/x/a.py", "python", true}, {"/x/a.c", "c", true}, {"/x/a.cpp", "cpp", false}, {"/x/a.go", "go", false},
		{"/y/a.py", "python", false}, {"/x/a.md", "", false}} {
		if got := m.Handles(c.path, c.lang); got != c.want {
			t.Errorf("Handles(%s, %q) = %v, want %v", c.path, c.lang, got, c.want)
		}
	}
	if off.Handles("/x/a.py", "python") {
		t.Error("disabled manager handles python")
	}
}

func TestParseSymbolInformation(t *testing.T) {
	raw := `[
	 {"name":"Greeter","kind":5,"location":{"uri":"file:///a.py","range":{"start":{"line":0,"character":0},"end":{"line":6,"character":0}}}},
	 {"name":"greet","kind":6,"containerName":"Greeter","location":{"uri":"file:///a.py","range":{"start":{"line":2,"character":4},"end":{"line":5,"character":20}}}},
	 {"name":"main","kind":12,"location":{"uri":"file:///a.py","range":{"start":{"line":8,"character":0},"end":{"line":10,"character":0}}}}
	]`
	syms, err := ParseSymbols([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(syms) != 3 || syms[0].Name != "Greeter" || syms[0].EndLine != 6 || syms[1].Depth != 1 || syms[1].Container != "Greeter" {
		t.Fatalf("syms = %+v", syms)
	}
	meta := Attach(syms, []Span{{4, 5}, {1, 3}, {9, 10}, {7, 7}})
	if got := meta[0][MetaSymbol]; got != "method greet" {
		t.Errorf("enclosing of lines 4-5 = %q, want method greet", got)
	}
	if got := meta[1][MetaSymbol]; got != "class Greeter" || !Defines(meta[1], "greet") {
		t.Errorf("lines 1-3: %v", meta[1])
	}
	if got := meta[2][MetaSymbol]; got != "func main" {
		t.Errorf("lines 9-10 symbol = %q", got)
	}
	if meta[3] != nil {
		t.Errorf("line 7 has no symbol, got %v", meta[3])
	}
	if none, err := ParseSymbols([]byte("null")); err != nil || none != nil {
		t.Errorf("null = %v, %v", none, err)
	}
}
