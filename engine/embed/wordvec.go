package embed

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unsafe"
)

// WordVectors is a table of word vectors over analysis terms: one vector
// per term of its vocabulary, quantised to int8 with a scale per row, and
// each term's frequency in the training corpus, which gives its SIF weight.
//
// A text's vector is the SIF-weighted mean of the vectors of its terms
// (weight a/(a+p(t)), p(t) the term's relative frequency), less its
// projection on the common component, scaled to unit length (Arora et
// al., "A simple but tough-to-beat baseline for sentence embeddings").
// Terms outside the vocabulary are skipped; a text with none in it gets
// the zero vector.
//
// Its file format (little endian), written by WriteTo and read by
// ReadWordVectors:
//
//	magic "WQMWV1\n\x00" | uint32 vocabulary size V | uint32 dims D |
//	uint64 total count | D float32 common component |
//	V × (uint8 length, term bytes, uint32 count) |
//	V float32 row scales | V × D int8 rows
type WordVectors struct {
	dims   int
	byHash rowTable // row by termHash, the built-in embedder's term hash
	words  []string
	factor []float32 // per row: its scale times its SIF weight
	counts []uint32
	total  uint64
	scale  []float32 // per row
	data   []int8    // V × dims
	common []float32 // unit vector or all zero
}

// sifA is the SIF smoothing constant a.
const sifA = 1e-3

const wordVecMagic = "WQMWV1\n\x00"

// ErrBadWordVectors reports a word-vector file that is not in the format.
var ErrBadWordVectors = errors.New("not a word-vector file")

// NewWordVectors builds a table from float vectors (each of length dims,
// quantised to int8 here), the terms' corpus counts and the total count,
// and a common component (nil for none).
func NewWordVectors(words []string, counts []uint32, total uint64, vecs [][]float32, common []float32) (*WordVectors, error) {
	if len(words) != len(vecs) || len(words) != len(counts) || len(words) == 0 {
		return nil, fmt.Errorf("word vectors: %d words, %d counts, %d vectors: %w", len(words), len(counts), len(vecs), ErrBadWordVectors)
	}
	dims := len(vecs[0])
	w := &WordVectors{dims: dims, words: words, counts: counts, total: total,
		scale: make([]float32, len(words)), data: make([]int8, len(words)*dims), common: make([]float32, dims)}
	if common != nil {
		copy(w.common, common)
	}
	for i, v := range vecs {
		if len(v) != dims {
			return nil, fmt.Errorf("word vectors: row %d has %d dimensions, want %d: %w", i, len(v), dims, ErrBadWordVectors)
		}
		var m float32
		for _, x := range v {
			m = max(m, float32(math.Abs(float64(x))))
		}
		if m == 0 {
			continue
		}
		w.scale[i] = m / 127
		row := w.data[i*dims : (i+1)*dims]
		for j, x := range v {
			row[j] = int8(math.Round(float64(x / w.scale[i])))
		}
	}
	w.finish()
	return w, nil
}

// finish builds the index and the rows' factors.
func (w *WordVectors) finish() {
	w.byHash = newRowTable(len(w.words))
	w.factor = make([]float32, len(w.words))
	for i, t := range w.words {
		w.byHash.put(termHash(t), int32(i))
		p := float64(w.counts[i]) / float64(max(w.total, 1))
		w.factor[i] = w.scale[i] * float32(sifA/(sifA+p))
	}
}

// Dims returns the vector size.
func (w *WordVectors) Dims() int { return w.dims }

// Len returns the vocabulary size.
func (w *WordVectors) Len() int { return len(w.words) }

// Row writes the (dequantised) vector of term to v and reports whether
// the term is in the vocabulary.
func (w *WordVectors) Row(term string, v []float32) bool {
	i, ok := w.row(term)
	if !ok {
		return false
	}
	s := w.scale[i]
	for j, q := range w.data[int(i)*w.dims : (int(i)+1)*w.dims] {
		v[j] = float32(q) * s
	}
	return true
}

// Words returns the vocabulary, most frequent first. The slice must not
// be changed.
func (w *WordVectors) Words() []string { return w.words }

// EmbedTerms writes the unit vector of a text whose analysis terms are
// terms to v (len Dims, zeroed), using acc (len Dims) as scratch, and
// reports whether any term was in the vocabulary.
func (w *WordVectors) EmbedTerms(terms []string, v []float32, acc []float32) bool {
	return w.embed(len(terms), func(i int) (int32, bool, uint32) {
		r, ok := w.row(terms[i])
		return r, ok, 1
	}, v, acc)
}

// row returns the row of term.
func (w *WordVectors) row(term string) (int32, bool) { return w.rowHashed(term, termHash(term)) }

// rowHashed returns the row of term, whose termHash is h, without
// hashing the string again. The rows are found by hash alone, the term
// then compared: no second index by string. Of two terms with one 64-bit
// hash only the later would be found; the built-in table has none
// (TestCodeWordsHashesDistinct).
func (w *WordVectors) rowHashed(term string, h uint64) (int32, bool) {
	r, ok := w.byHash.get(h)
	return r, ok && w.words[r] == term
}

// embed sums n terms, the i-th given by row(i): its row, whether it is in
// the vocabulary, and its count.
func (w *WordVectors) embed(n int, row func(i int) (int32, bool, uint32), v []float32, acc []float32) bool {
	clear(acc)
	found := false
	for i := range n {
		r, ok, c := row(i)
		if !ok {
			continue
		}
		found = true
		f := w.factor[r] * float32(c)
		addScaledInt8(acc, w.data[int(r)*w.dims:(int(r)+1)*w.dims], f)
	}
	if !found {
		return false
	}
	var dot float64
	for j, c := range w.common {
		dot += float64(acc[j]) * float64(c)
	}
	var sum float64
	for j, c := range w.common {
		x := float64(acc[j]) - dot*float64(c)
		acc[j] = float32(x)
		sum += x * x
	}
	if sum == 0 {
		return false
	}
	k := float32(1 / math.Sqrt(sum))
	for j, x := range acc {
		v[j] = x * k
	}
	return true
}

// WriteTo writes the table in its file format.
func (w *WordVectors) WriteTo(out io.Writer) (int64, error) {
	bw := bufio.NewWriter(out)
	cw := &countWriter{w: bw}
	le := binary.LittleEndian
	put := func(v any) {
		if cw.err == nil {
			cw.err = binary.Write(cw, le, v)
		}
	}
	cw.Write([]byte(wordVecMagic))
	put(uint32(len(w.words)))
	put(uint32(w.dims))
	put(w.total)
	put(w.common)
	for i, t := range w.words {
		if len(t) > 255 {
			return cw.n, fmt.Errorf("word vectors: term %q longer than 255 bytes: %w", t[:16], ErrBadWordVectors)
		}
		put(uint8(len(t)))
		cw.Write([]byte(t))
		put(w.counts[i])
	}
	put(w.scale)
	put(w.data)
	if cw.err != nil {
		return cw.n, fmt.Errorf("write word vectors: %w", cw.err)
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("write word vectors: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

// ReadWordVectors reads a table in the format WriteTo writes. The table
// uses b's rows in place: b must not change afterwards.
func ReadWordVectors(b []byte) (*WordVectors, error) {
	bad := func(what string) error { return fmt.Errorf("word vectors: %s: %w", what, ErrBadWordVectors) }
	if len(b) < len(wordVecMagic)+16 || string(b[:len(wordVecMagic)]) != wordVecMagic {
		return nil, bad("no magic")
	}
	le := binary.LittleEndian
	p := len(wordVecMagic)
	n, dims := int(le.Uint32(b[p:])), int(le.Uint32(b[p+4:]))
	total := le.Uint64(b[p+8:])
	p += 16
	if n == 0 || dims == 0 || dims > 4096 || len(b)-p < 4*dims+n*(5+4+dims) {
		return nil, bad(fmt.Sprintf("%d terms of %d dimensions in %d bytes", n, dims, len(b)))
	}
	w := &WordVectors{dims: dims, total: total, common: make([]float32, dims),
		words: make([]string, n), counts: make([]uint32, n), scale: make([]float32, n)}
	for j := range dims {
		w.common[j] = math.Float32frombits(le.Uint32(b[p:]))
		p += 4
	}
	for i := range n {
		if p >= len(b) {
			return nil, bad("truncated vocabulary")
		}
		l := int(b[p])
		if p+1+l+4 > len(b) {
			return nil, bad("truncated vocabulary")
		}
		w.words[i] = string(b[p+1 : p+1+l])
		w.counts[i] = le.Uint32(b[p+1+l:])
		p += 1 + l + 4
	}
	if len(b)-p != n*(4+dims) {
		return nil, bad(fmt.Sprintf("%d bytes of rows, want %d", len(b)-p, n*(4+dims)))
	}
	for i := range n {
		w.scale[i] = math.Float32frombits(le.Uint32(b[p:]))
		p += 4
	}
	// The rows are used in place: a table embedded in the binary is not
	// copied to the heap.
	w.data = unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b[p:]))), n*dims)
	w.finish()
	return w, nil
}

// rowTable maps 64-bit term hashes to rows: open addressing with linear
// probing in a power-of-two table at most half full, a slot holding its
// hash and row together, so that a lookup is usually one cache line (a
// Go map was 0.2 s of a full index of GOROOT).
type rowTable struct {
	slots []rowSlot
	mask  uint64
	n     int
}

type rowSlot struct {
	hash uint64
	row  int32 // -1: empty
}

func newRowTable(n int) rowTable {
	size := 16
	for size < 2*n {
		size *= 2
	}
	t := rowTable{slots: make([]rowSlot, size), mask: uint64(size - 1)}
	for i := range t.slots {
		t.slots[i].row = -1
	}
	return t
}

// put sets the row of hash h, replacing any.
func (t *rowTable) put(h uint64, row int32) {
	for i := mix(h) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.row < 0 {
			*s = rowSlot{h, row}
			t.n++
			return
		}
		if s.hash == h {
			s.row = row
			return
		}
	}
}

// get returns the row of hash h.
func (t *rowTable) get(h uint64) (int32, bool) {
	for i := mix(h) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.row < 0 {
			return 0, false
		}
		if s.hash == h {
			return s.row, true
		}
	}
}
