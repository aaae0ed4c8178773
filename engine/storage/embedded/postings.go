package embedded

import (
	"encoding/binary"
	"math/bits"
)

// postings holds the posting lists of a keyword index, one for each term
// number, with their bytes in an arena of large blocks. A list is a few
// integers, no pointer: the garbage collector marks a handful of blocks
// instead of a slice per term (182k on GOROOT) on every cycle, and a
// list that outgrows its room moves to a larger region, taken from the
// regions others left or from the last block, instead of allocating.
//
// A list's bytes are, for each posting in increasing doc number, the
// uvarint of the doc number's difference from the previous one's (from
// 0 for the first), then the uvarint of the count. Most differences and
// counts take a byte, so a posting takes about 2.5 bytes instead of 8.
type postings struct {
	lists  []postingList // by term number
	blocks [][]byte      // the arena: full blocks, then the one being filled
	// free lists the regions lists moved out of, by size class, as
	// refs, for the next list of the class.
	free      [][]uint64
	blockSize int // bytes of a block; a larger region gets one of its own
}

// postingList is one term's list: its region of the arena and where its
// bytes end there.
type postingList struct {
	ref   uint64 // block<<32 | offset of its region
	size  uint32 // bytes used
	class int8   // size class of its region (minRegion<<class bytes); -1: none yet
	n     uint32 // postings
	last  uint32 // doc number of the last one
}

// minRegion is the size of the smallest region, class 0: room for a few
// postings.
const minRegion = 8

// arenaBlockSize is the size of an arena block.
const arenaBlockSize = 1 << 20

func newPostings(blockSize int) postings { return postings{blockSize: blockSize} }

// regionBytes is the size of a region of class c.
func regionBytes(c int8) int { return minRegion << c }

// push appends a posting for doc to term number id's list; doc must be
// above any in it.
func (p *postings) push(id, doc, tf uint32) {
	if int(id) >= len(p.lists) {
		grow := int(id) + 1 - len(p.lists)
		for range grow {
			p.lists = append(p.lists, postingList{class: -1})
		}
	}
	l := &p.lists[id]
	var tmp [2 * binary.MaxVarintLen32]byte
	b := binary.AppendUvarint(tmp[:0], uint64(doc-l.last))
	b = binary.AppendUvarint(b, uint64(tf))
	need := int(l.size) + len(b)
	if l.class < 0 || need > regionBytes(l.class) {
		p.move(l, need)
	}
	copy(p.region(l.ref, int(l.size)+len(b))[l.size:], b)
	l.size += uint32(len(b))
	l.last = doc
	l.n++
}

// move gives l a region of at least need bytes, with its bytes, and frees
// the one it had.
func (p *postings) move(l *postingList, need int) {
	c := int8(0)
	if need > minRegion {
		c = int8(bits.Len(uint((need - 1) / minRegion)))
	}
	ref := p.alloc(c)
	if l.class >= 0 {
		copy(p.region(ref, int(l.size)), p.region(l.ref, int(l.size)))
		p.free[l.class] = append(p.free[l.class], l.ref)
	}
	l.ref, l.class = ref, c
}

// alloc returns a region of class c: one freed, else the end of the last
// block, else a new block (or a block of its own when it is larger than
// a block).
func (p *postings) alloc(c int8) uint64 {
	for int(c) >= len(p.free) {
		p.free = append(p.free, nil)
	}
	if f := p.free[c]; len(f) > 0 {
		p.free[c] = f[:len(f)-1]
		return f[len(f)-1]
	}
	size := regionBytes(c)
	if size > p.blockSize {
		p.blocks = append(p.blocks, make([]byte, size))
		// A block of its own is the last one for no longer than it
		// takes to fill: the next region starts a new block.
		return uint64(len(p.blocks)-1) << 32
	}
	last := len(p.blocks) - 1
	if last < 0 || cap(p.blocks[last])-len(p.blocks[last]) < size {
		p.blocks = append(p.blocks, make([]byte, 0, p.blockSize))
		last++
	}
	off := len(p.blocks[last])
	p.blocks[last] = p.blocks[last][:off+size]
	return uint64(last)<<32 | uint64(off)
}

// region returns the first n bytes of the region at ref.
func (p *postings) region(ref uint64, n int) []byte {
	off := int(uint32(ref))
	return p.blocks[ref>>32][off : off+n : off+n]
}

// list returns term number id's postings, empty when it has none.
func (p *postings) list(id uint32) postingView {
	if int(id) >= len(p.lists) {
		return postingView{}
	}
	l := &p.lists[id]
	if l.class < 0 {
		return postingView{}
	}
	return postingView{data: p.region(l.ref, int(l.size)), n: l.n}
}

// terms returns how many term numbers have a list (some may be empty).
func (p *postings) terms() int { return len(p.lists) }

// postingView reads a posting list in place; it stays valid until the
// list changes.
type postingView struct {
	data []byte
	n    uint32 // postings
}

// each calls yield with every posting, in order.
func (v postingView) each(yield func(doc, tf uint32)) {
	buf, doc := v.data, uint32(0)
	for len(buf) > 0 {
		var delta, tf uint64
		if buf[0] < 0x80 {
			delta, buf = uint64(buf[0]), buf[1:]
		} else {
			var n int
			delta, n = binary.Uvarint(buf)
			buf = buf[n:]
		}
		if buf[0] < 0x80 {
			tf, buf = uint64(buf[0]), buf[1:]
		} else {
			var n int
			tf, n = binary.Uvarint(buf)
			buf = buf[n:]
		}
		doc += uint32(delta)
		yield(doc, uint32(tf))
	}
}
