// Package qdrant is the storage.Store backed by a Qdrant server (or
// cluster, or Qdrant Cloud), reached over gRPC with
// github.com/qdrant/go-client.
//
//	st, err := qdrant.Open(ctx, qdrant.Options{URL: "localhost:6334", Analyzer: analysis.Terms})
//	if err != nil { ... }
//	defer st.Close()
//	if err := st.Ping(ctx); err != nil { ... }  // Open does not connect
//
// # Collections
//
// Each storage collection is the Qdrant collection CollectionPrefix+name
// with a named dense vector "dense" (cosine, the embedder's size) and a
// named sparse vector "keyword" with the IDF modifier, plus keyword payload
// indexes on the fields filters use (record, doc_id, collection, kind,
// path, language, hash) and an integer index on gen.
//
// A collection holds two kinds of point, told apart by the payload field
// record:
//
//   - one head point per document ("doc"), without vectors, holding the
//     document's fields and the generation (gen) of its current chunks;
//     its id is a UUID derived from the document id;
//   - one point per chunk and generation ("chunk"), holding every field of
//     storage.Chunk and its vectors; its id is a UUID derived from the
//     chunk id and the generation (uuid.NewSHA1 over a fixed namespace), so
//     writing a document again never overwrites the points of the version
//     that searches are reading.
//
// # Keyword vectors
//
// The keyword leg is Qdrant's sparse-vector search. Options.Analyzer (the
// engine passes analysis.Terms, as it does to the embedded store) splits a
// chunk's text into terms; each term is hashed with 32-bit FNV-1a into a
// sparse index, and its weight is BM25's term-frequency part,
// tf·(k1+1)/(tf+k1·(1−b+b·len/avgLen)) with k1 = 1.2, b = 0.75 and a fixed
// avgLen of 128 terms (Qdrant cannot tell us the real average). Qdrant
// multiplies by the IDF it computes over the collection, so a keyword score
// is a BM25 score up to the fixed average length. Queries weigh each
// distinct term 1. Two terms whose hashes collide share an index: a query
// for one then also matches, more weakly, text with the other. With 2³²
// indices a vocabulary of 100,000 terms has about one colliding pair, so
// this is accepted rather than kept in a term dictionary.
//
// # Hybrid queries
//
// A hybrid search sends each collection one QueryBatch request: a Query
// whose prefetches are the two legs (sparse "keyword", dense "dense"),
// fused by Qdrant's RRF with k = 61 and returning the best points, a
// little more than the hits wanted, with whole payloads; and the two legs
// again, answering only ids, scores and the payload fields chunk_id,
// doc_id and gen (and path, when a path glob is matched here). Chunk
// texts cross the network only for the fused query's points.
//
// Qdrant scores the point at 0-based position p of a prefetch 1/(k+p),
// so k = 61 is the embedded store's Σ 1/(60+rank) with ranks from 1.
// Qdrant's fused order is still not used as the answer, because hits must
// carry each leg's rank and raw score, and because Qdrant ranks points
// that must take no rank (uncommitted generations, see Atomicity, and
// points a wildcard glob rejects), fuses each collection alone, and
// computes in float32 without a tie-break. Ranks, raw scores and the
// fused order come from the id-and-score legs, exactly as with
// client-side fusion; a hit whose point the fused query did not return
// is read by id (one Get per collection), which happens only when the
// two orders differ near the limit. Qdrant's RRF weights are not used:
// Qdrant weighs positions, 1/((p+1)/w + k - 1), which orders hits
// differently from the engine's Σ w/(60+rank), and the engine fuses the
// candidates again with its own weights anyway.
//
// One thing is not exact, with or without fusion: Qdrant's IDF counts
// every point with a keyword vector, those of uncommitted generations and
// of replaced generations not yet deleted too, so while a write is in
// flight (or after a failed one, until the document is written again)
// keyword scores differ slightly from those of the committed data alone,
// and so, for a query of several terms, can the keyword order.
//
// # Atomicity
//
// Qdrant has no transaction spanning several operations, so
// ReplaceDocument does this, with gen a new generation number:
//
//  1. upsert the new chunk points with gen, in batches, waiting for each;
//  2. commit: upsert the head point with gen;
//  3. delete the document's chunk points whose gen is not gen.
//
// Readers use only chunk points whose gen equals their head's gen: Search
// looks up the heads of the documents its legs found and drops the other
// points, GetDocument reads the head and then the chunks of its
// generation. So what a search can see of a document is the complete
// chunk set of the generation the head named when it was read:
//
//   - a crash (or lost connection) during step 1 leaves points of a
//     generation no head names: invisible, and deleted by the document's
//     next successful write;
//   - a crash between 2 and 3 leaves the old generation's points
//     invisible, and deleted likewise;
//   - no crash ever leaves duplicates that a search returns.
//
// Within one process, steps 2–3 run under a lock that every read holds
// shared from its first request to its head lookup, so a reader never sees
// a head that moved on after its legs ran: every search returns each
// document's chunks of one generation, complete within the limit (the
// storagetest concurrency test checks exactly that). Writes of one
// document are serialised in the process. Across processes sharing a
// collection (several machines writing one index) the guarantee weakens
// to: never a mixture of generations and never duplicates, but a search
// racing another process's commit may miss that document once. Points of
// a generation not yet committed, and orphans of failed writes until the
// document is written again, occupy Qdrant result slots and are counted
// by Stats and Collections; searches fetch a little more than asked to
// make up for them.
//
// # Errors
//
// Errors are wrapped with what was being done and the Qdrant collection.
// gRPC codes Unavailable, DeadlineExceeded and ResourceExhausted are
// transient: they match ErrTransient (see IsTransient): gRPC reconnects
// by itself once Qdrant answers again. A request made on a gRPC
// connection that was shut down fails with storage.ErrConnectionLost:
// that connection never comes back, and only opening the store again
// (an engine restart) mends it. A missing
// collection is storage.ErrNotFound; a vector size that differs from the
// collection's is storage.ErrDimensionMismatch.
package qdrant

import (
	"context"
	"fmt"
	"hash/fnv"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/qdrant/go-client/qdrant"
	"github.com/rs/zerolog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/connectivity"

	"workspace-qdrant-mcp/engine/storage"
)

// Names of the vectors in every collection.
const (
	DenseVector  = "dense"
	SparseVector = "keyword"
)

// DefaultURL is Qdrant's gRPC address on the local machine.
const DefaultURL = "localhost:6334"

// DefaultTimeout bounds each request when Options.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// Options configures a Store.
type Options struct {
	// URL is the gRPC address: host:port, or http://host:port, or
	// https://host:port (which implies TLS). The port defaults to 6334.
	// "" means DefaultURL.
	URL string
	// APIKey is sent with every request; it is never logged.
	APIKey string
	// TLS encrypts the connection (Qdrant Cloud needs it).
	TLS bool
	// Timeout bounds every request, including Ping; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// CollectionPrefix is prepended to every collection name, so several
	// indexes (or other applications) can share one Qdrant. Collections
	// lists only collections with this prefix.
	CollectionPrefix string
	// Analyzer splits text into keyword terms, for chunks and queries
	// alike; nil means lower-cased runs of letters and digits. Changing it
	// requires re-indexing.
	Analyzer func(text string) []string
	// Logger receives warnings; the zero value discards them.
	Logger zerolog.Logger
	// DialOptions are added to the gRPC client's (tests use them).
	DialOptions []grpc.DialOption
}

// Store is the Qdrant storage.Store. Its methods are safe for concurrent
// use.
type Store struct {
	client   *pb.Client
	conn     *grpc.ClientConn // the client's one connection
	lost     *atomic.Bool     // a request failed on conn after it was shut down
	points   pb.PointsClient
	colls    pb.CollectionsClient
	service  pb.QdrantClient
	addr     string // host:port, for messages
	prefix   string
	timeout  time.Duration
	analyzer func(string) []string
	log      zerolog.Logger

	// life guards closed: every method holds it shared while it runs and
	// Close holds it exclusively.
	life   sync.RWMutex
	closed bool

	// commit is held exclusively while a write moves a head and deletes
	// the generation it replaced, and shared by every read from its first
	// request to its head lookup. See the package comment.
	commit sync.RWMutex
	// docLocks serialise the writes of one document, by hash of its id.
	docLocks [64]sync.Mutex
	lastGen  atomic.Int64

	mu      sync.Mutex
	dims    map[string]int  // vector size of collections known to exist, by name
	created map[string]bool // collections EnsureCollection created
}

var _ storage.Store = (*Store)(nil)

// Open creates a client for the server at opts.URL. It does not connect:
// gRPC connects on the first request, and Ping is the health check, so an
// unreachable server does not block Open.
func Open(_ context.Context, opts Options) (*Store, error) {
	host, port, useTLS, err := ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("open qdrant: %w", err)
	}
	useTLS = useTLS || opts.TLS
	lost := new(atomic.Bool)
	dial := append([]grpc.DialOption{
		grpc.WithChainUnaryInterceptor(lostInterceptor(lost)),
		// Reconnect soon after the server comes back, rather than after
		// gRPC's default backoff of up to two minutes.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 5 * time.Second},
			MinConnectTimeout: 5 * time.Second,
		}),
	}, opts.DialOptions...)
	client, err := pb.NewClient(&pb.Config{
		Host:   host,
		Port:   port,
		APIKey: opts.APIKey,
		UseTLS: useTLS,
		// The check is a blocking request made by NewClient; Ping does
		// our own health check with a timeout instead.
		SkipCompatibilityCheck: true,
		PoolSize:               1,
		GrpcOptions:            dial,
	})
	if err != nil {
		return nil, fmt.Errorf("open qdrant at %s: %w", net.JoinHostPort(host, strconv.Itoa(port)), err)
	}
	s := &Store{
		client:   client,
		conn:     client.GetConnection(),
		lost:     lost,
		points:   client.GetPointsClient(),
		colls:    client.GetCollectionsClient(),
		service:  client.GetGrpcClient().Qdrant(),
		addr:     net.JoinHostPort(host, strconv.Itoa(port)),
		prefix:   opts.CollectionPrefix,
		timeout:  opts.Timeout,
		analyzer: opts.Analyzer,
		log:      opts.Logger,
		dims:     map[string]int{},
		created:  map[string]bool{},
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.analyzer == nil {
		s.analyzer = defaultAnalyzer
	}
	return s, nil
}

// ParseURL splits a storage.qdrant.url into host, port and whether the
// scheme asks for TLS.
func ParseURL(raw string) (host string, port int, useTLS bool, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = DefaultURL
	}
	hostport := raw
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return "", 0, false, fmt.Errorf("url %q: %w", raw, err)
		}
		switch u.Scheme {
		case "http", "grpc":
		case "https", "grpcs":
			useTLS = true
		default:
			return "", 0, false, fmt.Errorf("url %q: scheme %q is not http, https, grpc or grpcs", raw, u.Scheme)
		}
		if u.Path != "" && u.Path != "/" {
			return "", 0, false, fmt.Errorf("url %q: a gRPC address has no path", raw)
		}
		hostport = u.Host
	}
	h, p, splitErr := net.SplitHostPort(hostport)
	if splitErr != nil {
		// No port: the host alone.
		h, p = strings.Trim(hostport, "[]"), "6334"
	}
	if h == "" {
		return "", 0, false, fmt.Errorf("url %q: no host", raw)
	}
	port, err = strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, false, fmt.Errorf("url %q: port %q is not a number from 1 to 65535", raw, p)
	}
	return h, port, useTLS, nil
}

// URL returns the host:port the store talks to.
func (s *Store) URL() string { return s.addr }

// enter marks the start of a call, failing when the store is closed; the
// caller must call s.life.RUnlock when done.
func (s *Store) enter() error {
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return storage.ErrClosed
	}
	return nil
}

// rpc returns a context bounded by the request timeout.
func (s *Store) rpc(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// Close closes the connection, waiting for running calls to finish.
// Closing a closed store does nothing; every other method then fails with
// storage.ErrClosed.
func (s *Store) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.conn.GetState() == connectivity.Shutdown {
		return nil // lost: nothing left to close
	}
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("close qdrant client: %w", err)
	}
	return nil
}

// Ping runs Qdrant's health check, bounded by the request timeout.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	defer s.life.RUnlock()
	if s.lost.Load() {
		return fmt.Errorf("qdrant at %s: health check: %w: the gRPC connection was shut down", s.addr, storage.ErrConnectionLost)
	}
	rctx, cancel := s.rpc(ctx)
	defer cancel()
	reply, err := s.service.HealthCheck(rctx, &pb.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("qdrant at %s: health check: %w", s.addr, classify(err))
	}
	if err := checkVersion(reply.GetVersion()); err != nil {
		return fmt.Errorf("qdrant at %s: %w", s.addr, err)
	}
	return nil
}

// lostInterceptor marks lost when a request fails on a connection that
// was shut down, and makes its error match storage.ErrConnectionLost.
func lostInterceptor(lost *atomic.Bool) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, opts...)
		if err != nil && cc.GetState() == connectivity.Shutdown {
			lost.Store(true)
			return &lostError{err}
		}
		return err
	}
}

// lostError is a request's error on a shut down connection: it matches
// storage.ErrConnectionLost and unwraps to the gRPC error.
type lostError struct{ err error }

func (e *lostError) Error() string   { return e.err.Error() }
func (e *lostError) Unwrap() []error { return []error{e.err, storage.ErrConnectionLost} }

// minVersion is the oldest Qdrant that serves every request this backend
// makes: hybrid search uses the rrf query with its own k (Qdrant 1.16).
var minVersion = [2]int{1, 16}

// checkVersion refuses a Qdrant older than minVersion. A version it cannot
// read (a development build) is let through.
func checkVersion(v string) error {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return nil
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return nil
	}
	if major < minVersion[0] || (major == minVersion[0] && minor < minVersion[1]) {
		return fmt.Errorf("it runs version %s, and this server needs %d.%d or newer (hybrid search uses the rrf query with its own k): upgrade Qdrant",
			v, minVersion[0], minVersion[1])
	}
	return nil
}

// Created reports whether EnsureCollection created the collection in this
// store's life (rather than finding it), so the engine can tell an index
// that must be rebuilt from one it can trust.
func (s *Store) Created(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created[name]
}

// docLock returns the mutex serialising writes of a document.
func (s *Store) docLock(docID string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(docID))
	return &s.docLocks[h.Sum32()%uint32(len(s.docLocks))]
}

// nextGen returns a generation number larger than any this store handed
// out before: the clock in nanoseconds, so that generations of different
// processes rarely meet.
func (s *Store) nextGen() int64 {
	for {
		last := s.lastGen.Load()
		gen := max(time.Now().UnixNano(), last+1)
		if s.lastGen.CompareAndSwap(last, gen) {
			return gen
		}
	}
}
