package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// process is one running language server: its child process and the
// JSON-RPC connection over the child's stdin and stdout (never ours).
type process struct {
	cmd   *exec.Cmd
	conn  *conn
	pid   int
	group *group // the server and whatever it starts: a process group or a job object
	log   zerolog.Logger

	// expected is set before a deliberate shutdown or kill, so that the
	// exit is not taken for a crash.
	expected atomic.Bool
	// claimed is set by whoever counts this process's failure, so that
	// it is counted once.
	claimed atomic.Bool
	exited  chan struct{} // closed once Wait has reaped the child
	// reported is closed once the exit callback has returned, so that a
	// caller can be sure a crash has been counted before it decides.
	reported chan struct{}
	waitErr  error // valid after exited is closed
	// gone is cancelled when the child has exited, ending calls that
	// would otherwise wait for an answer that never comes.
	gone       context.Context
	cancelGone context.CancelFunc
	// answered is set once the server has answered a documentSymbol
	// request: until then a request may wait for the workspace to load.
	answered atomic.Bool
}

// pipes is the connection's side of the child's stdio. Every write has a
// deadline, so that a server that stops reading cannot block a caller
// for ever.
type pipes struct {
	r, w    *os.File
	timeout time.Duration
	once    sync.Once
}

func (p *pipes) Read(b []byte) (int, error) { return p.r.Read(b) }

func (p *pipes) Write(b []byte) (int, error) {
	_ = p.w.SetWriteDeadline(time.Now().Add(p.timeout))
	return p.w.Write(b)
}

func (p *pipes) Close() error {
	p.once.Do(func() {
		_ = p.w.Close()
		_ = p.r.Close()
	})
	return nil
}

// stderrLog passes a server's stderr to our logger, line by line.
type stderrLog struct {
	log zerolog.Logger
	mu  sync.Mutex
	buf []byte
}

func (s *stderrLog) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf, b...)
	for {
		i := bytes.IndexByte(s.buf, '\n')
		if i < 0 {
			break
		}
		if line := bytes.TrimSpace(s.buf[:i]); len(line) > 0 {
			s.log.Debug().Str("stderr", string(line)).Msg("language server")
		}
		s.buf = s.buf[i+1:]
	}
	if len(s.buf) > 4096 { // a very long line without end: log what we have
		s.log.Debug().Str("stderr", string(s.buf)).Msg("language server")
		s.buf = nil
	}
	return len(b), nil
}

// spawn starts a server process in root and connects to it. onExit is
// called, on the goroutine that reaped the child, once it has exited.
func spawn(d Detected, root string, writeTimeout time.Duration, log zerolog.Logger, onExit func(*process)) (*process, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		_ = inR.Close()
		_ = inW.Close()
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		for _, f := range []*os.File{inR, inW, outR, outW} {
			_ = f.Close()
		}
		return nil, err
	}
	cmd := exec.Command(d.Path, d.Args...)
	cmd.Dir = root
	// Our own pipes, so that Wait never waits for a helper the server
	// started that keeps one open (gopls's crash monitor holds stderr).
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{inR, inW, outR, outW, errR, errW} {
			_ = f.Close()
		}
		return nil, err
	}
	grp, err := newGroup(cmd.Process)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		for _, f := range []*os.File{inR, inW, outR, outW, errR, errW} {
			_ = f.Close()
		}
		return nil, fmt.Errorf("language server %s: %w", d.Path, err)
	}
	for _, f := range []*os.File{inR, outW, errW} { // the child's ends
		_ = f.Close()
	}
	p := &process{cmd: cmd, pid: cmd.Process.Pid, group: grp, log: log, exited: make(chan struct{}), reported: make(chan struct{})}
	p.gone, p.cancelGone = context.WithCancel(context.Background())
	p.conn = newConn(&pipes{r: outR, w: inW, timeout: writeTimeout}, clientHandler(root))
	stderrDone := make(chan struct{})
	go func() {
		defer close(stderrDone)
		_, _ = io.Copy(&stderrLog{log: log}, errR)
	}()
	go func() {
		p.waitErr = cmd.Wait() // always reap: no zombies
		p.cancelGone()
		// Whatever the server left behind in its group goes too, before
		// the stop that waits for exited returns.
		p.group.kill(nil)
		p.group.waitGone()
		p.group.close()
		_ = p.conn.Close()
		<-p.conn.Done()
		t := time.NewTimer(time.Second)
		select {
		case <-stderrDone:
		case <-t.C: // a helper outside the group still holds stderr
			_ = errR.Close()
			<-stderrDone
		}
		t.Stop()
		_ = errR.Close()
		close(p.exited)
		if onExit != nil {
			onExit(p)
		}
		close(p.reported)
	}()
	return p, nil
}

// clientHandler answers the requests a server sends its client. None
// matters to symbol extraction, but each must be answered.
func clientHandler(root string) handlerFunc {
	return func(req incoming, reply replyFunc) {
		switch req.Method {
		case methodConfiguration:
			var params configurationParams
			_ = json.Unmarshal(req.Params, &params)
			_ = reply(make([]any, len(params.Items)), nil)
		case methodWorkspaceFolders:
			_ = reply([]workspaceFolder{folder(root)}, nil)
		case methodProgressCreate, methodRegisterCap, methodUnregisterCap, methodShowMessageRequest:
			_ = reply(nil, nil)
		default:
			_ = reply(nil, methodNotFound(req.Method)) // notifications are not answered
		}
	}
}

func folder(root string) workspaceFolder {
	return workspaceFolder{URI: fileURI(root), Name: root}
}

// call is a request that also ends when the server exits.
func (p *process) call(ctx context.Context, method string, params, result any) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(p.gone, cancel)
	defer stop()
	err := p.conn.Call(ctx, method, params, result)
	if err != nil && p.gone.Err() != nil {
		<-p.exited
		return fmt.Errorf("server exited: %w", p.exitError())
	}
	return err
}

// initialize runs the handshake: initialize, then initialized.
func (p *process) initialize(ctx context.Context, root string) error {
	params := initializeParams{
		ProcessID:  int32(os.Getpid()),
		ClientInfo: &clientInfo{Name: "workspace-qdrant-mcp"},
		RootURI:    fileURI(root),
		RootPath:   root,
		Capabilities: clientCapabilities{
			TextDocument: &textDocumentClientCapabilities{
				Synchronization: &struct{}{},
				DocumentSymbol:  &documentSymbolClientCapability{HierarchicalDocumentSymbolSupport: true},
			},
		},
		WorkspaceFolders: []workspaceFolder{folder(root)},
	}
	if err := p.call(ctx, methodInitialize, params, nil); err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	if err := p.conn.Notify(methodInitialized, struct{}{}); err != nil {
		return fmt.Errorf("initialized: %w", err)
	}
	return nil
}

// documentSymbols asks for a file's symbols; with open it opens the
// file with text first and closes it after, without it the server reads
// the file from disk.
func (p *process) documentSymbols(ctx context.Context, path, langID, text string, open bool) ([]Symbol, error) {
	u := fileURI(path)
	if open {
		item := didOpenParams{TextDocument: textDocumentItem{URI: u, LanguageID: langID, Version: 1, Text: text}}
		if err := p.conn.Notify(methodDidOpen, item); err != nil {
			return nil, fmt.Errorf("didOpen: %w", err)
		}
		defer func() {
			_ = p.conn.Notify(methodDidClose, didCloseParams{TextDocument: textDocumentIdentifier{URI: u}})
		}()
	}
	var raw json.RawMessage
	params := documentSymbolParams{TextDocument: textDocumentIdentifier{URI: u}}
	if err := p.call(ctx, methodDocumentSymbol, params, &raw); err != nil {
		return nil, fmt.Errorf("documentSymbol: %w", err)
	}
	return ParseSymbols(raw)
}

// alive reports whether the child has not exited.
func (p *process) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// shutdown stops the server politely and kills it when it has not
// exited within timeout: shutdown is given 3/5 of the time to answer,
// exit follows whether it did or not (a server that is still busy, like
// gopls loading a workspace, then exits at once), and the rest of the
// time is the wait for the process. It returns once the child is reaped,
// or after a further grace when even the kill does not end it.
func (p *process) shutdown(timeout time.Duration) {
	p.expected.Store(true)
	if p.alive() {
		deadline := time.Now().Add(timeout)
		ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(timeout*3/5))
		_ = p.call(ctx, methodShutdown, nil, nil)
		cancel()
		ctx, cancel = context.WithDeadline(context.Background(), deadline)
		_ = p.conn.Notify(methodExit, nil)
		select {
		case <-p.exited:
		case <-ctx.Done():
		}
		cancel()
	}
	p.kill()
}

// kill ends the server and whatever it started, and waits for it to be
// reaped.
func (p *process) kill() {
	p.expected.Store(true)
	if p.alive() {
		p.group.kill(p.cmd.Process)
	}
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
		p.log.Error().Int("pid", p.pid).Msg("language server did not exit after being killed")
	}
}

// exitError describes how the child ended.
func (p *process) exitError() error {
	if p.waitErr == nil {
		return errors.New("exited with status 0")
	}
	return p.waitErr
}
