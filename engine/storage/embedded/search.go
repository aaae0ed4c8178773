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
		kw, err := s.keywordLeg(ctx, q, f, q.Limit)
		if err != nil {
			return nil, err
		}
		hits = fuse(kw, nil, q.Limit, keywordOnly)
	case storage.ModeSemantic:
		hits = fuse(nil, s.semanticLeg(q, f, q.Limit), q.Limit, semanticOnly)
	default:
		if hits, err = s.hybrid(ctx, q, f); err != nil {
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
func (s *Store) hybrid(ctx context.Context, q storage.Query, f filter) ([]pending, error) {
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
	wg.Go(func() { kw, kwErr = s.keywordLeg(ctx, q, f, prefetch) })
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
		tops[w] = newTopK(k)
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
	}
	return top.sorted()
}

// scanPart is a block of a vector set for a semantic scan.
type scanPart struct {
	vs    *vectorSet
	block int
}

// keywordLeg returns the k chunks that best match the query's terms by
// BM25, best first. s.mu must be held: the filters are applied to the
// chunks' entries in the vector index, which saves joining the chunks
// table. The in-memory keyword index (keyword.go) scores every match
// exactly as FTS5's bm25() would; FTS5 itself serves the queries made
// while that index is built after Open (scoring every match, so the
// ranking is the same), and, with the preselection below, queries with a
// term the analyzer left as several FTS5 tokens (a custom analyzer's
// "c++", say), which it reads as a phrase.
func (s *Store) keywordLeg(ctx context.Context, q storage.Query, f filter, k int) ([]scored, error) {
	terms := distinctTerms(s.analyzer(q.Text))
	match := matchExpression(terms)
	if match == "" {
		return nil, nil
	}
	if found, ok := s.keywordIndexed(q.Collection, terms, f.itemFilter(), k); ok {
		return found, nil
	}
	if s.index.terms == nil {
		// The in-memory index is being built: FTS5 scores every match,
		// as that index would.
		return s.keywordCandidates(ctx, q, f, k, match, "")
	}
	pre, err := s.preselection(ctx, terms)
	if err != nil {
		return nil, err
	}
	found, err := s.keywordCandidates(ctx, q, f, k, match, pre)
	if err == nil && pre != "" && len(found) < k {
		// The preselection left too few: score every match.
		found, err = s.keywordCandidates(ctx, q, f, k, match, "")
	}
	return found, err
}

// Preselection of the keyword leg. BM25 is computed by an FTS5 function
// that costs microseconds per row, so scoring every chunk that holds any
// query term (often a quarter of the index for a question in English)
// takes tens of milliseconds. When the terms match more than
// preselectBudget rows in all, the leg scores only the chunks that hold
// one of the rarest terms (as many as fit the budget together) or at
// least two of the others: a chunk holding a single common term cannot
// score much, and the scores of the chunks kept are exactly their BM25
// over all the query's terms.
const (
	preselectBudget   = 3000
	maxPreselectTerms = 8 // of the common terms; pairs grow with its square
)

// preselection returns an FTS5 expression selecting the chunks to score,
// or "" to score every match.
func (s *Store) preselection(ctx context.Context, terms []string) (string, error) {
	if len(terms) < 2 {
		return "", nil
	}
	type termDF struct {
		term string
		df   int
	}
	dfs := make([]termDF, len(terms))
	total := 0
	for i, t := range terms {
		dfs[i].term = t
		if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?`,
			matchExpression([]string{t})).Scan(&dfs[i].df); err != nil {
			return "", fmt.Errorf("keyword search: %w", err)
		}
		total += dfs[i].df
	}
	if total <= preselectBudget {
		return "", nil
	}
	slices.SortStableFunc(dfs, func(a, b termDF) int { return cmp.Compare(a.df, b.df) })
	var parts, common []string
	used := 0
	for _, d := range dfs {
		if d.df == 0 {
			continue
		}
		if used+d.df <= preselectBudget {
			used += d.df
			parts = append(parts, matchExpression([]string{d.term}))
		} else if len(common) < maxPreselectTerms {
			common = append(common, matchExpression([]string{d.term}))
		}
	}
	for i := range common {
		for j := i + 1; j < len(common); j++ {
			parts = append(parts, "("+common[i]+" AND "+common[j]+")")
		}
	}
	return strings.Join(parts, " OR "), nil
}

// keywordCandidates scores the chunks matching match, or when pre is not
// "" the ones that also match pre, and returns the k best that pass the
// filters.
func (s *Store) keywordCandidates(ctx context.Context, q storage.Query, f filter, k int, match, pre string) ([]scored, error) {
	query, args := `
		SELECT rowid, -bm25(chunks_fts) AS score FROM chunks_fts
		WHERE chunks_fts MATCH ? ORDER BY score DESC`, []any{match}
	if pre != "" {
		query, args = `
		SELECT rowid, -bm25(chunks_fts) AS score FROM chunks_fts
		WHERE chunks_fts MATCH ? AND +rowid IN (SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?)
		ORDER BY score DESC`, []any{match, pre}
	}
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("keyword search: %w", err)
	}
	defer rows.Close()
	accept := f.itemFilter()
	var found []scored
	for rows.Next() {
		var c scored
		if err := rows.Scan(&c.rid, &c.score); err != nil {
			return nil, fmt.Errorf("keyword search: %w", err)
		}
		if len(found) >= k && c.score < found[len(found)-1].score {
			break // read past the ties at the limit, so they can be ordered by id
		}
		it, ok := s.index.find(q.Collection, c.rid)
		if !ok || (accept != nil && !accept(it)) {
			continue
		}
		c.id = it.id
		found = append(found, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("keyword search: %w", err)
	}
	slices.SortFunc(found, compareScored)
	return found[:min(k, len(found))], nil
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

// matchExpression ORs the distinct terms as FTS5 strings, so that no
// character in a query can be read as FTS5 syntax. NUL, which would end
// the expression early, is dropped.
func matchExpression(terms []string) string {
	var quoted []string
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		t = strings.ReplaceAll(t, "\x00", "")
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		quoted = append(quoted, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
	}
	return strings.Join(quoted, " OR ")
}

// scoring turns the candidates of the two legs into hits.
type scoring int

const (
	keywordOnly    scoring = iota // Score is the keyword score
	semanticOnly                  // Score is the semantic score
	reciprocalRank                // Score is the fused reciprocal rank
)

// pending is a hit whose chunk is not loaded yet: Hit.Chunk has only its
// ID.
type pending struct {
	rid int64
	hit storage.Hit
}

// fuse merges the legs' candidates, each best first, into at most limit
// hits, best first, with ranks and raw scores filled. It sorts small
// entries and builds the hits, whose chunks are large, only for those
// kept.
func fuse(keyword, semantic []scored, limit int, how scoring) []pending {
	type entry struct {
		rid int64
		id  string
		hit *storage.Hit // ranks and raw scores only
	}
	legs := make([]storage.Hit, 0, len(keyword)+len(semantic))
	entries := make([]entry, 0, cap(legs))
	byRID := make(map[int64]int, cap(legs))
	hit := func(c scored) *storage.Hit {
		i, ok := byRID[c.rid]
		if !ok {
			i = len(entries)
			byRID[c.rid] = i
			legs = append(legs, storage.Hit{})
			entries = append(entries, entry{rid: c.rid, id: c.id})
		}
		return &legs[i]
	}
	for i, c := range keyword {
		h := hit(c)
		h.KeywordRank, h.KeywordScore = i+1, c.score
	}
	for i, c := range semantic {
		h := hit(c)
		h.SemanticRank, h.SemanticScore = i+1, c.score
	}
	for i := range entries {
		entries[i].hit = &legs[i]
		legs[i].Score = score(&legs[i], how)
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if c := cmp.Compare(b.hit.Score, a.hit.Score); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	hits := make([]pending, min(limit, len(entries)))
	for i := range hits {
		e := entries[i]
		hits[i] = pending{rid: e.rid, hit: *e.hit}
		hits[i].hit.Chunk.ID = e.id
	}
	return hits
}

// score returns a hit's final score.
func score(h *storage.Hit, how scoring) float64 {
	switch how {
	case keywordOnly:
		return h.KeywordScore
	case semanticOnly:
		return h.SemanticScore
	}
	return storage.RRF(h.KeywordRank, 1) + storage.RRF(h.SemanticRank, 1)
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
			return nil, fmt.Errorf("load hits: chunk %s is found but not indexed", p.hit.Chunk.ID)
		}
		h := &out[i]
		h.Chunk = it.chunk(collection)
		h.Score, h.KeywordRank, h.SemanticRank = p.hit.Score, p.hit.KeywordRank, p.hit.SemanticRank
		h.KeywordScore, h.SemanticScore = p.hit.KeywordScore, p.hit.SemanticScore
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
		var text string
		err := s.textByID.QueryRowContext(ctx, id).Scan(&text)
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
