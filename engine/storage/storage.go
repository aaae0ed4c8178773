// Package storage defines the contract between the engine and a vector
// store: what a chunk is, how a document's chunks are replaced atomically,
// and how hybrid searches are asked and answered.
//
// Two backends implement Store: the embedded on-disk store
// (storage/embedded, the default) and Qdrant (storage/qdrant). The engine
// depends only on this package, so a backend can be swapped by
// configuration alone.
//
// Concurrency: every Store method may be called from many goroutines at
// once. ReplaceDocument and DeleteDocument are atomic with respect to
// Search: a search sees either all of a document's old chunks or all of
// its new ones, never a mixture.
package storage

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"workspace-qdrant-mcp/internal/digest"
)

// Sentinel errors. Backends wrap them with context; callers compare with
// errors.Is.
var (
	// ErrNotFound reports that a document, chunk or collection does not exist.
	ErrNotFound = errors.New("not found")
	// ErrClosed reports a call on a store that has been closed.
	ErrClosed = errors.New("store closed")
	// ErrDimensionMismatch reports vectors whose size differs from the
	// collection's configured size.
	ErrDimensionMismatch = errors.New("vector dimension mismatch")
	// ErrConnectionLost reports that the store's connection is gone for
	// good: the store will not reconnect by itself, and only opening it
	// again (an engine restart) mends it. A server that merely does not
	// answer is not this: its connection comes back by itself.
	ErrConnectionLost = errors.New("store connection lost")
)

// Kinds of document.
const (
	KindFile = "file" // a workspace file, keyed by absolute path
	KindNote = "note" // a document added through add_document
)

// RRFK is the rank constant of reciprocal rank fusion, the same in every
// backend and in the engine's ranking (engine/rank): a hit ranked r by a
// leg scores 1/(RRFK+r).
const RRFK = 60

// RRF is what a leg of weight w gives a hit it ranked rank (1-based) in
// reciprocal rank fusion: w/(RRFK+rank); 0 when the leg did not find it
// (rank 0). Every backend and the engine's ranking fuse with it.
func RRF(rank int, w float64) float64 {
	if rank <= 0 {
		return 0
	}
	return w / float64(RRFK+rank)
}

// Search modes.
const (
	ModeHybrid   = "hybrid"
	ModeSemantic = "semantic"
	ModeKeyword  = "keyword"
)

// SparseVector is a keyword vector: parallel slices of term indices and
// weights, sorted by index. Backends that have their own keyword index
// (the embedded store's in-memory BM25 index) may ignore it.
type SparseVector struct {
	Indices []uint32
	Values  []float32
}

// Chunk is one embedded piece of a document.
type Chunk struct {
	// ID is deterministic: the same document, position and content give
	// the same ID, so re-indexing an unchanged file rewrites nothing new.
	ID         string
	DocID      string // the document this chunk belongs to
	Collection string
	Kind       string // KindFile or KindNote
	Path       string // absolute path, for KindFile
	Title      string // for KindNote
	Language   string // from the file extension, "" when unknown
	Ordinal    int    // position of the chunk within its document, from 0
	StartLine  int    // 1-based, inclusive
	EndLine    int    // 1-based, inclusive
	Text       string
	// Hash identifies the text and the model that embeds it: the hex
	// SHA-256 of the embedding model's name, a NUL byte and Text (see
	// VectorHash). Vectors are reused across re-indexing by looking them
	// up by Hash (see VectorsByHash), so a new model never reuses an old
	// model's vectors.
	Hash     string
	Metadata map[string]string
	Dense    []float32
	Sparse   SparseVector
	// Terms, when not nil, are the chunk's keyword terms: Text's as the
	// store's analyzer gives them (the engine opens every store with
	// analysis.Terms), and a note's title's after them, so that a note is
	// found by its title. A writer that has them already, as the indexer
	// does, passes them so that the store does not analyse Text again.
	// Reads leave Terms nil.
	Terms []string
}

// MetaDefines is the chunk metadata key under which the indexer lists,
// space-separated, the names a chunk defines (members as Owner.member).
const MetaDefines = "defines"

// FoldName folds an identifier for comparison: lowercase, without
// underscores, hyphens or $, so HTTPAdapter, http_adapter and httpAdapter
// meet.
func FoldName(name string) string { return strings.ToLower(folder.Replace(name)) }

var folder = strings.NewReplacer("_", "", "-", "", "$", "")

// DefinesName reports whether names, a MetaDefines value, holds a name
// whose last part folds to folded.
func DefinesName(names, folded string) bool {
	for n := range strings.FieldsSeq(names) {
		if FoldName(n[strings.LastIndexByte(n, '.')+1:]) == folded {
			return true
		}
	}
	return false
}

// VectorHash is the Chunk.Hash of text embedded by model.
func VectorHash(model, text string) string {
	return digest.HexSHA256(model, "\x00", text)
}

// Document is a stored document with its chunks in order.
type Document struct {
	ID         string
	Collection string
	Kind       string
	Path       string
	Title      string
	Metadata   map[string]string
	Chunks     []Chunk // Dense and Sparse are not filled
}

// Query asks for the best chunks for a text.
type Query struct {
	Text   string
	Dense  []float32    // the embedded query; required for semantic and hybrid
	Sparse SparseVector // optional keyword vector for backends that use it
	Mode   string       // ModeHybrid (default), ModeSemantic or ModeKeyword
	Limit  int          // number of hits wanted, > 0
	// Prefetch is how many candidates each leg fetches before fusion;
	// 0 means a backend default larger than Limit.
	Prefetch   int
	Collection string // "" searches every collection
	// PathGlob restricts file hits to paths matching a doublestar pattern;
	// a leading "!" excludes matches instead. Notes never match a glob.
	PathGlob string
	Language string // "" means any language
	// Defines, when not "", keeps only the chunks that define that name:
	// a word of their metadata's MetaDefines whose last part (after its
	// owner's ".") folds to it (FoldName), so that a definition is found
	// among the chunks that hold its words however low BM25 ranks it.
	Defines string
	// OmitText lets a backend answer without the chunks' Text and Hash,
	// reading them from memory it keeps instead of from disk: it then
	// sets Hit.Texts, through which the caller reads the texts of the
	// hits it keeps. A backend that cannot ignores it and fills them.
	OmitText bool
}

// TextReader reads the texts a search left out (Query.OmitText).
type TextReader interface {
	// ChunkTexts returns the text stored now under each of ids, by id;
	// an id the store no longer holds is left out, which means the
	// chunk was replaced or deleted since the search (a chunk id names
	// its document, position and text, see Chunk.ID).
	ChunkTexts(ctx context.Context, ids []string) (map[string]string, error)
}

// WrapTexts replaces the TextReader of each hit that has one with what
// wrap makes of it: a wrapper of a store puts its reads of a search's
// texts behind what it puts its other reads behind.
func WrapTexts(hits []Hit, wrap func(TextReader) TextReader) {
	for i := range hits {
		if hits[i].Texts != nil {
			hits[i].Texts = wrap(hits[i].Texts)
		}
	}
}

// Hit is one search result.
type Hit struct {
	Chunk Chunk // Dense and Sparse are not filled
	Score float64
	// Rank within each leg that found the hit, from 1; 0 when the leg
	// did not return it.
	KeywordRank  int
	SemanticRank int
	// Raw scores of each leg: cosine similarity for the semantic leg,
	// BM25 (higher is better) for the keyword leg.
	KeywordScore  float64
	SemanticScore float64
	// Texts, when not nil, says that Chunk.Text and Chunk.Hash were left
	// out (Query.OmitText) and reads the texts.
	Texts TextReader
}

// CollectionInfo describes one collection.
type CollectionInfo struct {
	Name      string
	Documents int
	Chunks    int
}

// Stats counts what a store holds.
type Stats struct {
	Documents int // all documents, files and notes
	Files     int // documents of KindFile
	Chunks    int
	// KeywordIndexLoading is true while the store builds the keyword
	// index it keeps in memory (after opening); keyword and hybrid
	// searches wait for it meanwhile.
	KeywordIndexLoading bool
}

// Store is a vector store. See the package comment for its concurrency
// contract.
type Store interface {
	// Ping checks that the store answers; it is the storage health check.
	Ping(ctx context.Context) error
	// EnsureCollection creates the collection when missing. An existing
	// collection whose vector size differs is an ErrDimensionMismatch.
	EnsureCollection(ctx context.Context, name string, dims int) error
	// ReplaceDocument atomically replaces every chunk of the document
	// chunks[i].DocID (all chunks share DocID and Collection) with chunks.
	// Every chunk must carry a Dense vector of the collection's size.
	ReplaceDocument(ctx context.Context, doc Document, chunks []Chunk) error
	// DropCollection removes a collection with every document and chunk
	// in it, atomically, returning how many documents it held; a missing
	// collection drops nothing. It is how an index is rebuilt from
	// scratch, for example after a change of embedding size.
	DropCollection(ctx context.Context, name string) (int, error)
	// DeleteDocument removes a document and its chunks, returning how
	// many chunks were removed; a missing document is ErrNotFound.
	DeleteDocument(ctx context.Context, docID string) (int, error)
	// GetDocument returns a document with its chunks in order.
	GetDocument(ctx context.Context, docID string) (Document, error)
	// Documents returns every document of a collection, ordered by id,
	// each with its chunks in order (texts, lines and hashes; Dense and
	// Sparse are not filled), as one consistent read where the backend
	// allows. A missing collection has no documents: an empty slice, not
	// an error. It reads the whole collection, so it serves maintenance
	// (re-embedding notes after a change of model) rather than requests.
	Documents(ctx context.Context, collection string) ([]Document, error)
	// VectorsByHash returns stored dense vectors for chunk hashes it
	// already holds, so unchanged text is never embedded twice. A store
	// may keep vectors as float16: each value then comes back within
	// 2^-11 of the vector's largest value.
	VectorsByHash(ctx context.Context, hashes []string) (map[string][]float32, error)
	// Search runs a keyword, semantic or hybrid query.
	Search(ctx context.Context, q Query) ([]Hit, error)
	// Collections lists collections with their counts.
	Collections(ctx context.Context) ([]CollectionInfo, error)
	// Stats counts documents and chunks.
	Stats(ctx context.Context) (Stats, error)
	// Close releases the store; later calls return ErrClosed.
	Close() error
}

// RenumberRanks renumbers one leg's ranks among hits (those > 0; rank
// returns a hit's) 1, 2, … in their current order, closing the gaps that
// dropped candidates left.
func RenumberRanks[T any](hits []T, rank func(*T) *int) {
	idx := make([]int, 0, len(hits))
	for i := range hits {
		if *rank(&hits[i]) > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(*rank(&hits[a]), *rank(&hits[b])) })
	for r, i := range idx {
		*rank(&hits[i]) = r + 1
	}
}
