package embedded

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"workspace-qdrant-mcp/engine/storage"
)

// minPrefetch is the least number of candidates each hybrid leg fetches by
// default.
const minPrefetch = 50

// Search runs a keyword, semantic or hybrid query.
//
// Filters apply inside each leg, before its limit. A keyword or semantic
// search scores hits with that leg's raw score (BM25, higher is better, or
// cosine similarity); a hybrid search scores them by reciprocal rank
// fusion, Σ 1/(60+rank). Ties are broken by chunk id.
//
// PathGlob is a doublestar pattern matched against the chunk's absolute
// path and against every suffix of it that starts after a '/', so both
// "**/*_test.go" and "engine/*.go" work; a leading "!" keeps the chunks
// that do not match instead. Notes have no path: they never match.
//
// Without a Collection, the semantic leg scans every collection whose
// vector size is the query vector's.
func (s *Store) Search(ctx context.Context, q storage.Query) ([]storage.Hit, error) {
	hits, err := s.search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return hits, nil
}

func (s *Store) search(ctx context.Context, q storage.Query) ([]storage.Hit, error) {
	mode, err := storage.QueryMode(q)
	if err != nil {
		return nil, err
	}
	f, err := newFilter(q)
	if err != nil {
		return nil, err
	}
	// Before entering, so that Close need not wait for the build.
	if err := s.awaitKeywordIndex(ctx, mode); err != nil {
		return nil, err
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.life.RUnlock()
	// Held until the hits are loaded: no write commits meanwhile, so the
	// keyword leg, the vector index and the loaded chunks agree.
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkCollection(q, mode); err != nil {
		return nil, err
	}
	var hits []pending
	switch mode {
	case storage.ModeKeyword:
		kw, err := s.keywordLeg(q, f, q.Limit)
		if err != nil {
			return nil, err
		}
		hits = fuse(kw, nil, q.Limit, keywordOnly)
	case storage.ModeSemantic:
		hits = fuse(nil, s.semanticLeg(q, f, q.Limit), q.Limit, semanticOnly)
	default:
		if hits, err = s.hybrid(q, f); err != nil {
			return nil, err
		}
	}
	return s.loadChunks(ctx, hits, q.OmitText)
}

// checkCollection checks that the collection searched exists and, when
// the query vector is used, has its size. s.mu must be held.
func (s *Store) checkCollection(q storage.Query, mode string) error {
	if q.Collection == "" {
		return nil
	}
	vs, ok := s.index.sets[q.Collection]
	if !ok {
		return fmt.Errorf("collection %s: %w", q.Collection, storage.ErrNotFound)
	}
	if mode != storage.ModeKeyword && vs.dims != len(q.Dense) {
		return fmt.Errorf("query vector has %d dimensions, collection %s has %d: %w",
			len(q.Dense), q.Collection, vs.dims, storage.ErrDimensionMismatch)
	}
	return nil
}

// hybrid runs both legs concurrently and fuses their candidates.
func (s *Store) hybrid(q storage.Query, f filter) ([]pending, error) {
	prefetch := q.Prefetch
	if prefetch <= 0 {
		prefetch = max(4*q.Limit, minPrefetch)
	}
	prefetch = max(prefetch, q.Limit)
	var (
		wg    sync.WaitGroup
		kw    []scored
		kwErr error
	)
	wg.Go(func() { kw, kwErr = s.keywordLeg(q, f, prefetch) })
	sem := s.semanticLeg(q, f, prefetch)
	wg.Wait()
	if kwErr != nil {
		return nil, kwErr
	}
	return fuse(kw, sem, q.Limit, reciprocalRank), nil
}

// semanticLeg returns the k chunks whose vectors are most similar to the
// query's, best first. s.mu must be held.
//
// When the sets keep int8 copies (see quant.go) and hold at least
// quantMinVectors(k) vectors, the scan ranks those and the best
// rescoreCount(k) are rescored exactly; otherwise every float32 vector is
// scored. The scan is split by blocks across up to
// scanWorkers goroutines, each keeping its own best candidates, which are
// merged: that gives what a single scan gives, since candidates are
// totally ordered (score, then unique chunk id).
func (s *Store) semanticLeg(q storage.Query, f filter, k int) []scored {
	query := slices.Clone(q.Dense)
	normalize(query)
	var parts []scanPart
	quant, vectors := true, 0
	for name, vs := range s.index.sets {
		if (q.Collection == "" || name == q.Collection) && vs.dims == len(query) {
			for b := range vs.blocks {
				parts = append(parts, scanPart{vs, b})
			}
			quant = quant && vs.quant
			vectors += len(vs.items)
		}
	}
	if !quant || vectors < quantMinVectors(k) {
		return scanParts(parts, f, k, func(p scanPart, accept func(*item) bool, top *topK) {
			p.vs.searchBlock(p.block, query, accept, top)
		})
	}
	qq := quantizeQuery(query)
	candidates := scanParts(parts, f, rescoreCount(k), func(p scanPart, accept func(*item) bool, top *topK) {
		p.vs.searchBlockQuant(p.block, qq, accept, top)
	})
	top := newTopK(k)
	for _, c := range candidates {
		for _, p := range parts {
			if slot, ok := p.vs.slots[c.rid]; ok {
				top.offer(float64(p.vs.score(query, int(slot))), c.rid, c.id)
				break
			}
		}
	}
	return top.sorted()
}

// scanWorkers bounds the goroutines of a semantic scan. The quantised
// scan reads memory about as fast as one core computes, and the keyword
// leg runs beside it.

func scanWorkers() int { return min(2, runtime.GOMAXPROCS(0)) }

// scanParts runs scan over every part, offering the candidates the
// filter admits, and returns the k best, best first.
func scanParts(parts []scanPart, f filter, k int, scan func(scanPart, func(*item) bool, *topK)) []scored {
	workers := min(scanWorkers(), len(parts))
	if workers <= 1 {
		top := newTopK(k)
		accept := f.itemFilter()
		for _, p := range parts {
			scan(p, accept, top)
		}
		return top.sorted()
	}
	tops := make([]*topK, workers)
	var wg sync.WaitGroup
	for w := range workers {
		if w == 0 {
			tops[w] = newTopK(k) // its buffer is returned
		} else {
			tops[w] = newPooledTopK(k) // merged into tops[0], then released
		}
		wg.Go(func() {
			accept := f.itemFilter() // not shareable between goroutines
			for i := w; i < len(parts); i += workers {
				scan(parts[i], accept, tops[w])
			}
		})
	}
	wg.Wait()
	top := tops[0]
	for _, t := range tops[1:] {
		for _, c := range t.h {
			top.offer(c.score, c.rid, c.id)
		}
		t.release()
	}
	return top.sorted()
}

// scanPart is a block of a vector set for a semantic scan.
type scanPart struct {
	vs    *vectorSet
	block int
}

// keywordLeg returns the k chunks that best match the query's terms by
// BM25, best first, from the keyword index (keyword.go), which the search
// waited for. s.mu must be held: the filters are applied to the chunks'
// entries in the vector index, which saves joining the chunks table.
func (s *Store) keywordLeg(q storage.Query, f filter, k int) ([]scored, error) {
	terms := distinctTerms(s.analyzer(q.Text))
	if len(terms) == 0 {
		return nil, nil
	}
	if s.index.terms == nil {
		// Its build failed, which awaitKeywordIndex reported.
		return nil, errors.New("keyword search: no keyword index")
	}
	return s.keywordIndexed(q.Collection, terms, f.definesSignature(), f.itemFilter(), k), nil
}

// awaitKeywordIndex waits, bounded by ctx, for the keyword index that
// Open builds in the background, when a search of mode needs it. It must
// be called without s.mu, which the build takes to install the index.
func (s *Store) awaitKeywordIndex(ctx context.Context, mode string) error {
	if mode == storage.ModeSemantic {
		return nil
	}
	if err := s.build.wait(ctx); err != nil {
		return fmt.Errorf("keyword index: %w", err)
	}
	return nil
}

// distinctTerms returns terms without repeats, in order.
func distinctTerms(terms []string) []string {
	seen := make(map[string]bool, len(terms))
	return slices.DeleteFunc(slices.Clone(terms), func(t string) bool {
		t = strings.ReplaceAll(t, "\x00", "")
		dup := t == "" || seen[t]
		seen[t] = true
		return dup
	})
}

// scoring turns the candidates of the two legs into hits.
type scoring int

const (
	keywordOnly    scoring = iota // Score is the keyword score
	semanticOnly                  // Score is the semantic score
	reciprocalRank                // Score is the fused reciprocal rank
)

// pending is a hit whose chunk is not loaded yet: its chunk's rid and
// id and what the legs said of it.
type pending struct {
	rid int64
	id  string
	legs
}

// legs is what the two legs said of a candidate: its rank in each (from
// 1; 0 when the leg did not return it), each leg's raw score and the
// score fused from them.
type legs struct {
	keywordRank, semanticRank   int
	keywordScore, semanticScore float64
	score                       float64
}

// fuse merges the legs' candidates, each best first, into at most limit
// hits, best first, with ranks and raw scores filled. Candidates are
// small values until loadChunks builds the hits kept: a search makes up
// to 200 of them and keeps 10 or so.
func fuse(keyword, semantic []scored, limit int, how scoring) []pending {
	entries := make([]pending, 0, len(keyword)+len(semantic))
	byRID := make(map[int64]int, cap(entries))
	entry := func(c scored) *pending {
		i, ok := byRID[c.rid]
		if !ok {
			i = len(entries)
			byRID[c.rid] = i
			entries = append(entries, pending{rid: c.rid, id: c.id})
		}
		return &entries[i]
	}
	for i, c := range keyword {
		e := entry(c)
		e.keywordRank, e.keywordScore = i+1, c.score
	}
	for i, c := range semantic {
		e := entry(c)
		e.semanticRank, e.semanticScore = i+1, c.score
	}
	for i := range entries {
		entries[i].score = entries[i].fused(how)
	}
	slices.SortFunc(entries, func(a, b pending) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return entries[:min(limit, len(entries))]
}

// fused is the candidate's score as how computes it.
func (l *legs) fused(how scoring) float64 {
	switch how {
	case keywordOnly:
		return l.keywordScore
	case semanticOnly:
		return l.semanticScore
	}
	return storage.RRF(l.keywordRank, 1) + storage.RRF(l.semanticRank, 1)
}

// loadChunks returns the hits with their chunks, built from the index
// (chunkInfo); their texts and hashes are read from the database unless
// omitText is set, in which case the hits say how to read the texts
// (storage.Hit.Texts). s.mu must be held.
func (s *Store) loadChunks(ctx context.Context, hits []pending, omitText bool) ([]storage.Hit, error) {
	type named struct {
		name string
		vs   *vectorSet
	}
	sets := make([]named, 0, len(s.index.sets))
	for name, vs := range s.index.sets {
		sets = append(sets, named{name, vs})
	}
	out := make([]storage.Hit, len(hits))
	for i, p := range hits {
		var it *item
		collection := ""
		for _, set := range sets {
			if slot, ok := set.vs.slots[p.rid]; ok {
				it, collection = &set.vs.items[slot], set.name
				break
			}
		}
		if it == nil || it.info == nil {
			return nil, fmt.Errorf("load hits: chunk %s is found but not indexed", p.id)
		}
		h := &out[i]
		h.Chunk = it.chunk(collection)
		h.Score, h.KeywordRank, h.SemanticRank = p.score, p.keywordRank, p.semanticRank
		h.KeywordScore, h.SemanticScore = p.keywordScore, p.semanticScore
		if omitText {
			h.Texts = s
		}
	}
	if omitText || len(hits) == 0 {
		return out, nil
	}
	at := make(map[int64]int, len(hits))
	for i, p := range hits {
		at[p.rid] = i
	}
	loaded := 0
	for batch := range slices.Chunk(hits, maxParams) {
		n, err := s.readTextsByRID(ctx, batch, at, out)
		if err != nil {
			return nil, fmt.Errorf("load hits: %w", err)
		}
		loaded += n
	}
	if loaded != len(hits) {
		return nil, fmt.Errorf("load hits: %d of %d chunks are indexed but not stored", len(hits)-loaded, len(hits))
	}
	return out, nil
}

// readTextsByRID fills the texts and hashes of the chunks of hits into
// out (at gives a rid's index there) and returns how many it found.
func (s *Store) readTextsByRID(ctx context.Context, hits []pending, at map[int64]int, out []storage.Hit) (int, error) {
	args := make([]any, len(hits))
	for i, p := range hits {
		args[i] = p.rid
	}
	rows, err := s.reader.QueryContext(ctx,
		`SELECT rid, text, hash FROM chunks WHERE rid IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			rid        int64
			text, hash string
		)
		if err := rows.Scan(&rid, &text, &hash); err != nil {
			return 0, err
		}
		if i, ok := at[rid]; ok {
			out[i].Chunk.Text, out[i].Chunk.Hash = text, hash
			n++
		}
	}
	return n, rows.Err()
}

// ChunkTexts returns the text of each chunk of ids the store holds, by
// id, from the text cache or the database. It implements
// storage.TextReader for the hits of a search with Query.OmitText.
func (s *Store) ChunkTexts(ctx context.Context, ids []string) (map[string]string, error) {
	texts, err := s.chunkTexts(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read chunk texts: %w", err)
	}
	return texts, nil
}

func (s *Store) chunkTexts(ctx context.Context, ids []string) (map[string]string, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.life.RUnlock()
	// Held while the cache is filled: no chunk is removed meanwhile, so
	// the cache holds only texts the index describes (see textCache).
	s.mu.RLock()
	defer s.mu.RUnlock()
	texts := make(map[string]string, len(ids))
	for _, id := range ids {
		if t, ok := s.index.texts.get(id); ok {
			texts[id] = t
			continue
		}
		rid, ok := s.index.ids[id]
		if !ok {
			continue // replaced or deleted since the search
		}
		var text string
		err := s.textByRID.QueryRowContext(ctx, rid).Scan(&text)
		if errors.Is(err, sql.ErrNoRows) {
			continue // replaced or deleted since the search
		}
		if err != nil {
			return nil, fmt.Errorf("chunk %s: %w", id, err)
		}
		texts[id] = text
		s.index.texts.put(id, text)
	}
	return texts, nil
}
