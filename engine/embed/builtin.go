package embed

import (
	"context"
	"fmt"
	"math"
	"sync"
	"unicode/utf8"

	"workspace-qdrant-mcp/engine/analysis"
)

// DefaultBuiltinDimensions is the vector size of NewBuiltin(0).
const DefaultBuiltinDimensions = 384

// featureVersion identifies the features and hashing of Builtin. Change it
// whenever a vector may change for some text, so the model name changes
// and stored vectors are known to be stale. The model name also carries
// analysis.Version, since the features are built from analysis.Terms.
const featureVersion = 1

var builtinModel = fmt.Sprintf("hash-v%d.a%d", featureVersion, analysis.Version)

// Kinds of feature. Each kind seeds the hash differently, so that equal
// bytes of different kinds are different features.
const (
	kindTerm = iota
	kindTrigram
	kindBigram
	numKinds
)

// weights holds each kind's weight: whole terms count most; character
// trigrams let different forms of a word (config, configuration) share
// part of their vector; bigrams of adjacent terms add a little word order.
var weights = [numKinds]float64{kindTerm: 1, kindTrigram: 0.5, kindBigram: 0.25}

// seeds holds each kind's FNV-1a state after hashing the kind's byte.
var seeds = [numKinds]uint64{
	kindTerm:    hashByte(fnvOffset, 't'),
	kindTrigram: hashByte(fnvOffset, 'g'),
	kindBigram:  hashByte(fnvOffset, 'b'),
}

// Trigram boundary markers. Terms never contain control characters, so
// the markers cannot be confused with a term's own bytes.
const (
	termStart = 0x01
	termEnd   = 0x02
)

// Builtin embeds text by feature hashing: no network, no model files, and
// the same vector for the same text in every process and on every
// machine.
//
// A text's features are its analysis.Terms (weight 1), the character
// trigrams of each term with start and end markers (weight 0.5) and the
// pairs of adjacent terms (weight 0.25). Each feature is hashed with
// 64-bit FNV-1a to a dimension and a sign; its contribution is its weight
// times 1+ln(count), the sublinear term frequency. The vector is then
// scaled to unit length, so cosine similarity is a dot product.
//
// A text without terms (empty, punctuation, only stop words) has no
// features and gets the zero vector, whose cosine similarity with any
// vector is taken to be 0.
//
// Hashing captures shared vocabulary, identifiers and spelling, not
// meaning: it finds ParseDuration for "parse duration" but not for "read
// a time interval". WithCodeWords adds word vectors trained on code, so
// that a question about a deadline leans towards code about a timeout;
// the hashed vector then fills the first dimensions, weighted √(1−β),
// and the words' vector (zero when none of the text's terms is known)
// the last, weighted √β. Create one with NewBuiltin; it is safe for
// concurrent use.
type Builtin struct {
	dims        int // of the whole vector: hashed, then word vectors
	hashDims    int // of its hashed part
	wv          *WordVectors
	hashScale   float32 // sqrt(1-beta)
	wvScale     float32 // sqrt(beta)
	model       string
	featurizers sync.Pool // of *featurizer
}

// NewBuiltin returns the built-in embedder producing vectors of dims
// dimensions; dims <= 0 means DefaultBuiltinDimensions. With
// WithCodeWords, the vectors of code words share them.
func NewBuiltin(dims int, opts ...BuiltinOption) *Builtin {
	if dims <= 0 {
		dims = DefaultBuiltinDimensions
	}
	b := &Builtin{dims: dims, hashDims: dims, hashScale: 1, model: builtinModel}
	for _, o := range opts {
		o(b)
	}
	b.featurizers.New = func() any {
		f := &featurizer{acc: make([]float64, b.hashDims)}
		if b.wv != nil {
			f.wvAcc = make([]float32, b.wv.Dims())
		}
		return f
	}
	return b
}

// BuiltinOption configures NewBuiltin.
type BuiltinOption func(*Builtin)

// WithCodeWords gives the last 128 of the dims dimensions to the SIF mean
// of the text's code word vectors (CodeWords), the rest to hashing,
// weighted so that the cosine of two vectors is (1−β)·hashed + β·words,
// β = CodeWordsWeight. The model name says so, with the table's checksum,
// so an index built without them, or with another table, is re-embedded.
// Below MinCodeWordsDimensions it does nothing: the hashed part would be
// too small.
func WithCodeWords() BuiltinOption {
	return func(b *Builtin) {
		if b.dims >= MinCodeWordsDimensions {
			b.withWords(CodeWords(), CodeWordsWeight, codeWordsTag())
		}
	}
}

// MinCodeWordsDimensions is the least vector size that WithCodeWords
// splits between hashing and code words.
const MinCodeWordsDimensions = 256

// withWords gives the last wv.Dims() dimensions to the vectors of wv,
// with weight beta.
func (b *Builtin) withWords(wv *WordVectors, beta float64, tag string) {
	b.wv = wv
	b.hashDims = b.dims - wv.Dims()
	b.hashScale = float32(math.Sqrt(1 - beta))
	b.wvScale = float32(math.Sqrt(beta))
	b.model = builtinModel + tag
}

// Info describes the embedder. The model name changes whenever the
// algorithm does, so vectors stored under another name must be recomputed.
func (b *Builtin) Info() Info {
	return Info{Provider: "builtin", Model: b.model, Dimensions: b.dims}
}

// Embed returns one unit vector (or zero vector, see Builtin) per text.
// It checks ctx before each text and returns its error, wrapped, once ctx
// is done.
func (b *Builtin) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return b.embedEach(ctx, len(texts), func(f *featurizer, i int, v []float32) {
		f.terms = analysis.AppendTerms(f.terms[:0], texts[i])
		b.embedTerms(f, f.terms, v)
	})
}

// EmbedTerms returns, for each terms[i] = analysis.Terms(text), the
// vector Embed gives text. It is the indexer's fast path: it has analysed
// every chunk for the keyword index already, so the texts are not
// analysed twice (see TermsEmbedder).
func (b *Builtin) EmbedTerms(ctx context.Context, terms [][]string) ([][]float32, error) {
	return b.embedEach(ctx, len(terms), func(f *featurizer, i int, v []float32) { b.embedTerms(f, terms[i], v) })
}

// embedTerms writes the vector of a text whose analysis.Terms are terms
// to v, which must be zeroed: the hashed features, then, with word
// vectors, their SIF mean, each part weighted.
func (b *Builtin) embedTerms(f *featurizer, terms []string, v []float32) {
	f.embedTerms(terms, v[:b.hashDims])
	if b.wv == nil {
		return
	}
	for i := range v[:b.hashDims] {
		v[i] *= b.hashScale
	}
	// The hashing counted the distinct terms and hashed them as the word
	// vectors' index does: each row is looked up and summed once.
	w := v[b.hashDims:]
	if b.wv.embed(len(f.distinct), func(i int) (int32, bool, uint32) {
		d := f.distinct[i]
		r, ok := b.wv.rowHashed(d.term, d.hash)
		return r, ok, f.features.count(d.hash)
	}, w, f.wvAcc) {
		for i := range w {
			w[i] *= b.wvScale
		}
	}
}

// embedEach returns n vectors, the i-th written by one(f, i, v) into a
// zeroed v, checking ctx before each.
func (b *Builtin) embedEach(ctx context.Context, n int, one func(f *featurizer, i int, v []float32)) ([][]float32, error) {
	f := b.featurizers.Get().(*featurizer)
	defer b.featurizers.Put(f)
	vecs := make([][]float32, n)
	backing := make([]float32, n*b.dims)
	for i := range n {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("builtin embedder: text %d of %d: %w", i+1, n, err)
		}
		// The full slice expression keeps an append to one vector from
		// overwriting the next.
		vecs[i] = backing[i*b.dims : (i+1)*b.dims : (i+1)*b.dims]
		one(f, i, vecs[i])
	}
	return vecs, nil
}

// featurizer holds the scratch space for embedding one text at a time.
type featurizer struct {
	terms    []string
	distinct []distinctTerm
	padded   []byte
	features counter
	acc      []float64 // the vector being summed, len dims
	wvAcc    []float32 // the word-vector mean being summed
}

// distinctTerm is a term's first occurrence in a text.
type distinctTerm struct {
	term string
	hash uint64 // of its term feature
}

// embedTerms writes the vector of a text whose analysis.Terms are terms
// to v, which must be zeroed.
func (f *featurizer) embedTerms(terms []string, v []float32) {
	f.features.reset()
	f.distinct = f.distinct[:0]
	for i, t := range terms {
		h := termHash(t)
		if f.features.add(h, kindTerm, 1) {
			f.distinct = append(f.distinct, distinctTerm{t, h})
		}
		if i > 0 {
			h := hashByte(hashString(seeds[kindBigram], terms[i-1]), 0)
			f.features.add(hashString(h, t), kindBigram, 1)
		}
	}
	// A term's trigrams occur as often as the term: count them once.
	for _, d := range f.distinct {
		f.addTrigrams(d.term, f.features.count(d.hash))
	}
	f.project(v)
}

// termHash is the hash of term t's feature.
func termHash(t string) uint64 { return hashString(seeds[kindTerm], t) }

// addTrigrams adds n occurrences of the character trigrams of "^term$",
// where ^ and $ are the boundary markers: a term of k characters has k
// trigrams.
func (f *featurizer) addTrigrams(t string, n uint32) {
	f.padded = append(append(append(f.padded[:0], termStart), t...), termEnd)
	p := f.padded
	if isASCII(t) {
		for i := 0; i+3 <= len(p); i++ {
			f.features.add(hashBytes(seeds[kindTrigram], p[i:i+3]), kindTrigram, n)
		}
		return
	}
	// Slide a window of three characters along the rune starts a, b, c.
	for a, b, c := 0, 1, next(p, 1); c < len(p); {
		end := next(p, c)
		f.features.add(hashBytes(seeds[kindTrigram], p[a:end]), kindTrigram, n)
		a, b, c = b, c, end
	}
}

// next returns the offset of the character after the one at p[i].
func next(p []byte, i int) int {
	if p[i] < utf8.RuneSelf {
		return i + 1
	}
	_, size := utf8.DecodeRune(p[i:])
	return i + size
}

// project sums the features into v with signed hashing and sublinear term
// frequency, then scales v to unit length.
func (f *featurizer) project(v []float32) {
	clear(f.acc)
	dims := uint64(len(v))
	for _, i := range f.features.used {
		s := &f.features.slots[i]
		h := s.key
		// The top bit picks the sign; the low 32 bits, scaled to
		// [0, dims) without a division, pick the dimension.
		idx := (h & math.MaxUint32) * dims >> 32
		w := weights[s.kind] * sublinear(s.count)
		if h>>63 != 0 {
			w = -w
		}
		f.acc[idx] += w
	}
	var sum float64
	for _, x := range f.acc {
		sum += x * x
	}
	if sum == 0 {
		return
	}
	scale := 1 / math.Sqrt(sum)
	for i, x := range f.acc {
		v[i] = float32(x * scale)
	}
}

// sublinearSmall holds sublinear(n) for the small counts that nearly all
// features have.
var sublinearSmall = func() (t [64]float64) {
	for n := 1; n < len(t); n++ {
		t[n] = 1 + math.Log(float64(n))
	}
	return t
}()

// sublinear returns the sublinear term frequency 1+ln(n) of a count n > 0.
func sublinear(n uint32) float64 {
	if n < uint32(len(sublinearSmall)) {
		return sublinearSmall[n]
	}
	return 1 + math.Log(float64(n))
}

// counter counts features in an open-addressing hash table whose storage
// survives reset, so counting allocates nothing once warm.
type counter struct {
	slots []slot  // power-of-two length; key 0 marks an empty slot
	used  []int32 // indices of occupied slots, in insertion order
}

type slot struct {
	key   uint64 // the mixed hash of the feature
	count uint32
	kind  uint8
}

// add counts n occurrences of the feature of the kind with FNV hash h,
// and reports whether the feature is new.
func (c *counter) add(h uint64, kind uint8, n uint32) bool {
	if 2*(len(c.used)+1) > len(c.slots) {
		c.grow()
	}
	key := keyOf(h)
	i := c.find(key)
	s := &c.slots[i]
	if s.key == key {
		s.count += n
		return false
	}
	*s = slot{key: key, count: n, kind: kind}
	c.used = append(c.used, int32(i))
	return true
}

// count returns how often the feature with FNV hash h was counted.
func (c *counter) count(h uint64) uint32 {
	return c.slots[c.find(keyOf(h))].count
}

// find returns the index of the slot holding key, or of the empty slot
// where key belongs. The table must have an empty slot.
func (c *counter) find(key uint64) int {
	mask := uint64(len(c.slots) - 1)
	i := key & mask
	for c.slots[i].key != key && c.slots[i].key != 0 {
		i = (i + 1) & mask
	}
	return int(i)
}

// grow doubles the table and re-inserts its features in insertion order.
func (c *counter) grow() {
	old, oldUsed := c.slots, c.used
	c.slots = make([]slot, max(2*len(old), 1024))
	c.used = make([]int32, 0, cap(oldUsed))
	for _, i := range oldUsed {
		j := c.find(old[i].key)
		c.slots[j] = old[i]
		c.used = append(c.used, int32(j))
	}
}

// keyOf returns the table key of the feature with FNV hash h: the hash
// mixed, so that its low bits can index the table, and never 0.
func keyOf(h uint64) uint64 {
	if k := mix(h); k != 0 {
		return k
	}
	return 1
}

// reset empties the table, touching only the slots in use.
func (c *counter) reset() {
	for _, i := range c.used {
		c.slots[i] = slot{}
	}
	c.used = c.used[:0]
}

// 64-bit FNV-1a, written out so that hashing allocates nothing and its
// results can never change under us.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// mix is the 64-bit finaliser of MurmurHash3. FNV-1a's low bits depend
// mostly on the last bytes hashed; mixing spreads every input bit over
// the bits that pick a feature's dimension and sign.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
