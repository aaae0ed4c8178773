// Package storagetest is a conformance suite for storage.Store
// implementations, so that every backend keeps the same contract. A
// backend's tests run it with a function that opens a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store {
//			st, err := mybackend.Open(t.Context(), ...)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { st.Close() })
//			return st
//		})
//	}
//
// The suite uses small handmade corpora with 8-dimensional unit vectors
// whose right answers are known, and relies only on the storage package.
// Its concurrency test is meaningful under the race detector.
package storagetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// dims is the vector size of every collection the suite creates.
const dims = 8

// Run runs the conformance suite, one subtest per part of the contract.
// open must return a new, empty store and close it when its test ends;
// the suite may have closed it already.
func Run(t *testing.T, open func(t *testing.T) storage.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, st storage.Store)
	}{
		{"Ping", testPing},
		{"ReplaceThenGet", testReplaceThenGet},
		{"ReplaceLeavesNoStaleChunks", testReplaceLeavesNoStaleChunks},
		{"ReplaceWithNoChunks", testReplaceWithNoChunks},
		{"DeleteDocument", testDeleteDocument},
		{"DropCollection", testDropCollection},
		{"Documents", testDocuments},
		{"DocumentHeads", testDocumentHeads},
		{"NotFound", testNotFound},
		{"DimensionMismatch", testDimensionMismatch},
		{"InvalidArguments", testInvalidArguments},
		{"VectorsByHash", testVectorsByHash},
		{"CollectionsAndStats", testCollectionsAndStats},
		{"KeywordRanking", testKeywordRanking},
		{"DefinesFilter", testDefinesFilter},
		{"SemanticRanking", testSemanticRanking},
		{"HybridRanking", testHybridRanking},
		{"Filters", testFilters},
		{"OmitText", testOmitText},
		{"ConcurrentReplaceAndSearch", testConcurrentReplaceAndSearch},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// axis returns the unit vector along dimension i.
func axis(i int) []float32 {
	v := make([]float32, dims)
	v[i] = 1
	return v
}

// blend returns the unit vector along w[0]·e0 + w[1]·e1 + ….
func blend(w ...float32) []float32 {
	v := make([]float32, dims)
	var norm float64
	for i, x := range w {
		v[i] = x
		norm += float64(x) * float64(x)
	}
	for i := range v {
		v[i] = float32(float64(v[i]) / math.Sqrt(norm))
	}
	return v
}

// fileDoc returns a file document for path.
func fileDoc(collection, path string) storage.Document {
	return storage.Document{
		ID:         "file:" + path,
		Collection: collection,
		Kind:       storage.KindFile,
		Path:       path,
		Metadata:   map[string]string{"source": "storagetest"},
	}
}

// noteDoc returns a note document.
func noteDoc(collection, id, title string) storage.Document {
	return storage.Document{ID: "note:" + id, Collection: collection, Kind: storage.KindNote, Title: title}
}

// chunkSpec is the part of a chunk a test chooses.
type chunkSpec struct {
	text     string
	dense    []float32
	language string
}

// chunksOf builds the chunks of doc from specs, in order, with IDs and
// hashes derived from their content as an indexer would.
func chunksOf(doc storage.Document, specs ...chunkSpec) []storage.Chunk {
	chunks := make([]storage.Chunk, len(specs))
	for i, sp := range specs {
		sum := sha256.Sum256([]byte(sp.text))
		hash := hex.EncodeToString(sum[:])
		chunks[i] = storage.Chunk{
			ID:         fmt.Sprintf("%s#%d-%s", doc.ID, i, hash[:12]),
			DocID:      doc.ID,
			Collection: doc.Collection,
			Kind:       doc.Kind,
			Path:       doc.Path,
			Title:      doc.Title,
			Language:   sp.language,
			Ordinal:    i,
			StartLine:  10*i + 1,
			EndLine:    10*i + 10,
			Text:       sp.text,
			Hash:       hash,
			Metadata:   map[string]string{"ordinal": fmt.Sprint(i)},
			Dense:      sp.dense,
		}
	}
	return chunks
}

// ensure creates collections of dims dimensions.
func ensure(t *testing.T, st storage.Store, names ...string) {
	t.Helper()
	for _, name := range names {
		if err := st.EnsureCollection(t.Context(), name, dims); err != nil {
			t.Fatalf("EnsureCollection(%s): %v", name, err)
		}
	}
}

// replace stores doc with chunks, failing the test on error.
func replace(t *testing.T, st storage.Store, doc storage.Document, chunks []storage.Chunk) {
	t.Helper()
	if err := st.ReplaceDocument(t.Context(), doc, chunks); err != nil {
		t.Fatalf("ReplaceDocument(%s): %v", doc.ID, err)
	}
}

// search runs q, failing the test on error.
func search(t *testing.T, st storage.Store, q storage.Query) []storage.Hit {
	t.Helper()
	hits, err := st.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return hits
}

// hitIDs returns the chunk IDs of hits, in order.
func hitIDs(hits []storage.Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.Chunk.ID
	}
	return ids
}

// withoutVectors returns c without its Dense and Sparse vectors, as reads
// return chunks.
func withoutVectors(c storage.Chunk) storage.Chunk {
	c.Dense = nil
	c.Sparse = storage.SparseVector{}
	return c
}

// Axis returns the unit vector of the suite's size along dimension i: the
// query vector of LoadRankingCorpus is Axis(0).
func Axis(i int) []float32 { return axis(i) }
