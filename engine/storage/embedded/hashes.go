package embedded

import (
	"hash/maphash"
	"maps"
	"slices"
)

// hashSet holds a 64-bit key of every stored chunk's hash, so that
// VectorsByHash asks SQLite only about the hashes some chunk may have: on
// a fresh index every lookup would miss. Keys are maphash values under a
// seed of the process, so two hashes share a key with odds of about
// n/2^64; a shared key costs only a query that finds nothing, never a
// vector missed. It is part of termIndex, built with it at Open and kept
// in step with every committed write under Store.mu.
//
// It counts keys, since chunks of identical text share a hash. The keys
// are a sorted slice (8 bytes a chunk; a Go map of them costs about 29),
// and the changes since it was last sorted are in two small maps, merged
// into it once they hold more than a sixteenth as many keys: about 10
// bytes a chunk in all, and a merge costs a pass over the slice.
type hashSet struct {
	sorted         []uint64 // with repeats
	added, removed map[uint64]uint32
}

var hashSeed = maphash.MakeSeed()

func hashKey(hash string) uint64 { return maphash.String(hashSeed, hash) }

func newHashSet() hashSet {
	return hashSet{added: make(map[uint64]uint32), removed: make(map[uint64]uint32)}
}

// add records a chunk holding hash.
func (h *hashSet) add(hash string) {
	k := hashKey(hash)
	if n := h.removed[k]; n > 0 { // one removed since the merge comes back
		h.setCount(h.removed, k, n-1)
		return
	}
	h.added[k]++
	h.maybeMerge()
}

// remove forgets a chunk holding hash.
func (h *hashSet) remove(hash string) {
	k := hashKey(hash)
	if n := h.added[k]; n > 0 {
		h.setCount(h.added, k, n-1)
		return
	}
	h.removed[k]++
	h.maybeMerge()
}

func (h *hashSet) setCount(m map[uint64]uint32, k uint64, n uint32) {
	if n == 0 {
		delete(m, k)
	} else {
		m[k] = n
	}
}

// count returns how many chunks hold key k.
func (h *hashSet) count(k uint64) int {
	i, found := slices.BinarySearch(h.sorted, k)
	n := 0
	if found {
		for j := i; j < len(h.sorted) && h.sorted[j] == k; j++ {
			n++
		}
	}
	return n + int(h.added[k]) - int(h.removed[k])
}

// mayHold reports whether a chunk may hold hash: false means none does.
func (h *hashSet) mayHold(hash string) bool { return h.count(hashKey(hash)) > 0 }

// size is how many chunks the set counts.
func (h *hashSet) size() int {
	n := len(h.sorted)
	for _, c := range h.added {
		n += int(c)
	}
	for _, c := range h.removed {
		n -= int(c)
	}
	return n
}

// maybeMerge merges the changes into the sorted keys once they are many.
func (h *hashSet) maybeMerge() {
	if len(h.added)+len(h.removed) > 1024+len(h.sorted)/16 {
		h.merge()
	}
}

// merge applies the changes to the sorted keys.
func (h *hashSet) merge() {
	add := make([]uint64, 0, len(h.added))
	for k, n := range h.added {
		for range n {
			add = append(add, k)
		}
	}
	slices.Sort(add)
	out := make([]uint64, 0, len(h.sorted)+len(add))
	i := 0
	for _, k := range h.sorted {
		for i < len(add) && add[i] < k {
			out, i = append(out, add[i]), i+1
		}
		if n := h.removed[k]; n > 0 {
			h.setCount(h.removed, k, n-1)
			continue
		}
		out = append(out, k)
	}
	h.sorted = append(out, add[i:]...)
	clear(h.added)
	clear(h.removed) // none left but for keys no chunk had, which never happens
}

// equal reports whether h and o count the same keys.
func (h *hashSet) equal(o *hashSet) bool {
	a, b := *h, *o
	a.sorted, b.sorted = slices.Clone(a.sorted), slices.Clone(b.sorted)
	a.added, a.removed = maps.Clone(h.added), maps.Clone(h.removed)
	b.added, b.removed = maps.Clone(o.added), maps.Clone(o.removed)
	a.merge()
	b.merge()
	return slices.Equal(a.sorted, b.sorted)
}

// mayHold returns the hashes some stored chunk may have, leaving out
// those the keyword index's hash set says none has; all of them until
// that index is built.
func (s *Store) mayHold(hashes []string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ti := s.index.terms
	if ti == nil {
		return hashes
	}
	kept := make([]string, 0, len(hashes))
	for _, h := range hashes {
		if ti.hashes.mayHold(h) {
			kept = append(kept, h)
		}
	}
	return kept
}
