package qdrant

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	pb "github.com/qdrant/go-client/qdrant"

	"workspace-qdrant-mcp/engine/storage"
)

// rrfK is the rank constant of reciprocal rank fusion, as in the embedded
// store: a hit ranked r by a leg scores 1/(rrfK+r).
const rrfK = 60

// minPrefetch is the least number of candidates each hybrid leg fetches by
// default.
const minPrefetch = 50

// maxFetch bounds how many points one leg asks of one collection while it
// over-fetches for a path glob.
const maxFetch = 4096

// Search runs a keyword, semantic or hybrid query.
//
// Each leg is a Qdrant query on one named vector ("keyword", sparse, or
// "dense"), with the collection, language and kind filters as Qdrant
// conditions; both legs of a collection go in one QueryBatch request. The
// legs are fused here, with reciprocal rank fusion Σ 1/(60+rank) exactly
// as the embedded store does, rather than by Qdrant's own RRF: hits must
// carry each leg's rank and raw score, points of uncommitted generations
// must not take ranks, and a search of every collection fuses across
// collections. A keyword or semantic search scores hits with that leg's
// raw score (Qdrant's sparse score with IDF, or cosine similarity). Ties
// are broken by chunk id.
//
// PathGlob is a doublestar pattern with the embedded store's meaning
// (matched against the absolute path and every suffix starting after a
// '/'; a leading "!" excludes). Qdrant cannot match globs, so the leg
// filters on kind = file (notes never match a glob), and on path = p (or,
// excluding, path ≠ p) when the pattern is an absolute path p without
// wildcards; anything else is matched here, over-fetching (4× the wanted hits, then 4× more while a
// page comes back full but too few of its points match, up to 4096 points
// per leg and collection) so that the filter applies before the limit.
//
// Without a Collection, every collection of this store is searched; the
// semantic leg skips those whose vector size is not the query vector's.
func (s *Store) Search(ctx context.Context, q storage.Query) ([]storage.Hit, error) {
	hits, err := s.search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return hits, nil
}

// candidate is a chunk found by a leg.
type candidate struct {
	score float64
	chunk storage.Chunk
}

func compareCandidates(a, b candidate) int {
	return cmp.Or(cmp.Compare(b.score, a.score), strings.Compare(a.chunk.ID, b.chunk.ID))
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

	names := []string{q.Collection}
	if q.Collection == "" {
		if names, err = s.names(ctx); err != nil {
			return nil, err
		}
	}
	semantic := map[string]bool{} // collections the semantic leg searches
	for _, name := range names {
		dims, err := s.collectionDims(ctx, name)
		if err != nil {
			if q.Collection == "" && errors.Is(err, storage.ErrNotFound) {
				continue // dropped meanwhile
			}
			return nil, err
		}
		if mode == storage.ModeKeyword {
			continue
		}
		if dims == len(q.Dense) {
			semantic[name] = true
		} else if q.Collection != "" {
			return nil, fmt.Errorf("query vector has %d dimensions, collection %s has %d: %w",
				len(q.Dense), q.Collection, dims, storage.ErrDimensionMismatch)
		}
	}

	kwWant, semWant := q.Limit, q.Limit
	if mode == storage.ModeHybrid {
		prefetch := q.Prefetch
		if prefetch <= 0 {
			prefetch = max(4*q.Limit, minPrefetch)
		}
		kwWant, semWant = max(prefetch, q.Limit), max(prefetch, q.Limit)
	}
	var keyword *pb.Query
	if mode != storage.ModeSemantic {
		if sv := s.queryVector(q.Text); len(sv.Indices) > 0 {
			keyword = pb.NewQuerySparse(sv.Indices, sv.Values)
		}
	}

	// Held from the first leg to the last head lookup: no commit of this
	// process moves a head meanwhile.
	s.commit.RLock()
	defer s.commit.RUnlock()
	var kw, sem []candidate
	for _, name := range names {
		var legs []*leg
		var kwLeg, semLeg *leg
		if keyword != nil {
			kwLeg = newLeg(keyword, SparseVector, kwWant, f)
			legs = append(legs, kwLeg)
		}
		if semantic[name] {
			semLeg = newLeg(pb.NewQueryDense(q.Dense), DenseVector, semWant, f)
			legs = append(legs, semLeg)
		}
		if len(legs) == 0 {
			continue
		}
		err := s.runLegs(ctx, name, f, legs)
		if q.Collection == "" && errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if kwLeg != nil {
			kw = append(kw, kwLeg.hits...)
		}
		if semLeg != nil {
			sem = append(sem, semLeg.hits...)
		}
	}
	slices.SortFunc(kw, compareCandidates)
	slices.SortFunc(sem, compareCandidates)
	kw, sem = kw[:min(len(kw), kwWant)], sem[:min(len(sem), semWant)]
	switch mode {
	case storage.ModeKeyword:
		return fuse(kw, nil, q.Limit, keywordOnly), nil
	case storage.ModeSemantic:
		return fuse(nil, sem, q.Limit, semanticOnly), nil
	}
	return fuse(kw, sem, q.Limit, reciprocalRank), nil
}

// filter is a query's language and path filters.
type filter struct {
	language string
	glob     string // without its leading "!"
	negate   bool
	literal  bool // glob is an absolute path without wildcards
}

func newFilter(q storage.Query) (filter, error) {
	f := filter{language: q.Language}
	var err error
	if f.glob, f.negate, err = storage.ParsePathGlob(q.PathGlob); err != nil {
		return f, err
	}
	f.literal = strings.HasPrefix(f.glob, "/") && !strings.ContainsAny(f.glob, `*?[]{}\`)
	return f, nil
}

// conditions returns the Qdrant filter of a leg: chunk points, with the
// language; for a glob, files only (notes never match one) and, for a
// literal glob, the path; for an excluding literal glob, not the path.
func (f filter) conditions() *pb.Filter {
	out := recordFilter(recChunk)
	if f.language != "" {
		out.Must = append(out.Must, pb.NewMatchKeyword(fLanguage, f.language))
	}
	switch {
	case f.glob == "":
	case f.negate && f.literal:
		out.MustNot = append(out.MustNot, pb.NewMatchKeyword(fPath, f.glob))
	case f.negate: // notes never match, so an exclusion keeps them
	case f.literal:
		out.Must = append(out.Must, pb.NewMatchKeyword(fKind, storage.KindFile), pb.NewMatchKeyword(fPath, f.glob))
	default:
		out.Must = append(out.Must, pb.NewMatchKeyword(fKind, storage.KindFile))
	}
	return out
}

// accept reports whether a chunk passes the path glob.
func (f filter) accept(c *storage.Chunk) bool {
	if f.glob == "" {
		return true
	}
	return storage.MatchPath(f.glob, c.Path) != f.negate
}

// leg is one leg's query on one collection while it fetches.
type leg struct {
	query *pb.Query
	using string
	want  int // visible, accepted hits wanted
	n     int // points asked of Qdrant
	hits  []candidate
	done  bool
}

func newLeg(query *pb.Query, using string, want int, f filter) *leg {
	// A little more than wanted, for points of uncommitted generations;
	// with a glob matched here, four times as many.
	n := want + 8 + want/4
	if f.glob != "" && !f.literal {
		n = max(4*want, 64)
	}
	return &leg{query: query, using: using, want: want, n: min(n, maxFetch)}
}

// runLegs runs the legs on a collection until each has the hits it
// wants or Qdrant has no more: one QueryBatch per round.
func (s *Store) runLegs(ctx context.Context, name string, f filter, legs []*leg) error {
	conds := f.conditions()
	gens := map[string]int64{} // head generation by document id; -1 without a head
	for {
		var pending []*leg
		batch := &pb.QueryBatchPoints{CollectionName: s.qname(name)}
		for _, l := range legs {
			if l.done {
				continue
			}
			pending = append(pending, l)
			batch.QueryPoints = append(batch.QueryPoints, &pb.QueryPoints{
				CollectionName: s.qname(name), Query: l.query, Using: pb.PtrOf(l.using), Filter: conds,
				Limit: pb.PtrOf(uint64(l.n)), WithPayload: pb.NewWithPayload(true),
			})
		}
		if len(pending) == 0 {
			return nil
		}
		rctx, cancel := s.rpc(ctx)
		resp, err := s.points.QueryBatch(rctx, batch)
		cancel()
		if err != nil {
			if isNotFound(err) {
				s.forget(name)
			}
			return fmt.Errorf("query qdrant collection %s: %w", s.qname(name), collectionErr(s.qname(name), err))
		}
		results := resp.GetResult()
		if len(results) != len(pending) {
			return fmt.Errorf("query qdrant collection %s: %d results for %d queries", s.qname(name), len(results), len(pending))
		}
		// Look up the heads of documents not seen yet, in one request.
		var unseen []string
		for _, r := range results {
			for _, p := range r.GetResult() {
				d := payload(p.GetPayload()).str(fDocID)
				if _, ok := gens[d]; !ok {
					gens[d] = -1
					unseen = append(unseen, d)
				}
			}
		}
		if len(unseen) > 0 {
			heads, err := s.heads(ctx, name, unseen)
			if err != nil {
				return err
			}
			for d, h := range heads {
				gens[d] = h.int(fGen)
			}
		}
		for i, l := range pending {
			points := results[i].GetResult()
			l.hits = l.hits[:0]
			for _, p := range points {
				pl := payload(p.GetPayload())
				if gens[pl.str(fDocID)] != pl.int(fGen) {
					continue // not the committed generation
				}
				c := pl.chunk()
				if f.accept(&c) {
					l.hits = append(l.hits, candidate{score: float64(p.GetScore()), chunk: c})
				}
			}
			if len(l.hits) >= l.want || len(points) < l.n || l.n >= maxFetch {
				l.done = true
				continue
			}
			l.n = min(4*l.n, maxFetch)
		}
	}
}

// scoring says how a hit's Score is made from its legs.
type scoring int

const (
	keywordOnly    scoring = iota // Score is the keyword score
	semanticOnly                  // Score is the semantic score
	reciprocalRank                // Score is the fused reciprocal rank
)

// fuse merges the legs' candidates, each best first, into at most limit
// hits, best first, with ranks and raw scores filled.
func fuse(keyword, semantic []candidate, limit int, how scoring) []storage.Hit {
	hits := make([]storage.Hit, 0, len(keyword)+len(semantic))
	byID := make(map[string]int, cap(hits))
	hit := func(c candidate) *storage.Hit {
		i, ok := byID[c.chunk.ID]
		if !ok {
			i = len(hits)
			byID[c.chunk.ID] = i
			hits = append(hits, storage.Hit{Chunk: c.chunk})
		}
		return &hits[i]
	}
	for i, c := range keyword {
		h := hit(c)
		h.KeywordRank, h.KeywordScore = i+1, c.score
	}
	for i, c := range semantic {
		h := hit(c)
		h.SemanticRank, h.SemanticScore = i+1, c.score
	}
	for i := range hits {
		h := &hits[i]
		switch how {
		case keywordOnly:
			h.Score = h.KeywordScore
		case semanticOnly:
			h.Score = h.SemanticScore
		default:
			for _, rank := range []int{h.KeywordRank, h.SemanticRank} {
				if rank > 0 {
					h.Score += 1 / float64(rrfK+rank)
				}
			}
		}
	}
	slices.SortFunc(hits, func(a, b storage.Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Chunk.ID, b.Chunk.ID))
	})
	return hits[:min(limit, len(hits))]
}
