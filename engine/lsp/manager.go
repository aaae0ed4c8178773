// Package lsp runs language servers to enrich code chunks with symbols.
//
// A Manager detects, at startup and without starting anything, which
// language servers are on PATH (gopls, pylsp or pyright-langserver,
// clangd, rust-analyzer, typescript-language-server, or what lsp.servers
// configures). When a file of such a language is indexed, Enrich starts
// the server for the file's workspace root and language if it is not yet
// running (one per root and language), opens the file in it, asks
// textDocument/documentSymbol and closes it again; each chunk is given the
// symbols it defines and its enclosing symbol as metadata (MetaSymbols,
// MetaSymbol).
//
// Servers speak JSON-RPC over their own stdin and stdout, through the
// small client of jsonrpc.go and the few protocol types of protocol.go;
// their stderr goes to the logger. Enrichment never fails a write: a
// server that is missing, slow, hung or crashed means a file indexed
// without symbols.
// Every request is bounded by lsp.request_timeout (a start by twice
// that, a server's first answer, which may wait for it to load the
// workspace, by lsp.warmup_timeout); a server that times out hungLimit
// times in a row is killed. A
// crashed or killed server is restarted, lazily and with backoff, at most
// MaxRestarts times; after that enrichment is off for its language. Stop
// shuts every server down (shutdown, exit, then a kill after a timeout)
// and reaps it. A kill reaches whatever the server started too: its
// process group on Unix, its job object on Windows, and returns once
// none of them runs. Should this process die without stopping a server,
// the OS kills it on Linux (SIGKILL as parent-death signal) and on Windows
// (with everything in its job, when the job's handle closes).
package lsp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/paths"
)

// Defaults of Options.
const (
	DefaultMaxRestarts     = 3
	DefaultBackoff         = 250 * time.Millisecond
	DefaultShutdownTimeout = 500 * time.Millisecond
	// hungLimit is how many requests in a row may time out before a
	// server is taken for hung and killed.
	hungLimit = 3
)

// ErrDisabled is returned for a language whose enrichment is off.
var ErrDisabled = errors.New("enrichment disabled")

// Options carries what a Manager needs besides the configuration.
type Options struct {
	Logger zerolog.Logger
	Roots  []string // workspace roots; a file is served by the server of its root
	// LookPath finds executables; nil uses exec.LookPath.
	LookPath func(string) (string, error)
	// MaxRestarts is how often a failed server is started again before
	// its language is turned off; 0 means DefaultMaxRestarts.
	MaxRestarts int
	// Backoff is the wait before the first restart, doubled for each
	// further one; 0 means DefaultBackoff.
	Backoff time.Duration
	// ShutdownTimeout bounds a polite shutdown before the kill; 0 means
	// DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
}

// Manager owns the language servers of one engine run. See the package
// comment. Its methods may be called from many goroutines.
type Manager struct {
	log     zerolog.Logger
	opts    Options
	enabled bool
	timeout time.Duration
	warmup  time.Duration // bound on a server's first answer, >= timeout
	roots   []string
	found   map[string]Detected
	missing []string

	mu       sync.Mutex
	closed   bool
	servers  map[serverKey]*server
	disabled map[string]string // language → why enrichment is off
}

type serverKey struct{ root, language string }

// New detects the language servers on PATH (LookPath only: nothing is
// started) and returns a Manager. With cfg.Enabled false it detects
// nothing and Enrich does nothing.
func New(cfg config.LSP, opts Options) *Manager {
	if opts.LookPath == nil {
		opts.LookPath = exec.LookPath
	}
	if opts.MaxRestarts == 0 {
		opts.MaxRestarts = DefaultMaxRestarts
	}
	if opts.Backoff == 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	m := &Manager{
		log: opts.Logger.With().Str("component", "lsp").Logger(), opts: opts,
		enabled: cfg.Enabled, timeout: cfg.RequestTimeout.D(),
		servers: map[serverKey]*server{}, disabled: map[string]string{},
	}
	if m.timeout <= 0 {
		m.timeout = 5 * time.Second
	}
	m.warmup = max(m.timeout, cfg.WarmupTimeout.D())
	for _, r := range opts.Roots {
		m.roots = append(m.roots, filepath.Clean(r))
	}
	if !m.enabled {
		m.log.Info().Msg("language servers disabled (lsp.enabled: false)")
		return m
	}
	m.found, m.missing = detect(cfg.Servers, opts.LookPath)
	ev := m.log.Info().Strs("missing", m.missing)
	for _, lang := range slices.Sorted(maps.Keys(m.found)) {
		ev = ev.Str(lang, m.found[lang].Path)
	}
	ev.Msg("language servers detected")
	return m
}

// Enrich returns, per span of a file's chunks, the symbol metadata to add
// (nil entries where there is none). It returns nil, at once or after at
// most the start and request timeouts, whenever the language has no
// server or the server fails: the file is then indexed without symbols.
func (m *Manager) Enrich(ctx context.Context, path, language, text string, spans []Span) []map[string]string {
	if m == nil || !m.enabled || len(spans) == 0 || language == "" {
		return nil
	}
	d, ok := m.found[language]
	if !ok {
		return nil
	}
	root := m.rootOf(path)
	if root == "" {
		return nil
	}
	s, err := m.server(root, language, d)
	if err != nil {
		return nil
	}
	syms, err := s.symbols(ctx, path, text)
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, ErrDisabled) && !errors.Is(err, errClosed) {
			m.log.Debug().Err(err).Str("path", path).Str("language", language).Msg("no symbols; indexed without them")
		}
		return nil
	}
	return Attach(syms, spans)
}

// Handles reports whether Enrich can give symbols for a file of language
// at path: enrichment is on, the language has a server that is not
// turned off, and path lies in a workspace root. The indexer queues only
// such files for enrichment.
func (m *Manager) Handles(path, language string) bool {
	if m == nil || !m.enabled || language == "" {
		return false
	}
	if _, ok := m.found[language]; !ok {
		return false
	}
	return m.rootOf(path) != "" && !m.isDisabled(language)
}

// rootOf is the innermost workspace root containing path, or "".
func (m *Manager) rootOf(path string) string {
	best := ""
	for _, r := range m.roots {
		if _, ok := paths.Within(r, path); !ok {
			continue
		}
		if len(r) > len(best) {
			best = r
		}
	}
	return best
}

var errClosed = errors.New("language server manager stopped")

// errChangedOnDisk is a file that no longer holds the text to enrich once
// a server that reads it from disk has answered: the symbols may be of
// another version, and the new version is enriched when it is indexed.
var errChangedOnDisk = errors.New("file changed on disk while its symbols were asked for")

// holds reports whether the file at path holds text.
func holds(path, text string) bool {
	b, err := os.ReadFile(path)
	return err == nil && string(b) == text
}

// server returns the entry of root and language, creating it.
func (m *Manager) server(root, language string, d Detected) (*server, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	if why, off := m.disabled[language]; off {
		return nil, fmt.Errorf("%w for %s: %s", ErrDisabled, language, why)
	}
	k := serverKey{root, language}
	s := m.servers[k]
	if s == nil {
		s = &server{m: m, root: root, language: language, d: d, sem: make(chan struct{}, 1), state: stateIdle,
			log: m.log.With().Str("language", language).Str("root", root).Logger()}
		m.servers[k] = s
	}
	return s, nil
}

func (m *Manager) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// disable turns a language's enrichment off for the rest of the run.
func (m *Manager) disable(language, why string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, off := m.disabled[language]; !off {
		m.disabled[language] = why
		m.log.Error().Str("language", language).Str("reason", why).
			Msg("language server failed too often; symbol enrichment is off for this language until the engine restarts")
	}
}

func (m *Manager) isDisabled(language string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, off := m.disabled[language]
	return off
}

// Stop shuts every server down politely, kills those that do not exit in
// time (or when ctx ends), reaps them all and refuses later work.
func (m *Manager) Stop(ctx context.Context) error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	m.closed = true
	servers := slices.Collect(maps.Values(m.servers))
	m.mu.Unlock()

	timeout := m.opts.ShutdownTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl)/2)
	}
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Go(func() {
			// Wait for a start in progress, so that what it started is
			// stopped here; a start that sees the manager closed stops
			// its own process.
			select {
			case s.sem <- struct{}{}:
				defer func() { <-s.sem }()
			case <-ctx.Done():
			}
			s.mu.Lock()
			p := s.proc
			s.proc = nil
			if s.state != stateDisabled {
				s.state = stateStopped
			}
			s.mu.Unlock()
			if p == nil {
				return
			}
			done := make(chan struct{})
			go func() { defer close(done); p.shutdown(timeout) }()
			select {
			case <-done:
			case <-ctx.Done():
				p.kill()
				<-done
			}
			s.log.Debug().Int("pid", p.pid).Msg("language server stopped")
		})
	}
	wg.Wait()
	return nil
}

// PIDs lists the process ids of the servers running now.
func (m *Manager) PIDs() []int {
	if m == nil {
		return nil
	}
	var pids []int
	for _, s := range m.serverList() {
		s.mu.Lock()
		if s.proc != nil && s.proc.alive() {
			pids = append(pids, s.proc.pid)
		}
		s.mu.Unlock()
	}
	return pids
}

func (m *Manager) serverList() []*server {
	m.mu.Lock()
	defer m.mu.Unlock()
	list := slices.Collect(maps.Values(m.servers))
	slices.SortFunc(list, func(a, b *server) int {
		if c := strings.Compare(a.root, b.root); c != 0 {
			return c
		}
		return strings.Compare(a.language, b.language)
	})
	return list
}

// Status is engine_status.lsp.
type Status struct {
	Enabled bool `json:"enabled"`
	// Found lists the servers detected at startup; Missing the languages
	// with a known server that was not found.
	Found   []Detected `json:"found"`
	Missing []string   `json:"missing,omitempty"`
	// Running lists every server started in this run, per root and
	// language, with its state.
	Running []ServerStatus `json:"running"`
	// Restarts counts restarts of crashed, failed or hung servers.
	Restarts int `json:"restarts"`
	// Disabled maps a language whose enrichment is off to the reason.
	Disabled map[string]string `json:"disabled,omitempty"`
}

// ServerStatus is one server as Status shows it.
type ServerStatus struct {
	Root      string `json:"root"`
	Language  string `json:"language"`
	Command   string `json:"command"`
	State     string `json:"state"` // starting, running, exited, disabled or stopped
	PID       int    `json:"pid,omitempty"`
	Restarts  int    `json:"restarts"`
	Failures  int    `json:"failures"`
	Requests  int    `json:"requests"`
	Timeouts  int    `json:"timeouts"`
	LastError string `json:"last_error,omitempty"`
}

// Status describes detection and the servers of this run.
func (m *Manager) Status() Status {
	if m == nil {
		return Status{}
	}
	st := Status{Enabled: m.enabled, Found: []Detected{}, Running: []ServerStatus{}, Missing: slices.Clone(m.missing)}
	for _, lang := range slices.Sorted(maps.Keys(m.found)) {
		st.Found = append(st.Found, m.found[lang])
	}
	for _, s := range m.serverList() {
		ss := s.status()
		st.Restarts += ss.Restarts
		st.Running = append(st.Running, ss)
	}
	m.mu.Lock()
	if len(m.disabled) > 0 {
		st.Disabled = maps.Clone(m.disabled)
	}
	m.mu.Unlock()
	return st
}

// Server states.
const (
	stateIdle     = "idle"
	stateStarting = "starting"
	stateRunning  = "running"
	stateExited   = "exited"
	stateDisabled = "disabled"
	stateStopped  = "stopped"
)

// server is the language server of one root and language, across its
// restarts.
type server struct {
	m        *Manager
	root     string
	language string
	d        Detected
	log      zerolog.Logger
	sem      chan struct{} // one start at a time

	mu          sync.Mutex
	proc        *process
	state       string
	started     bool // started at least once
	restarts    int
	failures    int
	lastFailure time.Time
	hung        int // requests timed out in a row
	requests    int
	timeouts    int
	lastErr     string
}

func (s *server) status() ServerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := ServerStatus{
		Root: s.root, Language: s.language, Command: s.d.Command, State: s.state,
		Restarts: s.restarts, Failures: s.failures, Requests: s.requests, Timeouts: s.timeouts, LastError: s.lastErr,
	}
	if s.proc != nil && s.proc.alive() {
		ss.PID = s.proc.pid
	}
	return ss
}

// symbols asks the server for a file's symbols, starting it first when
// needed. The request is bounded by the request timeout.
func (s *server) symbols(ctx context.Context, path, text string) ([]Symbol, error) {
	p, err := s.ensure(ctx)
	if err != nil {
		return nil, err
	}
	timeout := s.m.timeout
	if !p.answered.Load() { // the first answer may wait for the workspace to load
		timeout = s.m.warmup
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	syms, err := p.documentSymbols(rctx, path, languageID(s.language, path), text, !s.d.ReadsDisk)
	if err == nil {
		p.answered.Store(true)
	}
	s.mu.Lock()
	s.requests++
	timedOut := err != nil && rctx.Err() != nil && ctx.Err() == nil
	if timedOut {
		s.timeouts++
		s.hung++
		s.lastErr = fmt.Sprintf("documentSymbol timed out after %s", timeout)
	} else if err == nil {
		s.hung = 0
	}
	hung := s.hung >= hungLimit && s.proc == p
	if hung {
		s.proc = nil
		s.hung = 0
		s.state = stateExited
	}
	s.mu.Unlock()
	if hung {
		s.log.Warn().Int("pid", p.pid).Int("timeouts", hungLimit).Msg("language server hung; killing it")
		if p.claimed.CompareAndSwap(false, true) {
			s.fail(fmt.Sprintf("hung: %d requests in a row timed out", hungLimit))
		}
		p.kill()
	}
	if timedOut {
		return nil, fmt.Errorf("%s: %w", s.lastErrLocked(), context.DeadlineExceeded)
	}
	if err == nil && s.d.ReadsDisk && !holds(path, text) {
		return nil, fmt.Errorf("documentSymbol of %s: %w", path, errChangedOnDisk)
	}
	return syms, err
}

func (s *server) lastErrLocked() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// fail records a crash, a failed start or a hang; past MaxRestarts the
// language is turned off.
func (s *server) fail(why string) {
	s.mu.Lock()
	s.failures++
	s.lastFailure = time.Now()
	s.lastErr = why
	off := s.failures > s.m.opts.MaxRestarts
	if off {
		s.state = stateDisabled
	}
	s.mu.Unlock()
	if off {
		s.m.disable(s.language, fmt.Sprintf("%s failed %d times; last: %s", s.d.Command, s.failures, why))
	}
}

// onExit is told when a server process has been reaped.
func (s *server) onExit(p *process) {
	if p.expected.Load() || !p.claimed.CompareAndSwap(false, true) {
		return
	}
	s.mu.Lock()
	if s.proc == p {
		s.proc = nil
		s.state = stateExited
	}
	s.mu.Unlock()
	err := p.exitError()
	s.log.Warn().Int("pid", p.pid).Err(err).Msg("language server exited unexpectedly; it restarts when next needed")
	s.fail("exited: " + err.Error())
}

// ensure returns the running process, starting (or, after a failure,
// restarting with backoff) it when there is none.
func (s *server) ensure(ctx context.Context) (*process, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.sem }()

	s.mu.Lock()
	prev := s.proc
	if prev != nil && prev.alive() {
		s.mu.Unlock()
		return prev, nil
	}
	s.mu.Unlock()
	if prev != nil {
		// It has exited: let its reaper count the crash before deciding on
		// a restart.
		<-prev.reported
	}
	s.mu.Lock()
	restart := s.started
	var wait time.Duration
	if s.failures > 0 {
		wait = time.Until(s.lastFailure.Add(s.m.opts.Backoff << min(s.failures-1, 10)))
	}
	s.mu.Unlock()
	if s.m.isDisabled(s.language) {
		return nil, ErrDisabled
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	if s.m.isClosed() {
		return nil, errClosed
	}

	s.mu.Lock()
	s.state = stateStarting
	s.mu.Unlock()
	begin := time.Now()
	p, err := spawn(s.d, s.root, s.m.timeout, s.log, s.onExit)
	if err != nil {
		s.fail("start: " + err.Error())
		s.setStateUnlessDisabled(stateExited)
		return nil, err
	}
	s.mu.Lock()
	s.started = true
	if restart {
		s.restarts++
	}
	n := s.restarts
	s.mu.Unlock()
	sctx, cancel := context.WithTimeout(ctx, 2*s.m.timeout)
	err = p.initialize(sctx, s.root)
	cancel()
	if err != nil {
		if ctx.Err() == nil && p.claimed.CompareAndSwap(false, true) {
			if sctx.Err() != nil {
				err = fmt.Errorf("initialize timed out after %s", 2*s.m.timeout)
			}
			s.log.Warn().Err(err).Msg("language server failed to start")
			s.fail(err.Error())
		}
		p.kill()
		<-p.reported // a crash the reaper claimed first is counted before the next start
		s.setStateUnlessDisabled(stateExited)
		return nil, err
	}

	s.mu.Lock()
	if s.m.isClosed() { // Stop began meanwhile and will not see this process
		s.mu.Unlock()
		p.shutdown(s.m.opts.ShutdownTimeout)
		return nil, errClosed
	}
	s.proc, s.state, s.hung = p, stateRunning, 0
	s.mu.Unlock()
	ev := s.log.Info()
	if restart {
		ev = s.log.Warn().Int("restart", n)
	}
	ev.Int("pid", p.pid).Dur("took", time.Since(begin)).Msg("language server started")
	return p, nil
}

func (s *server) setStateUnlessDisabled(state string) {
	s.mu.Lock()
	if s.state != stateDisabled {
		s.state = state
	}
	s.mu.Unlock()
}
