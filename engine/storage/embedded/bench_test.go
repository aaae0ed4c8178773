package embedded

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

const (
	benchDims          = 384
	benchDocs          = 2500
	benchChunksPerDoc  = 20 // benchDocs × benchChunksPerDoc chunks in all
	benchWordsPerChunk = 80
	benchClusters      = 200
	benchVocabulary    = 20000
)

// baseWords are the roots of the synthetic vocabulary: code and prose
// words, combined into identifiers below.
var baseWords = strings.Fields(`
	get set new open close read write file path name value error context
	store chunk document search query index vector embed token parse load
	save update delete insert select create config option server client
	request response handler router cache buffer stream writer reader log
	test check valid invalid count size limit offset page start end line
	user account session auth token key secret hash sum list map slice
	string int float bool byte time date duration timeout retry backoff
	queue worker pool task job event watch notify signal channel lock mutex
	the a of to and in is for that with on as it by this be are from or
	when which if not can will should return call function method type`)

// corpus generates realistic-looking chunks: Zipf-distributed words from
// a vocabulary of words and camelCase identifiers, and vectors clustered
// around random centres.
type corpus struct {
	rng     *rand.Rand
	zipf    *rand.Zipf
	vocab   []string
	centers [][]float32
}

func newCorpus(seed uint64) *corpus {
	rng := rand.New(rand.NewPCG(seed, seed))
	vocab := slices.Clone(baseWords)
	seen := make(map[string]bool)
	for len(vocab) < benchVocabulary {
		id := baseWords[rng.IntN(len(baseWords))]
		for range 1 + rng.IntN(2) {
			part := baseWords[rng.IntN(len(baseWords))]
			id += strings.ToUpper(part[:1]) + part[1:]
		}
		if !seen[id] {
			seen[id] = true
			vocab = append(vocab, id)
		}
	}
	// With these parameters the commonest word is in about half the
	// chunks and the 100th in a tenth, as in source code.
	c := &corpus{rng: rng, zipf: rand.NewZipf(rng, 1.07, 20, uint64(len(vocab)-1)), vocab: vocab}
	for range benchClusters {
		c.centers = append(c.centers, c.noise(1))
	}
	return c
}

// noise returns a vector of normally distributed values scaled by sigma.
func (c *corpus) noise(sigma float64) []float32 {
	v := make([]float32, benchDims)
	for i := range v {
		v[i] = float32(c.rng.NormFloat64() * sigma)
	}
	return v
}

// vector returns a unit vector near a random cluster centre.
func (c *corpus) vector() []float32 {
	v := c.noise(0.6)
	center := c.centers[c.rng.IntN(len(c.centers))]
	for i := range v {
		v[i] += center[i]
	}
	normalize(v)
	return v
}

// text returns n words.
func (c *corpus) text(n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = c.vocab[c.zipf.Uint64()]
	}
	return strings.Join(words, " ")
}

// document returns document i with its chunks.
func (c *corpus) document(i int) (storage.Document, []storage.Chunk) {
	ext, lang := ".go", "go"
	if i%4 == 3 {
		ext, lang = ".py", "python"
	}
	path := fmt.Sprintf("/home/dev/proj/pkg%02d/file%04d%s", i%50, i, ext)
	doc := storage.Document{ID: "file:" + path, Collection: "code", Kind: storage.KindFile, Path: path}
	chunks := make([]storage.Chunk, benchChunksPerDoc)
	for j := range chunks {
		text := c.text(benchWordsPerChunk)
		chunks[j] = storage.Chunk{
			ID: fmt.Sprintf("%s#%d-%d", doc.ID, j, c.rng.Uint32()), DocID: doc.ID, Collection: "code",
			Kind: storage.KindFile, Path: path, Language: lang, Ordinal: j,
			StartLine: 30*j + 1, EndLine: 30*j + 30, Text: text, Hash: fmt.Sprintf("%x", c.rng.Uint64()),
			Dense: c.vector(),
		}
	}
	return doc, chunks
}

// buildCorpusStore writes the first docs documents of the corpus with
// seed into a new store in dir, closes it and returns the corpus.
func buildCorpusStore(tb testing.TB, dir string, seed uint64, docs int) *corpus {
	tb.Helper()
	ctx := context.Background()
	st, err := Open(ctx, dir, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	if err := st.EnsureCollection(ctx, "code", benchDims); err != nil {
		tb.Fatal(err)
	}
	c := newCorpus(seed)
	for i := range docs {
		doc, chunks := c.document(i)
		if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
			tb.Fatal(err)
		}
	}
	return c
}

// BenchmarkSearch measures searches over benchDocs×benchChunksPerDoc
// chunks of benchDims dimensions, and opening a store that size, with
// and without waiting for its keyword index to be built.
func BenchmarkSearch(b *testing.B) {
	if testing.Short() {
		b.Skip("building the corpus takes a while")
	}
	dir := b.TempDir()
	buildCorpusStore(b, dir, 1, benchDocs)

	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			st, err := Open(context.Background(), dir, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if err := st.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("open-and-build-keyword-index", func(b *testing.B) {
		for b.Loop() {
			st, err := Open(context.Background(), dir, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if err := errors.Join(st.WaitKeywordIndex(context.Background()), st.Close()); err != nil {
				b.Fatal(err)
			}
		}
	})

	st := openStore(b, dir, Options{})
	if err := st.WaitKeywordIndex(context.Background()); err != nil {
		b.Fatal(err)
	}
	c := newCorpus(2)
	queries := make([]storage.Query, 64)
	for i := range queries {
		queries[i] = storage.Query{Text: c.text(4), Dense: c.vector(), Limit: 10}
	}
	modes := []struct {
		name string
		edit func(q *storage.Query)
	}{
		{"hybrid", func(q *storage.Query) { q.Mode = storage.ModeHybrid }},
		{"semantic", func(q *storage.Query) { q.Mode = storage.ModeSemantic }},
		{"keyword", func(q *storage.Query) { q.Mode = storage.ModeKeyword }},
		{"hybrid-filtered", func(q *storage.Query) {
			q.Mode, q.Language, q.PathGlob = storage.ModeHybrid, "go", "pkg1*/**"
		}},
	}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				m.edit(&q)
				if _, err := st.Search(context.Background(), q); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkReplaceDocument measures rewriting a document of
// benchChunksPerDoc chunks in a store of 100 such documents.
func BenchmarkReplaceDocument(b *testing.B) {
	ctx := context.Background()
	st := openStore(b, b.TempDir(), Options{})
	if err := st.EnsureCollection(ctx, "code", benchDims); err != nil {
		b.Fatal(err)
	}
	c := newCorpus(3)
	const docs = 100
	type version struct {
		doc    storage.Document
		chunks []storage.Chunk
	}
	versions := make([][2]version, docs) // two versions of each document
	for i := range versions {
		for v := range versions[i] {
			doc, chunks := c.document(i)
			versions[i][v] = version{doc, chunks}
		}
		if err := st.ReplaceDocument(ctx, versions[i][0].doc, versions[i][0].chunks); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		v := versions[i%docs][(i/docs+1)%2]
		if err := st.ReplaceDocument(ctx, v.doc, v.chunks); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkReplaceDocuments measures writing new documents of
// benchChunksPerDoc chunks into a growing store, batch documents per
// transaction: an op is one ReplaceDocuments call, and ns/doc the time
// per document written (making the documents is not timed).
func BenchmarkReplaceDocuments(b *testing.B) {
	for _, batch := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ctx := context.Background()
			st := openStore(b, b.TempDir(), Options{})
			if err := st.EnsureCollection(ctx, "code", benchDims); err != nil {
				b.Fatal(err)
			}
			c := newCorpus(4)
			reps := make([]storage.Replacement, batch)
			docs := 0
			for b.Loop() {
				b.StopTimer()
				for i := range reps {
					doc, chunks := c.document(docs)
					reps[i] = storage.Replacement{Doc: doc, Chunks: chunks}
					docs++
				}
				b.StartTimer()
				if err := st.ReplaceDocuments(ctx, reps); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(docs), "ns/doc")
		})
	}
}
