package embedded

import "hash/maphash"

// hashSet holds a 64-bit key of every stored chunk's hash, so that
// VectorsByHash asks SQLite only about the hashes some chunk may have: on
// a fresh index nearly every lookup would miss. Keys are maphash values
// under a seed of the process, so two hashes share a key with odds of
// about n/2^64; a shared key costs only a query that finds nothing, never
// a vector missed. It is part of termIndex, built with it at Open and
// kept in step with every committed write under Store.mu.
//
// A key held by one chunk is in one; one held by several is also in more,
// with the count beyond the first: chunks of identical text are few, so
// the set costs about one map slot of 8 bytes per chunk (9 with the map's
// control byte, about 11 to 18 at its load factors).
type hashSet struct {
	one  map[uint64]struct{}
	more map[uint64]uint32
}

var hashSeed = maphash.MakeSeed()

func hashKey(hash string) uint64 { return maphash.String(hashSeed, hash) }

func newHashSet() hashSet {
	return hashSet{one: make(map[uint64]struct{}), more: make(map[uint64]uint32)}
}

// add records a chunk holding hash.
func (h *hashSet) add(hash string) {
	k := hashKey(hash)
	if _, ok := h.one[k]; ok {
		h.more[k]++
		return
	}
	h.one[k] = struct{}{}
}

// remove forgets a chunk holding hash.
func (h *hashSet) remove(hash string) {
	k := hashKey(hash)
	switch n := h.more[k]; n {
	case 0:
		delete(h.one, k)
	case 1:
		delete(h.more, k)
	default:
		h.more[k] = n - 1
	}
}

// mayHold reports whether a chunk may hold hash: false means none does.
func (h *hashSet) mayHold(hash string) bool {
	_, ok := h.one[hashKey(hash)]
	return ok
}

// size is how many chunks the set counts.
func (h *hashSet) size() int {
	n := len(h.one)
	for _, c := range h.more {
		n += int(c)
	}
	return n
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
