package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/storage"
)

// memStore is an in-memory storage.Store for lifecycle tests: keyword
// search by substring, failures injected by field.
type memStore struct {
	mu       sync.Mutex
	docs     map[string][]storage.Chunk
	closed   bool
	pingErr  error
	pingHang bool          // Ping blocks until its context ends, or until release when ignore
	ignore   bool          // Ping ignores its context
	release  chan struct{} // closed to let an ignoring Ping return
	blind    bool          // Search finds nothing
	events   *eventLog
}

func newMemStore(events *eventLog) *memStore {
	return &memStore{docs: map[string][]storage.Chunk{}, events: events, release: make(chan struct{})}
}

func (s *memStore) Ping(ctx context.Context) error {
	if s.pingHang {
		if s.ignore {
			<-s.release
			return errInjected
		}
		<-ctx.Done()
		return ctx.Err()
	}
	return s.pingErr
}
func (s *memStore) EnsureCollection(context.Context, string, int) error { return nil }
func (s *memStore) ReplaceDocument(_ context.Context, doc storage.Document, chunks []storage.Chunk) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return storage.ErrClosed
	}
	s.docs[doc.ID] = chunks
	return nil
}
func (s *memStore) DropCollection(_ context.Context, name string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, cs := range s.docs {
		if len(cs) > 0 && cs[0].Collection == name {
			delete(s.docs, id)
			n++
		}
	}
	s.events.add("drop " + name)
	return n, nil
}
func (s *memStore) DeleteDocument(_ context.Context, id string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.docs[id]
	if !ok {
		return 0, storage.ErrNotFound
	}
	delete(s.docs, id)
	return len(n), nil
}
func (s *memStore) GetDocument(_ context.Context, id string) (storage.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.docs[id]
	if !ok {
		return storage.Document{}, storage.ErrNotFound
	}
	return storage.Document{ID: id, Chunks: c}, nil
}
func (s *memStore) Documents(_ context.Context, collection string) ([]storage.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	docs := []storage.Document{}
	for id, cs := range s.docs {
		if len(cs) > 0 && cs[0].Collection == collection {
			docs = append(docs, storage.Document{ID: id, Collection: collection, Kind: cs[0].Kind, Title: cs[0].Title, Chunks: cs})
		}
	}
	slices.SortFunc(docs, func(a, b storage.Document) int { return strings.Compare(a.ID, b.ID) })
	return docs, nil
}
func (s *memStore) VectorsByHash(context.Context, []string) (map[string][]float32, error) {
	return nil, nil
}
func (s *memStore) Search(_ context.Context, q storage.Query) ([]storage.Hit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blind {
		return nil, nil
	}
	var hits []storage.Hit
	for _, cs := range s.docs {
		for _, c := range cs {
			if strings.Contains(c.Text, q.Text) {
				hits = append(hits, storage.Hit{Chunk: c, Score: 1})
			}
		}
	}
	return hits, nil
}
func (s *memStore) Collections(context.Context) ([]storage.CollectionInfo, error) { return nil, nil }
func (s *memStore) Stats(context.Context) (storage.Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return storage.Stats{Documents: len(s.docs)}, nil
}
func (s *memStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.events.add("close storage")
	return nil
}

// fakeEmbedder returns a constant unit vector, or fails.
type fakeEmbedder struct{ err error }

func (fakeEmbedder) Info() embed.Info {
	return embed.Info{Provider: "fake", Model: "const", Dimensions: 4}
}
func (e fakeEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	if e.err != nil {
		return nil, e.err
	}
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = []float32{1, 0, 0, 0}
	}
	return out, nil
}

// fakeIndexer records its lifecycle and can fail to start.
type fakeIndexer struct {
	startErr error
	stopErr  error         // Stop fails with it
	stopHang chan struct{} // Stop ignores its context until this is closed
	events   *eventLog
	paused   bool
	forgot   []string     // paths given to Forget
	stats    ingest.Stats // what Stats returns
}

func (f *fakeIndexer) Start(context.Context) error {
	f.events.add("start watcher")
	return f.startErr
}
func (f *fakeIndexer) Pause() { f.paused = true }
func (f *fakeIndexer) Stop(context.Context) error {
	f.events.add("stop watcher")
	if f.stopHang != nil {
		<-f.stopHang
	}
	return f.stopErr
}
func (f *fakeIndexer) Check() error        { return nil }
func (f *fakeIndexer) Stats() ingest.Stats { return f.stats }
func (f *fakeIndexer) Forget(_ context.Context, path string) error {
	f.events.add("forget " + path)
	f.forgot = append(f.forgot, path)
	return nil
}

var errInjected = errors.New("injected failure")

// eventLog records component events in order; safe for concurrent use.
type eventLog struct {
	mu sync.Mutex
	ev []string
}

func (l *eventLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ev = append(l.ev, e)
}

func (l *eventLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.ev, ",")
}
