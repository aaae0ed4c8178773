// Package faults injects failures into real engine components, for tests
// of health monitoring and connection recovery.
//
// A Switch is a dependency's health, switched by the test: up, failing
// (every call returns an error at once) or hanging (every call blocks
// until its context ends, as an unreachable server does); Lose makes the
// stores opened so far lose their connection for good. Store and
// Embedder wrap real components behind a Switch; OpenStore and NewEmbedder
// plug them into engine.Options, so that the engine opens its real store
// and embedder through the switch (opening also fails while it is not up).
// A wrapper has the optional capabilities (storage.Capabilities,
// embed.Capabilities) of what it wraps, and no others, so that the engine
// takes the same paths as in production; those that call out go through
// the switch too:
//
//	var sw faults.Switch
//	opts := engine.Options{OpenStore: faults.OpenStore(&sw, realOpen)}
//	sw.Fail() // storage is down
//	sw.Up()   // and back
package faults

import (
	"context"
	"fmt"
	"sync"
	"syscall"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
)

// ErrInjected is the failure of a failing switch. It wraps
// syscall.ECONNREFUSED, so that the engine takes it for a dependency that
// does not answer, as it would a real refused connection.
var ErrInjected error = injected{}

type injected struct{}

func (injected) Error() string        { return "connection refused (injected fault)" }
func (injected) Is(target error) bool { return target == syscall.ECONNREFUSED }

type mode int

const (
	up mode = iota
	failing
	hanging
)

// Switch is one dependency's injected health; the zero value is up. Safe
// for concurrent use.
type Switch struct {
	mu    sync.Mutex
	mode  mode
	calls int
	epoch int // Lose's count: stores opened before the last Lose are lost
}

// Up makes every call go through to the real component.
func (s *Switch) Up() { s.set(up) }

// Fail makes every call fail at once with ErrInjected.
func (s *Switch) Fail() { s.set(failing) }

// Lose makes the stores opened through the switch so far lose their
// connection for good: every call on them fails with
// storage.ErrConnectionLost, whatever the switch's mode, as a store
// whose connection was shut down does. A store opened afterwards (an
// engine restart) works while the switch is up.
func (s *Switch) Lose() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
}

// Hang makes every call block until its context ends.
func (s *Switch) Hang() { s.set(hanging) }

func (s *Switch) set(m mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = m
}

// Calls counts the calls that went through the switch, whatever its mode.
func (s *Switch) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// check returns the injected fault of one call, nil when up.
func (s *Switch) check(ctx context.Context) error {
	s.mu.Lock()
	s.calls++
	m := s.mode
	s.mu.Unlock()
	switch m {
	case failing:
		return ErrInjected
	case hanging:
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// Store is a storage.Store behind a Switch. Close always goes through.
type Store struct {
	storage.Store
	sw    *Switch
	epoch int // the switch's epoch when the store was opened
}

// NewStore wraps st behind sw. The wrapper is a *Store, with st's
// capabilities (storage.Capabilities) added when st has them.
func NewStore(st storage.Store, sw *Switch) storage.Store {
	sw.mu.Lock()
	s := &Store{Store: st, sw: sw, epoch: sw.epoch}
	sw.mu.Unlock()
	_, batch := st.(storage.BatchReplacer)
	_, created := st.(storage.CreationReporter)
	_, heads := st.(storage.HeadLister)
	b, c, h := batchReplacer{s}, creationReporter{s}, headLister{s}
	switch {
	case batch && created && heads:
		return struct {
			*Store
			batchReplacer
			creationReporter
			headLister
		}{s, b, c, h}
	case batch && created:
		return struct {
			*Store
			batchReplacer
			creationReporter
		}{s, b, c}
	case batch && heads:
		return struct {
			*Store
			batchReplacer
			headLister
		}{s, b, h}
	case created && heads:
		return struct {
			*Store
			creationReporter
			headLister
		}{s, c, h}
	case batch:
		return struct {
			*Store
			batchReplacer
		}{s, b}
	case created:
		return struct {
			*Store
			creationReporter
		}{s, c}
	case heads:
		return struct {
			*Store
			headLister
		}{s, h}
	}
	return s
}

// batchReplacer forwards storage.BatchReplacer through the switch.
type batchReplacer struct{ s *Store }

func (b batchReplacer) ReplaceDocuments(ctx context.Context, reps []storage.Replacement) error {
	if err := b.s.check(ctx); err != nil {
		return err
	}
	return b.s.Store.(storage.BatchReplacer).ReplaceDocuments(ctx, reps)
}

// creationReporter forwards storage.CreationReporter, a fact the store
// keeps: it always goes through.
type creationReporter struct{ s *Store }

func (c creationReporter) Created(name string) bool {
	return c.s.Store.(storage.CreationReporter).Created(name)
}

// headLister forwards storage.HeadLister through the switch.
type headLister struct{ s *Store }

func (h headLister) DocumentHeads(ctx context.Context, q storage.HeadsQuery) (storage.HeadsPage, error) {
	if err := h.s.check(ctx); err != nil {
		return storage.HeadsPage{}, err
	}
	return h.s.Store.(storage.HeadLister).DocumentHeads(ctx, q)
}

// check returns the injected fault of one call on the store: its lost
// connection, or the switch's fault.
func (s *Store) check(ctx context.Context) error {
	s.sw.mu.Lock()
	lost := s.epoch < s.sw.epoch
	s.sw.mu.Unlock()
	if lost {
		return fmt.Errorf("injected fault: %w", storage.ErrConnectionLost)
	}
	return s.sw.check(ctx)
}

// OpenStore returns an engine.Options.OpenStore that opens the store with
// open and wraps it behind sw; opening fails while sw is not up.
func OpenStore(sw *Switch, open func(context.Context, config.Config) (storage.Store, error)) func(context.Context, config.Config) (storage.Store, error) {
	return func(ctx context.Context, cfg config.Config) (storage.Store, error) {
		if err := sw.check(ctx); err != nil {
			return nil, err
		}
		st, err := open(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return NewStore(st, sw), nil
	}
}

func (s *Store) Ping(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.Store.Ping(ctx)
}

func (s *Store) EnsureCollection(ctx context.Context, name string, dims int) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.Store.EnsureCollection(ctx, name, dims)
}

func (s *Store) ReplaceDocument(ctx context.Context, doc storage.Document, chunks []storage.Chunk) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.Store.ReplaceDocument(ctx, doc, chunks)
}

func (s *Store) DropCollection(ctx context.Context, name string) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	return s.Store.DropCollection(ctx, name)
}

func (s *Store) DeleteDocument(ctx context.Context, id string) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	return s.Store.DeleteDocument(ctx, id)
}

func (s *Store) GetDocument(ctx context.Context, id string) (storage.Document, error) {
	if err := s.check(ctx); err != nil {
		return storage.Document{}, err
	}
	return s.Store.GetDocument(ctx, id)
}

func (s *Store) Documents(ctx context.Context, collection string) ([]storage.Document, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	return s.Store.Documents(ctx, collection)
}

func (s *Store) VectorsByHash(ctx context.Context, hashes []string) (map[string][]float32, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	return s.Store.VectorsByHash(ctx, hashes)
}

func (s *Store) Search(ctx context.Context, q storage.Query) ([]storage.Hit, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	hits, err := s.Store.Search(ctx, q)
	storage.WrapTexts(hits, func(next storage.TextReader) storage.TextReader { return texts{s, next} })
	return hits, err
}

// texts reads a search's texts behind the store's switch, as every other
// read of the store is.
type texts struct {
	s    *Store
	next storage.TextReader
}

func (t texts) ChunkTexts(ctx context.Context, ids []string) (map[string]string, error) {
	if err := t.s.check(ctx); err != nil {
		return nil, err
	}
	return t.next.ChunkTexts(ctx, ids)
}

func (s *Store) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	return s.Store.Collections(ctx)
}

func (s *Store) Stats(ctx context.Context) (storage.Stats, error) {
	if err := s.check(ctx); err != nil {
		return storage.Stats{}, err
	}
	return s.Store.Stats(ctx)
}

// Embedder is an embed.Embedder behind a Switch. Info always answers.
type Embedder struct {
	embed.Embedder
	sw *Switch
}

// NewEmbedder returns an engine.Options.NewEmbedder that creates the
// embedder with create and wraps it behind sw; creating it fails while sw
// is not up.
func NewEmbedder(sw *Switch, create func(context.Context, config.Config) (embed.Embedder, error)) func(context.Context, config.Config) (embed.Embedder, error) {
	return func(ctx context.Context, cfg config.Config) (embed.Embedder, error) {
		if err := sw.check(ctx); err != nil {
			return nil, err
		}
		e, err := create(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return WrapEmbedder(e, sw), nil
	}
}

// WrapEmbedder wraps e behind sw. The wrapper is an *Embedder, with e's
// capabilities (embed.Capabilities) added when e has them.
func WrapEmbedder(e embed.Embedder, sw *Switch) embed.Embedder {
	w := &Embedder{Embedder: e, sw: sw}
	_, st := e.(embed.StatsReporter)
	_, pr := e.(embed.Prober)
	_, ic := e.(embed.IdleCloser)
	s, p, c := statsReporter{w}, prober{w}, idleCloser{w}
	switch {
	case st && pr && ic:
		return struct {
			*Embedder
			statsReporter
			prober
			idleCloser
		}{w, s, p, c}
	case st && pr:
		return struct {
			*Embedder
			statsReporter
			prober
		}{w, s, p}
	case st && ic:
		return struct {
			*Embedder
			statsReporter
			idleCloser
		}{w, s, c}
	case pr && ic:
		return struct {
			*Embedder
			prober
			idleCloser
		}{w, p, c}
	case st:
		return struct {
			*Embedder
			statsReporter
		}{w, s}
	case pr:
		return struct {
			*Embedder
			prober
		}{w, p}
	case ic:
		return struct {
			*Embedder
			idleCloser
		}{w, c}
	}
	return w
}

// statsReporter forwards embed.StatsReporter: counts the embedder keeps,
// so it always goes through.
type statsReporter struct{ e *Embedder }

func (s statsReporter) Stats() embed.Stats { return s.e.Embedder.(embed.StatsReporter).Stats() }

// prober forwards embed.Prober through the switch.
type prober struct{ e *Embedder }

func (p prober) Probe(ctx context.Context, text string) error {
	if err := p.e.sw.check(ctx); err != nil {
		return err
	}
	return p.e.Embedder.(embed.Prober).Probe(ctx, text)
}

// idleCloser forwards embed.IdleCloser: local, it always goes through.
type idleCloser struct{ e *Embedder }

func (c idleCloser) CloseIdleConnections() { c.e.Embedder.(embed.IdleCloser).CloseIdleConnections() }

func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if err := e.sw.check(ctx); err != nil {
		return nil, err
	}
	return e.Embedder.Embed(ctx, texts)
}
