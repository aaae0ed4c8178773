package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"workspace-qdrant-mcp/engine/peer"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/version"
)

// Roles of a running engine among the servers that share its
// storage.data_dir (see package peer).
const (
	// RoleIndexer holds the indexer lock: it watches the workspace,
	// writes the store and answers the readers.
	RoleIndexer = "indexer"
	// RoleReader forwards every workspace operation to the indexer and
	// takes its place when it goes.
	RoleReader = "reader"
)

// Tunables of the coordination; variables so that tests can shorten them.
var (
	// lockPollEvery is how often a reader tries the indexer lock, and so
	// bounds how long a workspace goes without an indexer.
	lockPollEvery = 500 * time.Millisecond
	// claimRetryEvery is how often a start retries when the lock is held
	// by a server that does not answer yet (it is starting, or dying), and
	// how often a reader's call looks for the next indexer.
	claimRetryEvery = 100 * time.Millisecond
	// retryWithin bounds how long a reader's call waits for the next
	// indexer when the one it called is gone: a takeover takes about
	// lockPollEvery plus a start.
	retryWithin = 5 * time.Second
)

// wireErrors are the sentinels that cross the socket between a reader and
// the indexer, so that errors.Is works on a reader as on the indexer.
var wireErrors = peer.Errors{
	"not_running":        ErrNotRunning,
	"stopping":           ErrStopping,
	"not_found":          storage.ErrNotFound,
	"outside_workspace":  ErrOutsideWorkspace,
	"workspace_coll":     ErrWorkspaceCollection,
	"too_large":          ErrTooLarge,
	"empty_query":        ErrEmptyQuery,
	"dimension_mismatch": storage.ErrDimensionMismatch,
	"reader":             ErrReader,
	"degraded":           ErrDegraded,
	"line_outside":       ErrLineOutside,
}

// IndexerInfo is the indexer as engine_status shows it.
type IndexerInfo struct {
	PID       int       `json:"pid"`
	Since     time.Time `json:"since"`
	Version   string    `json:"version"`
	Socket    string    `json:"socket"`
	Self      bool      `json:"self"`                 // this process is the indexer
	Reachable bool      `json:"reachable"`            // a reader's last call reached it
	Error     string    `json:"last_error,omitempty"` // why the last call did not
	// Note says how the indexer's workspace configuration differs from
	// this server's, when it does.
	Note string `json:"note,omitempty"`
}

// link is a reader's connection to the indexer.
type link struct {
	client  *peer.Client
	timeout time.Duration // bound on one forwarded call (engine.peer_timeout)
	holder  atomic.Pointer[peer.Holder]
	err     atomic.Pointer[string] // the last call's transport failure, nil after a success
	gone    chan struct{}          // closed when this reader takes over: stop waiting
	once    sync.Once
	note    string // how the indexer's configuration differs from ours
}

func newLink(c *peer.Client, h peer.Holder, timeout time.Duration) *link {
	l := &link{client: c, timeout: timeout, gone: make(chan struct{})}
	l.holder.Store(&h)
	return l
}

// abandon ends the waits of calls in flight; the reader's run is about to
// stop.
func (l *link) abandon() { l.once.Do(func() { close(l.gone) }) }

func (l *link) abandoned() bool {
	select {
	case <-l.gone:
		return true
	default:
		return false
	}
}

// errTakingOver ends a reader's call that was not answered, and may be
// made again, when the reader itself is taking over: redo makes it again
// on the run that follows.
var errTakingOver = errors.New("this server is taking over as the indexer")

// redo runs a workspace operation and, when it ended because this server
// is taking over from the indexer (its forwarded call was abandoned, or
// the engine refused it while the takeover restarts it), waits (up to retryWithin) for the
// takeover's start to end and runs it again, now on this server's own
// store. The first attempt has released the engine by then, so the
// takeover is not held up by it.
func redo[T any](ctx context.Context, m *Manager, op func() (T, error)) (T, error) {
	res, err := op()
	refused := errors.Is(err, ErrNotRunning) || errors.Is(err, ErrStopping)
	if !errors.Is(err, errTakingOver) && (!refused || m.takeovers.Load() == 0) {
		return res, err
	}
	deadline := time.Now().Add(retryWithin)
	for {
		if r := m.currentRun(); r != nil && !r.reader() && m.State() == StateRunning {
			return op()
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("%w, and its start has not finished: retry in a moment", errTakingOver)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// call forwards one operation to the indexer and records whether it was
// reachable. When the indexer is gone, starting or stopping, it waits up
// to retryWithin for one that serves (another reader taking over) and
// sends the call again, when that is safe. Errors name the indexer's
// process.
func (l *link) call(ctx context.Context, method peer.Method, in, out any) error {
	return l.send(ctx, method, in, out, retryWithin)
}

// Call is call, for peer.ServiceClient (the link is its peer.Caller).
func (l *link) Call(ctx context.Context, method peer.Method, in, out any) error {
	return l.call(ctx, method, in, out)
}

// try is call without the wait: status and health report what is true
// now.
func (l *link) try(ctx context.Context, method peer.Method, in, out any) error {
	return l.send(ctx, method, in, out, 0)
}

func (l *link) send(ctx context.Context, method peer.Method, in, out any, wait time.Duration) error {
	if l.abandoned() {
		return errTakingOver
	}
	err := l.callOnce(ctx, method, in, out)
	deadline := time.Now().Add(wait)
	for retriable(method, err) && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
		case <-l.gone:
			return errTakingOver // safe to redo: retriable
		case <-time.After(claimRetryEvery):
			err = l.callOnce(ctx, method, in, out)
			continue
		}
		break
	}
	if errors.Is(err, errNoAnswer) {
		msg := fmt.Sprintf("no answer to %s within %s", method.Name, l.timeout)
		l.err.Store(&msg)
		return fmt.Errorf("this server is a reader and the indexer (pid %d) gave %s (engine.peer_timeout): "+
			"it may be hung or overloaded; its own log says which, and a reader takes over once it exits: %w",
			l.holder.Load().PID, msg, err)
	}
	if errors.Is(err, peer.ErrUnreachable) {
		msg := err.Error()
		l.err.Store(&msg)
		return fmt.Errorf("this server is a reader and the indexer (pid %d) did not answer: %w; "+
			"a reader takes over within a few seconds when the indexer is gone: retry then", l.holder.Load().PID, err)
	}
	if err == nil || errors.As(err, new(*peer.RemoteError)) {
		l.err.Store(nil)
	}
	return err
}

// errNoAnswer ends a forwarded call that the indexer received, or may
// have, and did not answer within the link's timeout. It is never sent
// again: a write may have been applied.
var errNoAnswer = errors.New("the indexer did not answer in time")

// callOnce sends one call, bounded by the link's timeout.
func (l *link) callOnce(ctx context.Context, method peer.Method, in, out any) error {
	ctx, cancel := context.WithTimeoutCause(ctx, l.timeout, errNoAnswer)
	defer cancel()
	return l.client.Call(ctx, method.Name, in, out)
}

func retriable(method peer.Method, err error) bool {
	if errors.Is(err, ErrNotRunning) || errors.Is(err, ErrStopping) {
		return true // the indexer refused it: it is starting or leaving
	}
	return errors.Is(err, peer.ErrUnreachable) && (method.Idempotent || errors.Is(err, peer.ErrNotSent))
}

func (l *link) info() *IndexerInfo {
	h := l.holder.Load()
	info := &IndexerInfo{PID: h.PID, Since: h.Since, Version: h.Version, Socket: h.Socket, Reachable: true, Note: l.note}
	if e := l.err.Load(); e != nil {
		info.Reachable, info.Error = false, *e
	}
	return info
}

// mismatch says how the indexer's workspace differs from this server's
// configuration, or "" when it does not.
func mismatch(hi peer.Hello, cfg config.Config) string {
	var diffs []string
	if !slices.Equal(hi.Roots, cfg.Workspace.Roots) {
		diffs = append(diffs, fmt.Sprintf("workspace.roots %v there, %v here", hi.Roots, cfg.Workspace.Roots))
	}
	if hi.Collection != cfg.Workspace.Collection {
		diffs = append(diffs, fmt.Sprintf("workspace.collection %q there, %q here", hi.Collection, cfg.Workspace.Collection))
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprintf("the indexer (pid %d) indexes another workspace configuration (%s): searches here run with its configuration; "+
		"give this server its own storage.data_dir to index its own", hi.PID, strings.Join(diffs, "; "))
}

// claimRole makes the run the indexer when it gets the indexer lock of
// storage.data_dir (or inherits it from a takeover), and a reader of the
// server that holds it otherwise. It retries while the holder does not
// answer yet, until ctx ends.
func (m *Manager) claimRole(ctx context.Context, r *run) error {
	dir := r.cfg.Storage.DataDir
	if m.opts.Solo {
		r.role = RoleIndexer
		r.holder = peer.Holder{PID: os.Getpid(), Since: time.Now().UTC(), Version: version.String(), Protocol: peer.Protocol}
		return nil
	}
	lock := r.inherit.take()
	var lastErr error
	for {
		if lock == nil {
			var err error
			lock, err = peer.TryLock(dir)
			if err != nil && !errors.Is(err, peer.ErrHeld) {
				return fmt.Errorf("indexer lock: %w", err)
			}
		}
		if lock != nil {
			return m.becomeIndexer(r, lock)
		}
		l, err := m.connect(ctx, r.cfg)
		if err == nil {
			if r.reindex {
				l.client.Close()
				return fmt.Errorf("%w: reindex needs the indexer role, and pid %d indexes %s: call engine_restart with reindex: true on that server",
					ErrReader, l.holder.Load().PID, dir)
			}
			r.role, r.link = RoleReader, l
			r.add("indexer link", func(context.Context) error { l.client.Close(); return nil })
			m.log.Info().Int("indexer_pid", l.holder.Load().PID).Str("data_dir", dir).
				Msg("another server indexes this data directory: serving as a reader")
			return nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s is indexed by another server that does not answer (%v): %w", dir, lastErr, startError(ctx))
		case <-time.After(claimRetryEvery):
		}
	}
}

// becomeIndexer serves readers on the data directory's socket and
// publishes this process as the lock's holder. The lock is released last
// at stop, after the store is closed.
func (m *Manager) becomeIndexer(r *run, lock *peer.Lock) error {
	r.role = RoleIndexer
	r.comps = append(r.comps, component{
		name:    "indexer lock",
		stop:    func(context.Context) error { return lock.Release() },
		handOff: func(h *lockHandoff) { h.put(lock) },
	})
	srv, err := peer.Listen(peer.SocketPath(r.cfg.Storage.DataDir), m.peerHandlers(), wireErrors,
		m.opts.Logger.With().Str("component", "peers").Logger())
	if err != nil {
		return fmt.Errorf("serve other servers of %s: %w", r.cfg.Storage.DataDir, err)
	}
	r.add("reader socket", srv.Close)
	h := peer.Holder{PID: os.Getpid(), Socket: srv.Path(), Since: time.Now().UTC(), Version: version.String(), Protocol: peer.Protocol}
	if err := lock.Publish(h); err != nil {
		return err
	}
	r.holder = h
	return nil
}

// connect reaches the server that holds the lock of cfg's data
// directory.
func (m *Manager) connect(ctx context.Context, cfg config.Config) (*link, error) {
	dir := cfg.Storage.DataDir
	h, err := peer.ReadHolder(dir)
	if err != nil {
		return nil, err
	}
	l := newLink(peer.Dial(peer.SocketPath(dir), wireErrors), h, cfg.Engine.PeerTimeout.D())
	var hi peer.Hello
	if err := l.client.Call(ctx, peer.MethodHello.Name, peer.Empty{}, &hi); err != nil {
		l.client.Close()
		return nil, fmt.Errorf("indexer pid %d: %w", h.PID, err)
	}
	if hi.Protocol != peer.Protocol {
		l.client.Close()
		return nil, fmt.Errorf("the indexer (pid %d) runs version %s, which speaks peer protocol %d, and this server speaks %d: "+
			"restart the other sessions' servers so that all run the same version", hi.PID, hi.Version, hi.Protocol, peer.Protocol)
	}
	if hi.PID != h.PID { // the holder file is being replaced: read it again
		l.client.Close()
		return nil, fmt.Errorf("the indexer changed from pid %d to %d", h.PID, hi.PID)
	}
	if l.note = mismatch(hi, cfg); l.note != "" {
		m.log.Warn().Msg(l.note)
	}
	return l, nil
}

// watchIndexer is a reader's background duty: try the indexer lock every
// lockPollEvery, and at once when the watch call held open on the
// indexer's socket ends (the indexer closed it or died); keep the holder
// current; and when the lock is free, hand it to a takeover. It ends with
// ctx or after the handover, having stopped its watch call.
func (m *Manager) watchIndexer(ctx context.Context, r *run) {
	tick := time.NewTicker(lockPollEvery)
	defer tick.Stop()
	dir := r.cfg.Storage.DataDir
	wctx, cancel := context.WithCancel(ctx)
	var watching sync.WaitGroup
	defer func() { cancel(); watching.Wait() }()
	poke := make(chan struct{}, 1)
	watching.Go(func() {
		for wctx.Err() == nil {
			_ = r.link.client.Watch(wctx)
			select {
			case poke <- struct{}{}:
			default:
			}
			select { // no busy loop while nothing listens
			case <-wctx.Done():
			case <-time.After(claimRetryEvery):
			}
		}
	})
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-poke:
		}
		lock, err := peer.TryLock(dir)
		if errors.Is(err, peer.ErrHeld) {
			if h, err := peer.ReadHolder(dir); err == nil && h.PID != r.link.holder.Load().PID {
				m.log.Info().Int("indexer_pid", h.PID).Msg("another server became the indexer")
				r.link.holder.Store(&h)
			}
			continue
		}
		if err != nil {
			m.log.Warn().Err(err).Msg("cannot try the indexer lock")
			continue
		}
		m.takeover(r, lock, fmt.Sprintf("takeover: the indexer (pid %d) is gone", r.link.holder.Load().PID))
		return
	}
}

// takeover restarts a reader's engine as the indexer, with the lock it
// got. It runs on a goroutine of its own (the reader's components, this
// watcher among them, are stopped on the way) and gives the lock back when
// the reader's run has meanwhile been stopped by someone else.
func (m *Manager) takeover(r *run, lock *peer.Lock, reason string) {
	m.takeovers.Add(1)
	r.link.abandon() // calls in flight stop waiting for an indexer: it is us
	m.bg.Go(func() {
		defer m.takeovers.Add(-1)
		_ = m.ops.lock(context.Background()) // never fails
		defer m.ops.unlock()
		m.mu.Lock()
		current, state := m.run, m.state
		m.mu.Unlock()
		if current != r || state != StateRunning {
			_ = lock.Release()
			return
		}
		m.log.Warn().Str("reason", reason).Msg("the indexer lock is free: this server becomes the indexer")
		if _, err := m.stopLocked(context.Background(), StopOptions{Reason: reason, Origin: OriginTakeover}, time.Now(), nil); err != nil {
			m.log.Error().Err(err).Msg("takeover: stop the reader")
		}
		plan := startPlan{reason: reason, origin: OriginTakeover, lock: inherit(lock)}
		if err := m.startLocked(context.Background(), plan); err != nil {
			m.log.Error().Err(err).Msg("takeover: start as the indexer failed")
		}
		plan.lock.release() // the start failed before it claimed the lock
	})
}
