package rank

import (
	"cmp"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
)

// The logic rule: a question ("how does X happen", "what happens when
// Y") is answered by the code that does X, not by the file's header. When
// a file's best chunk is its preamble — imports, constants, a class's doc
// comment and fields — and another of its candidates holds the branches,
// loops and returns that implement something, that other chunk stands
// for the file. A file's first chunk (its package clause, imports and
// the module's doc comment, which sum the file up in its own words)
// counts HeaderFactor of its score in that choice. The file keeps its
// place: the chunks of a file trade scores, so only which chunk comes
// first in the file changes.

// logicFactor is how much a chunk's logic weighs in choosing the chunk
// that stands for its file: 1 + weight × ln(1 + control-flow keywords).
func logicFactor(c storage.Chunk, weight float64) float64 {
	return 1 + weight*math.Log1p(float64(chunkFacts.get(c).Logic))
}

// factsCache keeps a chunk's facts by chunk id: an id stands for a
// chunk's document, position and text (storage.Chunk.ID), and the same
// chunks come back query after query. It forgets everything when it
// holds maxPaths entries, which bounds its memory.
type factsCache struct {
	mu sync.Mutex
	m  map[string]chunk.Facts
}

var chunkFacts factsCache

// get returns the facts of ch: those the index recorded in its metadata
// (chunk.MetaFacts), which a search that leaves the candidates' texts in
// the store relies on, else those of its text.
func (c *factsCache) get(ch storage.Chunk) chunk.Facts {
	if f, ok := chunk.ParseFacts(ch.Metadata[chunk.MetaFacts]); ok {
		return f
	}
	if ch.ID == "" {
		return chunk.ScanFacts(ch.Text)
	}
	c.mu.Lock()
	n, ok := c.m[ch.ID]
	c.mu.Unlock()
	if ok {
		return n
	}
	n = chunk.ScanFacts(ch.Text)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxPaths {
		c.m = make(map[string]chunk.Facts)
	}
	c.m[ch.ID] = n
	c.mu.Unlock()
	return n
}

// applyLogic lets, in each file, the candidate with the best score times
// its logic factor, and times header for the file's first chunk, stand
// for the file: it takes the file's best score, and the chunk that had
// it takes its score in exchange. The promoted chunk names the rule.
// weight is positive; header is in (0, 1], 1 leaving first chunks be.
func applyLogic(hits []Ranked, weight, header float64, slab *ruleSlab) {
	byDoc := make(map[string][]int)
	for i := range hits {
		if h := &hits[i]; h.Chunk.Kind == storage.KindFile && h.Score > 0 {
			byDoc[h.Chunk.DocID] = append(byDoc[h.Chunk.DocID], i)
		}
	}
	maxFactor := 1 + weight*math.Log1p(chunk.MaxLogic)
	for _, idx := range byDoc {
		if len(idx) < 2 {
			continue
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(hits[b].Score, hits[a].Score), cmp.Compare(a, b)) })
		best := idx[0]
		factor := func(c storage.Chunk) float64 {
			f := logicFactor(c, weight)
			if c.Ordinal == 0 {
				f *= header
			}
			return f
		}
		chosen, value := best, hits[best].Score*factor(hits[best].Chunk)
		for _, i := range idx[1:] {
			s := hits[i].Score
			if s*maxFactor <= value {
				break // neither this chunk nor any after it can win
			}
			if v := s * factor(hits[i].Chunk); v > value {
				chosen, value = i, v
			}
		}
		if b, c := &hits[best], &hits[chosen]; c.Score < b.Score {
			b.Score, c.Score = c.Score, b.Score
			slab.add(c, RuleLogic)
		}
	}
}

// applyDeclarations multiplies by factor the score of every chunk of a
// file that only declares what another file does, for a question that
// asks how something works: a file none of whose candidates holds a
// control-flow keyword (prototypes, an interface, types, constants,
// re-exports), and a C, C++ or Objective-C header whose source file, of
// the same name in any directory, is among the candidates
// (include/box2d/b2_contact.h beside src/dynamics/b2_contact.cpp: the
// header's inline functions and macros hold control flow, and its
// comments describe what the source does). A header that is both counts
// factor twice. Each lowered chunk names RuleDeclarations.
func applyDeclarations(hits []Ranked, factor float64, slab *ruleSlab) {
	acts := make(map[string]bool)
	sources := make(map[string]bool) // the stems of the candidates' C-family sources
	for i := range hits {
		c := hits[i].Chunk
		if c.Kind != storage.KindFile {
			continue
		}
		if !acts[c.DocID] && chunkFacts.get(c).Logic > 0 {
			acts[c.DocID] = true
		}
		if stem, kind := cFamily(c.Path); kind == cSource {
			sources[stem] = true
		}
	}
	for i := range hits {
		h := &hits[i]
		if h.Chunk.Kind != storage.KindFile {
			continue
		}
		declares, header := !acts[h.Chunk.DocID], false
		if len(sources) > 0 { // a question whose candidates hold no C source leaves headers be
			stem, kind := cFamily(h.Chunk.Path)
			header = kind == cHeader && sources[stem]
		}
		if declares {
			h.Score *= factor
		}
		if header {
			h.Score *= factor
		}
		if declares || header {
			slab.add(h, RuleDeclarations)
		}
	}
}

// The kinds of C-family files cFamily tells apart.
const (
	cOther = iota
	cHeader
	cSource
)

// cFamily returns the name of the file at p without its directory and
// extension, and whether it is a C, C++ or Objective-C header or source.
func cFamily(p string) (stem string, kind int) {
	base := filepath.Base(p)
	ext := filepath.Ext(base)
	switch strings.ToLower(ext) {
	case ".h", ".hh", ".hpp", ".hxx", ".h++":
		kind = cHeader
	case ".c", ".cc", ".cpp", ".cxx", ".c++", ".m", ".mm":
		kind = cSource
	default:
		return "", cOther
	}
	return base[:len(base)-len(ext)], kind
}
