package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sync"

	"workspace-qdrant-mcp/internal/half"
)

// vectorIndex is the in-memory copy of every chunk's dense vector, grouped
// by collection, searched exactly by brute force. It is not safe for
// concurrent use; Store.mu guards it.
type vectorIndex struct {
	sets map[string]*vectorSet
	// ids maps every chunk's id to its rid, in every collection: the
	// table has no index on ids (schema version 6), so ChunkTexts finds
	// a chunk's row by rid, and a write checks here that no id repeats.
	ids map[string]int64
	// terms is every chunk's analyzed text, of all collections; nil
	// until the background build installs it (see termbuild.go), and for
	// good when that build failed.
	terms *termIndex
	// texts keeps texts searches returned; see chunkinfo.go.
	texts textCache
	// termLog, while building is set, lists the keyword changes
	// committed since the snapshot the build reads, in commit order, for
	// the build to replay onto what it read.
	termLog  []termOp
	building bool
}

// indexChange is an update to apply to the index once the transaction
// that made it has committed.
type indexChange func(*vectorIndex)

// vectorSet holds one collection's vectors, normalised and rounded to
// float16 (half the bytes of float32; see codec.go), in fixed-size blocks of
// blockVectors vectors each, so that a scan walks memory sequentially and
// allocates nothing per candidate, and so that adding a vector never
// copies the vectors already held: a single growing slab would be copied
// on every reallocation and, while it is, held twice.
type vectorSet struct {
	dims   int
	blocks [][]uint16 // slot i is vector(i), float16; every block but the last is full
	spare  []uint16   // an emptied block kept for reuse, or nil
	// qblocks hold the int8 copies of the vectors, slot for slot (see
	// quant.go), when quant is set; qspare is spare's.
	quant   bool
	qblocks [][]int8
	qspare  []int8
	items   []item          // slot i describes vector(i)
	slots   map[int64]int32 // chunk rid -> slot
	scratch []float32       // dims values, for add
}

// blockShift sets the block size: 1024 vectors, 768 kB at 384 dimensions.
const (
	blockShift   = 10
	blockVectors = 1 << blockShift
)

// item is what a search needs to know about a vector besides its values.
type item struct {
	rid      int64
	id       string
	path     string
	language string
	scale    float32    // of the vector's int8 copy
	info     *chunkInfo // the rest of the chunk but its text and hash
}

func newVectorIndex() *vectorIndex {
	return &vectorIndex{sets: make(map[string]*vectorSet), ids: make(map[string]int64), terms: newTermIndex(nil)}
}

// ensureSet adds an empty set for a collection unless it has one.
func (ix *vectorIndex) ensureSet(collection string, dims int) *vectorSet {
	vs := ix.sets[collection]
	if vs == nil {
		vs = &vectorSet{dims: dims, slots: make(map[int64]int32), quant: keepsQuant(dims)}
		ix.sets[collection] = vs
	}
	return vs
}

// size returns the number of vectors in every collection.
func (ix *vectorIndex) size() int {
	n := 0
	for _, vs := range ix.sets {
		n += len(vs.items)
	}
	return n
}

// find returns the entry of chunk rid, looking only in collection unless
// it is "".
func (ix *vectorIndex) find(collection string, rid int64) (*item, bool) {
	if collection != "" {
		return ix.sets[collection].find(rid)
	}
	for _, vs := range ix.sets {
		if it, ok := vs.find(rid); ok {
			return it, true
		}
	}
	return nil, false
}

// find returns the entry of chunk rid; vs may be nil.
func (vs *vectorSet) find(rid int64) (*item, bool) {
	if vs == nil {
		return nil, false
	}
	slot, ok := vs.slots[rid]
	if !ok {
		return nil, false
	}
	return &vs.items[slot], true
}

// vector returns the float16 values in slot, which must be in use.
func (vs *vectorSet) vector(slot int) []uint16 {
	d := vs.dims
	off := (slot & (blockVectors - 1)) * d
	return vs.blocks[slot>>blockShift][off : off+d : off+d]
}

// score returns the cosine similarity of q, which must be L2-normalised,
// with the vector in slot.
func (vs *vectorSet) score(q []float32, slot int) float32 {
	return half.Dot(q, vs.vector(slot))
}

// qvector returns the int8 copy in slot, which must be in use.
func (vs *vectorSet) qvector(slot int) []int8 {
	d := vs.dims
	off := (slot & (blockVectors - 1)) * d
	return vs.qblocks[slot>>blockShift][off : off+d : off+d]
}

// grow makes room for n more item entries without reallocating, and
// sizes the first block when the set is empty, so that loading a store
// allocates each block once.
func (vs *vectorSet) grow(n int) {
	vs.items = slices.Grow(vs.items, n)
	if len(vs.blocks) == 0 && n > 0 {
		vs.blocks = append(vs.blocks, make([]uint16, 0, min(n, blockVectors)*vs.dims))
		if vs.quant {
			vs.qblocks = append(vs.qblocks, make([]int8, 0, min(n, blockVectors)*vs.dims))
		}
	}
}

// next returns the float16 storage for a new vector in the next free slot,
// len(vs.items), extending the last block or starting a new one, and that
// of its int8 copy (nil unless vs.quant).
func (vs *vectorSet) next() ([]uint16, []int8) {
	b, d := len(vs.items)>>blockShift, vs.dims
	if b == len(vs.blocks) {
		block, qblock := vs.spare, vs.qspare
		vs.spare, vs.qspare = nil, nil
		// The first block grows as needed, so that small sets stay
		// small; later ones are allocated whole.
		size := blockVectors
		if b == 0 {
			size = 1
		}
		if block == nil {
			block = make([]uint16, 0, size*d)
		}
		if qblock == nil && vs.quant {
			qblock = make([]int8, 0, size*d)
		}
		vs.blocks = append(vs.blocks, block)
		if vs.quant {
			vs.qblocks = append(vs.qblocks, qblock)
		}
	}
	block := vs.blocks[b]
	start := len(block)
	vs.blocks[b] = slices.Grow(block, d)[:start+d]
	vec := vs.blocks[b][start : start+d : start+d]
	if !vs.quant {
		return vec, nil
	}
	qblock := vs.qblocks[b]
	vs.qblocks[b] = slices.Grow(qblock, d)[:start+d]
	return vec, vs.qblocks[b][start : start+d : start+d]
}

// add stores a normalised copy of vec, which must have vs.dims values,
// as loading it from the store would (see storeVector).
func (vs *vectorSet) add(it item, vec []float32) {
	if vs.scratch == nil {
		vs.scratch = make([]float32, vs.dims)
	}
	dst, qdst := vs.next()
	it.scale = prepareVector(dst, qdst, vec, halfBlob(vec), vs.scratch)
	vs.append(it)
}

// preparedVector is a vector as a set holds it, made by prepareVector
// before a write takes its locks.
type preparedVector struct {
	half  []uint16 // normalised, float16
	quant []int8   // its int8 copy, or nil when sets of its size keep none
	scale float32  // of quant
}

// addPrepared stores v, which must have vs.dims values, for it.
func (vs *vectorSet) addPrepared(it item, v preparedVector) {
	dst, qdst := vs.next()
	copy(dst, v.half)
	if qdst != nil {
		if v.quant == nil { // not made for this set
			v.scale = quantizeHalf(qdst, dst, make([]float32, vs.dims))
		} else {
			copy(qdst, v.quant)
		}
		it.scale = v.scale
	}
	vs.append(it)
}

// keepsQuant reports whether a set of vectors of dims values keeps int8
// copies of them.
func keepsQuant(dims int) bool { return quantFirstPass && dims <= maxQuantDims }

// prepareVector stores in dst the normalised float16 copy of vec that
// loading it from the store gives (see storeVector) and, unless qdst is
// nil, its int8 copy in qdst, returning that copy's scale. isHalf is
// halfBlob(vec); scratch holds len(vec) values.
func prepareVector(dst []uint16, qdst []int8, vec []float32, isHalf bool, scratch []float32) float32 {
	if isHalf { // round as its blob holds it
		half.Encode(dst, vec)
		half.Decode(scratch, dst)
	} else {
		copy(scratch, vec)
	}
	storeVector(dst, scratch)
	if qdst == nil {
		return 0
	}
	return quantizeHalf(qdst, dst, scratch)
}

// storeVector normalises v, as read from a chunk's blob, and stores it in
// dst as float16.
func storeVector(dst []uint16, v []float32) {
	normalize(v)
	half.Encode(dst, v)
}

// quantizeHalf stores the int8 copy of the float16 vector h in dst and
// returns its scale (see quantize); scratch holds len(h) values.
func quantizeHalf(dst []int8, h []uint16, scratch []float32) float32 {
	half.Decode(scratch, h)
	return quantize(dst, scratch)
}

// append records the entry of the vector just stored in the next slot.
func (vs *vectorSet) append(it item) {
	vs.slots[it.rid] = int32(len(vs.items))
	vs.items = append(vs.items, it)
}

// remove deletes the vector of chunk rid, moving the last vector into its
// slot.
func (vs *vectorSet) remove(rid int64) {
	slot, ok := vs.slots[rid]
	if !ok {
		return
	}
	delete(vs.slots, rid)
	if in := vs.items[slot].info; in != nil {
		*in = chunkInfo{} // drop its strings: it may share an allocation with live ones
	}
	last := int32(len(vs.items) - 1)
	if slot != last {
		copy(vs.vector(int(slot)), vs.vector(int(last)))
		if vs.quant {
			copy(vs.qvector(int(slot)), vs.qvector(int(last)))
		}
		vs.items[slot] = vs.items[last]
		vs.slots[vs.items[slot].rid] = slot
	}
	vs.items[last] = item{} // drop the strings
	vs.items = vs.items[:last]
	b := int(last) >> blockShift
	vs.blocks[b] = vs.blocks[b][:len(vs.blocks[b])-vs.dims]
	if vs.quant {
		vs.qblocks[b] = vs.qblocks[b][:len(vs.qblocks[b])-vs.dims]
	}
	if len(vs.blocks[b]) == 0 && b > 0 {
		// Keep one emptied block, so that a set whose size goes back and
		// forth across a block boundary does not allocate each time.
		vs.spare = vs.blocks[b]
		vs.blocks[b] = nil
		vs.blocks = vs.blocks[:b]
		if vs.quant {
			vs.qspare = vs.qblocks[b]
			vs.qblocks[b] = nil
			vs.qblocks = vs.qblocks[:b]
		}
	}
}

// search offers every vector accept admits to top; see searchBlock.
func (vs *vectorSet) search(q []float32, accept func(*item) bool, top *topK) {
	for b := range vs.blocks {
		vs.searchBlock(b, q, accept, top)
	}
}

// searchBlock offers every vector of block b that accept admits (nil
// admits all) to top, scored by cosine similarity with q, which must be
// L2-normalised (to float16 precision: see half.Dot).
func (vs *vectorSet) searchBlock(b int, q []float32, accept func(*item) bool, top *topK) {
	d := vs.dims
	block := vs.blocks[b]
	items := vs.items[b<<blockShift:]
	for j := range len(block) / d {
		it := &items[j]
		if accept != nil && !accept(it) {
			continue
		}
		top.offer(float64(half.Dot(q, block[j*d:(j+1)*d])), it.rid, it.id)
	}
}

// searchBlockQuant is searchBlock on the int8 copies, with q quantised
// by quantizeQuery: the scores offered are the int8 dot products scaled
// by each vector's factor, proportional to an approximation of the
// cosine similarity.
func (vs *vectorSet) searchBlockQuant(b int, q []int16, accept func(*item) bool, top *topK) {
	d := vs.dims
	block := vs.qblocks[b]
	items := vs.items[b<<blockShift:]
	for j := range len(block) / d {
		it := &items[j]
		if accept != nil && !accept(it) {
			continue
		}
		top.offer(float64(dotI8(q, block[j*d:(j+1)*d]))*float64(it.scale), it.rid, it.id)
	}
}

// normalize scales v to unit length in place; a zero vector stays zero.
func normalize(v []float32) {
	n := math.Sqrt(float64(dot(v, v)))
	if n == 0 {
		return
	}
	inv := float32(1 / n)
	for i := range v {
		v[i] *= inv
	}
}

// dotGeneric returns the dot product of a and b[:len(a)], unrolled so
// that eight independent sums keep the floating point units busy.
func dotGeneric(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	for len(a) >= 8 {
		s0 += a[0] * b[0]
		s1 += a[1] * b[1]
		s2 += a[2] * b[2]
		s3 += a[3] * b[3]
		s4 += a[4] * b[4]
		s5 += a[5] * b[5]
		s6 += a[6] * b[6]
		s7 += a[7] * b[7]
		a, b = a[8:], b[8:]
	}
	for i := range a {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7)
}

// loadIndex reads every collection and vector from the database. The
// keyword index is not loaded: it is built in the background (see
// termbuild.go), so ix.terms is nil.
func loadIndex(ctx context.Context, db *sql.DB) (*vectorIndex, error) {
	ix := &vectorIndex{sets: make(map[string]*vectorSet), ids: make(map[string]int64)}
	if err := loadSets(ctx, db, ix); err != nil {
		return nil, fmt.Errorf("load collections: %w", err)
	}
	if err := loadVectors(ctx, db, ix); err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	return ix, nil
}

// loadSets creates a set for every collection, sized for its chunks.
func loadSets(ctx context.Context, db *sql.DB, ix *vectorIndex) error {
	rows, err := db.QueryContext(ctx, `
		SELECT name, dims, (SELECT count(*) FROM chunks WHERE chunks.collection = collections.name)
		FROM collections`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var dims, chunks int
		if err := rows.Scan(&name, &dims, &chunks); err != nil {
			return err
		}
		ix.ensureSet(name, dims).grow(chunks)
	}
	return rows.Err()
}

// loadVectors adds every chunk's vector to its collection's set. The
// int8 copies (see quant.go) are made by a second goroutine, a full
// block at a time while later rows are read, and the rest once all are:
// on a store of 57k vectors that takes a fifth off opening it.
func loadVectors(ctx context.Context, db *sql.DB, ix *vectorIndex) error {
	q := newBlockQuantizer()
	err := readVectors(ctx, db, ix, q)
	q.finish(ix)
	return err
}

// readVectors reads every chunk's vector into its set, without its int8
// copy, and hands each block it fills to q.
func readVectors(ctx context.Context, db *sql.DB, ix *vectorIndex, q *blockQuantizer) error {
	rows, err := db.QueryContext(ctx, `SELECT rid, id, collection, path, language, doc_id, kind, title,
		ordinal, start_line, end_line, metadata, dense FROM chunks`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		doc       *docInfo
		languages = make(map[string]string) // to hold each language once
		infos     []chunkInfo
		meta      string    // the last chunk's, checked, shared by the next chunks that have the same
		stored    = "\x00"  // as stored
		scratch   []float32 // a vector decoded
	)
	for rows.Next() {
		if len(infos) == cap(infos) {
			infos = make([]chunkInfo, 0, blockVectors) // one allocation for many
		}
		infos = infos[:len(infos)+1]
		in := &infos[len(infos)-1]
		var (
			it item
			// Read in place, and copied only when they differ from the
			// last chunk's: a document's chunks share them.
			collection, path, language, docID, kind, title, rawMeta, blob sql.RawBytes
		)
		if err := rows.Scan(&it.rid, &it.id, &collection, &path, &language, &docID, &kind, &title,
			&in.ordinal, &in.start, &in.end, &rawMeta, &blob); err != nil {
			return err
		}
		if doc == nil || doc.id != string(docID) || doc.kind != string(kind) || doc.path != string(path) || doc.title != string(title) {
			doc = &docInfo{id: string(docID), kind: string(kind), path: string(path), title: string(title)}
		}
		in.doc, it.path = doc, doc.path
		var ok bool
		if it.language, ok = languages[string(language)]; !ok {
			it.language = string(language)
			languages[it.language] = it.language
		}
		if string(rawMeta) != stored {
			stored = string(rawMeta)
			if meta, err = checkMeta(stored); err != nil {
				return fmt.Errorf("chunk %s: %w", it.id, err)
			}
			if meta != "" {
				stored = meta // one copy
			}
		}
		in.meta = meta
		it.info = in
		vs := ix.sets[string(collection)]
		if vs == nil {
			return fmt.Errorf("chunk %s: collection %s is not listed", it.id, collection)
		}
		if len(scratch) != vs.dims {
			scratch = make([]float32, vs.dims)
		}
		if err := decodeVector(scratch, blob); err != nil {
			return fmt.Errorf("chunk %s: %w", it.id, err)
		}
		dst, _ := vs.next()
		storeVector(dst, scratch)
		vs.append(it) // the int8 copy is q's
		ix.ids[it.id] = it.rid
		if vs.quant && len(vs.items)&(blockVectors-1) == 0 {
			q.block(vs, len(vs.items)/blockVectors-1)
		}
	}
	return rows.Err()
}

// blockQuantizer makes the int8 copies of loaded blocks on a goroutine of
// its own.
type blockQuantizer struct {
	jobs chan *quantJob
	done []*quantJob // every job sent, in order
	wg   sync.WaitGroup
}

// quantJob is a block of vectors to quantise: its slots from first on.
// Its blocks never move once full (see vectorSet.next), and the scales
// are copied into the set's items by finish, after the goroutine ends.
type quantJob struct {
	vs     *vectorSet
	first  int
	vecs   []uint16
	qvecs  []int8
	scales []float32
}

func newBlockQuantizer() *blockQuantizer {
	q := &blockQuantizer{jobs: make(chan *quantJob, 4)}
	q.wg.Go(func() {
		var scratch []float32
		for j := range q.jobs {
			d := j.vs.dims
			if len(scratch) != d {
				scratch = make([]float32, d)
			}
			for i := range j.scales {
				j.scales[i] = quantizeHalf(j.qvecs[i*d:(i+1)*d], j.vecs[i*d:(i+1)*d], scratch)
			}
		}
	})
	return q
}

// block queues block b of vs, which must be full or never change again.
func (q *blockQuantizer) block(vs *vectorSet, b int) {
	vecs := vs.blocks[b]
	j := &quantJob{vs: vs, first: b * blockVectors, vecs: vecs, qvecs: vs.qblocks[b], scales: make([]float32, len(vecs)/vs.dims)}
	q.done = append(q.done, j)
	q.jobs <- j
}

// finish queues the last, partial block of each set, waits for the
// goroutine and records every vector's scale.
func (q *blockQuantizer) finish(ix *vectorIndex) {
	for _, vs := range ix.sets {
		if n := len(vs.items); vs.quant && n&(blockVectors-1) != 0 {
			q.block(vs, n/blockVectors)
		}
	}
	close(q.jobs)
	q.wg.Wait()
	for _, j := range q.done {
		for i, scale := range j.scales {
			j.vs.items[j.first+i].scale = scale
		}
	}
}
