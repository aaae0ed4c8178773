package qdrant

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	pb "github.com/qdrant/go-client/qdrant"

	"workspace-qdrant-mcp/engine/storage"
)

// qdrantRRFK is the k of Qdrant's RRF that scores like storage.RRF:
// Qdrant scores the point at 0-based position p of a prefetch 1/(p+k)
// (with weight 1), that is 1/(k-1+rank) for rank p+1.
const qdrantRRFK = storage.RRFK + 1

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
// conditions. A keyword or semantic search scores hits with that leg's
// raw score (Qdrant's sparse score with IDF, or cosine similarity). Ties
// are broken by chunk id.
//
// # Hybrid queries
//
// A hybrid query sends each collection one QueryBatch: Qdrant fuses the
// two legs, as prefetches, with RRF at k = 61 (Σ 1/(60+rank)) and returns
// the best points, a little more than wanted, with whole payloads; the
// same batch runs each leg again for ids, scores and the payload fields
// chunk_id, doc_id and gen (and path for a glob matched here), no text,
// no vectors. Ranks, raw scores and the order are computed here from
// those legs, after dropping points of uncommitted generations and points
// the glob rejects: Σ 1/(60+rank), ranks from 1 over the surviving points
// of all searched collections, ties broken by chunk id, as the embedded
// store fuses. Qdrant's fused order only decides which points come with
// payloads; a hit whose point it did not return (Qdrant ranked uncommitted
// or rejected points, fused one collection alone, or broke a float32 tie
// otherwise) is read by id, one Get per collection. See the package
// comment, Hybrid queries, for why.
//
// # Path globs
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
	if q.Defines != "" {
		return s.searchDefinitions(ctx, q)
	}
	hits, err := s.search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return hits, nil
}

// definesOverfetch is how many times Query.Limit the legs fetch for a
// query with Defines, whose filter runs here on the chunks' metadata (a
// Qdrant payload filter cannot fold names), and definesLeast the least.
const (
	definesOverfetch = 16
	definesLeast     = 512
)

// searchDefinitions runs q without its Defines filter for more
// candidates, keeps those that define the name, and ranks each leg's
// again among them.
func (s *Store) searchDefinitions(ctx context.Context, q storage.Query) ([]storage.Hit, error) {
	wide := q
	wide.Defines = ""
	wide.Limit = max(q.Limit*definesOverfetch, definesLeast)
	wide.Prefetch = max(q.Prefetch*definesOverfetch, wide.Limit)
	hits, err := s.search(ctx, wide)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	kept := hits[:0]
	for _, h := range hits {
		if storage.DefinesName(h.Chunk.Metadata[storage.MetaDefines], q.Defines) {
			kept = append(kept, h)
		}
	}
	kept = kept[:min(len(kept), q.Limit)]
	storage.RenumberRanks(kept, func(h *storage.Hit) *int { return &h.KeywordRank })
	storage.RenumberRanks(kept, func(h *storage.Hit) *int { return &h.SemanticRank })
	return kept, nil
}

// candidate is a chunk found by a leg. The chunk of a hybrid leg's
// candidate has only the fields its light payload carries (ID, DocID,
// Path) and its collection.
type candidate struct {
	score float64
	chunk storage.Chunk
	point string // the Qdrant point id (a UUID)
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

	hybrid := mode == storage.ModeHybrid
	kwWant, semWant := q.Limit, q.Limit
	if hybrid {
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
	// Hybrid legs answer ids, scores and the few fields that rank them;
	// the fused query brings the payloads.
	legPayload := pb.NewWithPayload(true)
	if hybrid {
		fields := []string{fChunkID, fDocID, fGen}
		if f.glob != "" {
			fields = append(fields, fPath)
		}
		legPayload = pb.NewWithPayloadInclude(fields...)
	}

	// Held from the first leg to the last point read: no commit of this
	// process moves a head or deletes a generation meanwhile.
	s.commit.RLock()
	defer s.commit.RUnlock()
	var kw, sem []candidate
	whole := map[string]storage.Chunk{} // by point id: chunks the fused queries returned
	for _, name := range names {
		var legs []*leg
		var kwLeg, semLeg *leg
		if keyword != nil {
			kwLeg = newLeg(keyword, SparseVector, kwWant, f, legPayload)
			legs = append(legs, kwLeg)
		}
		if semantic[name] {
			semLeg = newLeg(pb.NewQueryDense(q.Dense), DenseVector, semWant, f, legPayload)
			legs = append(legs, semLeg)
		}
		if len(legs) == 0 {
			continue
		}
		var fused *pb.QueryPoints
		if hybrid {
			fused = s.fusedQuery(name, f, legs, q.Limit)
		}
		err := s.runLegs(ctx, name, f, legs, fused, whole)
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
	points := make(map[string]candidate, len(kw)+len(sem)) // by chunk id
	for _, c := range slices.Concat(kw, sem) {
		points[c.chunk.ID] = c
	}
	hits := fuse(kw, sem, q.Limit, reciprocalRank)
	return s.complete(ctx, hits, points, whole, q.Collection == "")
}

// fusedQuery is the query that has Qdrant run the legs of a hybrid query
// on a collection as prefetches, fuse them with RRF and return the best
// points with their payloads: as many as the hits wanted and some more,
// for points of uncommitted generations and points a glob rejects.
func (s *Store) fusedQuery(name string, f filter, legs []*leg, limit int) *pb.QueryPoints {
	conds := f.conditions()
	fused := &pb.QueryPoints{
		CollectionName: s.qname(name),
		Query:          pb.NewQueryRRF(&pb.Rrf{K: pb.PtrOf(uint32(qdrantRRFK))}),
		Filter:         conds,
		WithPayload:    pb.NewWithPayload(true),
	}
	total := 0
	for _, l := range legs {
		fused.Prefetch = append(fused.Prefetch, &pb.PrefetchQuery{
			Query: l.query, Using: pb.PtrOf(l.using), Filter: conds, Limit: pb.PtrOf(uint64(l.n)),
		})
		total += l.n
	}
	fused.Limit = pb.PtrOf(uint64(min(fetchSize(limit, f), total)))
	return fused
}

// complete gives hybrid hits, whose chunks hold only what the legs'
// light payloads carry, their whole chunks: from the fused queries'
// answers (whole, by point id), else read by point id, one request per
// collection. A point gone meanwhile (deleted by another process's
// commit) drops its hit; so does a collection dropped meanwhile when every
// collection was searched (anyColl).
func (s *Store) complete(ctx context.Context, hits []storage.Hit, points map[string]candidate, whole map[string]storage.Chunk, anyColl bool) ([]storage.Hit, error) {
	missing := map[string][]*pb.PointId{} // by collection
	for _, h := range hits {
		c := points[h.Chunk.ID]
		if _, ok := whole[c.point]; !ok {
			missing[c.chunk.Collection] = append(missing[c.chunk.Collection], pb.NewIDUUID(c.point))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(missing)) {
		rctx, cancel := s.rpc(ctx)
		resp, err := s.points.Get(rctx, &pb.GetPoints{CollectionName: s.qname(name), Ids: missing[name], WithPayload: pb.NewWithPayload(true)})
		cancel()
		if err != nil {
			if isNotFound(err) {
				s.forget(name)
				if anyColl {
					continue
				}
			}
			return nil, fmt.Errorf("read chunks of qdrant collection %s: %w", s.qname(name), collectionErr(s.qname(name), err))
		}
		for _, p := range resp.GetResult() {
			whole[p.GetId().GetUuid()] = payload(p.GetPayload()).chunk()
		}
	}
	out := hits[:0]
	for _, h := range hits {
		if c, ok := whole[points[h.Chunk.ID].point]; ok {
			h.Chunk = c
			out = append(out, h)
		}
	}
	return out, nil
}

// filter is a query's language and path filters.
type filter struct {
	language string
	glob     string // without its leading "!"
	negate   bool
	literal  bool                   // glob is an absolute path without wildcards
	match    func(path string) bool // storage.PathMatcher(glob), when there is a glob
}

func newFilter(q storage.Query) (filter, error) {
	f := filter{language: q.Language}
	var err error
	if f.glob, f.negate, err = storage.ParsePathGlob(q.PathGlob); err != nil {
		return f, err
	}
	f.literal = strings.HasPrefix(f.glob, "/") && !strings.ContainsAny(f.glob, `*?[]{}\`)
	if f.glob != "" {
		f.match = storage.PathMatcher(f.glob)
	}
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
	return f.match(c.Path) != f.negate
}

// leg is one leg's query on one collection while it fetches.
type leg struct {
	query   *pb.Query
	using   string
	payload *pb.WithPayloadSelector
	want    int // visible, accepted hits wanted
	n       int // points asked of Qdrant
	hits    []candidate
	done    bool
}

func newLeg(query *pb.Query, using string, want int, f filter, payload *pb.WithPayloadSelector) *leg {
	return &leg{query: query, using: using, payload: payload, want: want, n: fetchSize(want, f)}
}

// fetchSize is how many points to ask of Qdrant for want visible hits: a
// little more, for points of uncommitted generations; with a glob matched
// here, four times as many.
func fetchSize(want int, f filter) int {
	n := want + 8 + want/4
	if f.glob != "" && !f.literal {
		n = max(4*want, 64)
	}
	return min(n, maxFetch)
}

// runLegs runs the legs on a collection until each has the hits it
// wants or Qdrant has no more: one QueryBatch per round. The first round
// also carries fused, when not nil, and adds the chunks it returns to
// whole, by point id.
func (s *Store) runLegs(ctx context.Context, name string, f filter, legs []*leg, fused *pb.QueryPoints, whole map[string]storage.Chunk) error {
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
				Limit: pb.PtrOf(uint64(l.n)), WithPayload: l.payload,
			})
		}
		if len(pending) == 0 {
			return nil
		}
		if fused != nil {
			batch.QueryPoints = append(batch.QueryPoints, fused)
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
		if len(results) != len(batch.GetQueryPoints()) {
			return fmt.Errorf("query qdrant collection %s: %d results for %d queries", s.qname(name), len(results), len(batch.GetQueryPoints()))
		}
		if fused != nil {
			for _, p := range results[len(pending)].GetResult() {
				whole[p.GetId().GetUuid()] = payload(p.GetPayload()).chunk()
			}
			fused, results = nil, results[:len(pending)]
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
				c.Collection = name
				if f.accept(&c) {
					l.hits = append(l.hits, candidate{score: float64(p.GetScore()), chunk: c, point: p.GetId().GetUuid()})
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
			h.Score = storage.RRF(h.KeywordRank, 1) + storage.RRF(h.SemanticRank, 1)
		}
	}
	slices.SortFunc(hits, func(a, b storage.Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Chunk.ID, b.Chunk.ID))
	})
	return hits[:min(limit, len(hits))]
}
