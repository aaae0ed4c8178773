package engine

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/storage"
)

// Search defaults and bounds.
const (
	// DefaultMaxPerFile is how many results one document may contribute
	// when SearchRequest.MaxPerFile is 0.
	DefaultMaxPerFile = 3
	// MaxContextLines bounds SearchRequest.ContextLines.
	MaxContextLines = 50
	// rrfK is the rank constant of reciprocal rank fusion.
	rrfK = 60
	// maxContextFileBytes bounds the size of a file read for context.
	maxContextFileBytes = 8 << 20
)

// ErrEmptyQuery reports a query with nothing to search for: empty, or
// only punctuation and stop words.
var ErrEmptyQuery = errors.New("the query has no searchable words")

// SearchRequest is a validated search.
type SearchRequest struct {
	Query      string
	Limit      int
	Mode       string // storage.ModeHybrid (default), ModeSemantic or ModeKeyword
	Collection string
	PathGlob   string
	Language   string
	// MaxPerFile caps the results taken from one document (after hits
	// whose lines overlap are merged): 0 means DefaultMaxPerFile, a
	// negative value no cap.
	MaxPerFile int
	// ScoreThreshold, when set, is the least cosine similarity a chunk
	// needs to count in the semantic leg.
	ScoreThreshold *float64
	// MinKeywordScore, when set, is the least BM25 score a chunk needs to
	// count in the keyword leg.
	MinKeywordScore *float64
	// ContextLines asks for up to this many lines before and after each
	// file hit, read from the file at query time; clamped to
	// [0, MaxContextLines].
	ContextLines int
	// Tuning overrides the ranking parameters; nil means DefaultTuning.
	// It exists for experiments (cmd/searcheval).
	Tuning *Tuning
	// Symbol, when set, keeps only chunks that define a symbol of this
	// name (case-insensitive; "Start" also matches "(*Server).Start"),
	// as language servers reported it.
	Symbol string
}

// Tuning holds the ranking parameters of Search.
type Tuning struct {
	// Prefetch is how many candidates each leg fetches.
	Prefetch int `json:"prefetch"`
	// KeywordWeight and SemanticWeight scale each leg's reciprocal rank
	// 1/(60+rank) in the fused score.
	KeywordWeight  float64 `json:"keyword_weight"`
	SemanticWeight float64 `json:"semantic_weight"`
	// PathWeight scales the path bonus: the share of the query's terms
	// found in the hit's path relative to its workspace root (directory
	// and file names, split like identifiers), times 1/(60+1).
	PathWeight float64 `json:"path_weight"`
	// FileWeight scales the document bonus: the fused scores of the
	// document's other candidates (up to FileChunks of them), so a file
	// that matches in several places ranks above one lucky chunk.
	FileWeight float64 `json:"file_weight"`
	FileChunks int     `json:"file_chunks"`
}

// DefaultTuning is the ranking Search uses; see BENCHMARKS.md for how it
// was chosen.
var DefaultTuning = Tuning{
	Prefetch:       100,
	KeywordWeight:  1,
	SemanticWeight: 1,
	PathWeight:     2,
	FileWeight:     0.3,
	FileChunks:     3,
}

// SearchResult is one hit as tools return it.
type SearchResult struct {
	ID         string            `json:"id"` // the document id, for get_document
	ChunkID    string            `json:"chunk_id"`
	Collection string            `json:"collection"`
	Kind       string            `json:"kind"`
	Score      float64           `json:"score"`
	Text       string            `json:"text"`
	Path       string            `json:"path,omitempty"`
	StartLine  int               `json:"start_line,omitempty"`
	EndLine    int               `json:"end_line,omitempty"`
	Language   string            `json:"language,omitempty"`
	Title      string            `json:"title,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	Symbol     string            `json:"symbol,omitempty"` // enclosing symbol, e.g. "func ParseDuration"
	// Each leg's rank (from 1) and raw score: BM25 for the keyword leg,
	// cosine similarity for the semantic leg. A rank of 0 (omitted) means
	// the leg did not find the hit among its candidates.
	KeywordRank   int     `json:"keyword_rank,omitempty"`
	SemanticRank  int     `json:"semantic_rank,omitempty"`
	KeywordScore  float64 `json:"keyword_score,omitempty"`
	SemanticScore float64 `json:"semantic_score,omitempty"`
	// Lines around the hit, when context_lines was asked for.
	ContextBefore string `json:"context_before,omitempty"`
	ContextAfter  string `json:"context_after,omitempty"`
	ContextNote   string `json:"context_note,omitempty"`
}

// SearchResponse is search's answer.
type SearchResponse struct {
	Results  []SearchResult `json:"results"`
	Mode     string         `json:"mode"`
	TookMS   float64        `json:"took_ms"`
	Indexing bool           `json:"indexing"`
	Note     string         `json:"note,omitempty"`
}

// Search runs a query over every collection or one.
//
// Ranking: each leg the mode runs (keyword BM25, semantic cosine) fetches
// Tuning.Prefetch candidates with the filters applied inside the leg. A
// leg's threshold (MinKeywordScore, ScoreThreshold) then drops that leg's
// candidates scoring below it, and the remaining ones are ranked again
// from 1, so a chunk below one leg's threshold can still be found by the
// other leg. Each chunk's score is the weighted reciprocal rank fusion of
// its legs, Σ w/(60+rank), plus a bonus for query terms in its path and
// one for other matching chunks of its document. Overlapping hits of a
// document are merged and at most MaxPerFile results are kept per
// document.
func (m *Manager) Search(ctx context.Context, req SearchRequest) (SearchResponse, error) {
	return redo(ctx, m, func() (SearchResponse, error) { return m.search(ctx, req) })
}

func (m *Manager) search(ctx context.Context, req SearchRequest) (SearchResponse, error) {
	begin := time.Now()
	r, release, err := m.acquireTool(ctx, false)
	if err != nil {
		return SearchResponse{}, err
	}
	defer release()
	if r.reader() {
		return forward[SearchResponse](ctx, r, "search", req)
	}
	if req.Mode == "" {
		req.Mode = storage.ModeHybrid
	}
	if req.Limit <= 0 {
		return SearchResponse{}, fmt.Errorf("limit %d is not positive", req.Limit)
	}
	terms := analysis.QueryTerms(req.Query)
	if len(terms) == 0 {
		return SearchResponse{}, fmt.Errorf("%w: %q has only stop words or punctuation", ErrEmptyQuery, req.Query)
	}
	t := DefaultTuning
	if req.Tuning != nil {
		t = *req.Tuning
	}
	prefetch := max(t.Prefetch, req.Limit)
	q := storage.Query{
		Text: req.Query, Mode: req.Mode, Limit: prefetch, Prefetch: prefetch,
		Collection: req.Collection, PathGlob: req.PathGlob, Language: req.Language,
	}
	if req.Mode == storage.ModeHybrid {
		q.Limit = 2 * prefetch // the union of both legs' candidates
	}
	if req.Symbol != "" {
		q.Limit, q.Prefetch = symbolFetchFactor*q.Limit, symbolFetchFactor*q.Prefetch
	}
	if req.Mode != storage.ModeKeyword {
		vecs, err := r.embedder.Embed(ctx, []string{req.Query})
		if err != nil {
			return SearchResponse{}, fmt.Errorf("embed query: %w", err)
		}
		q.Dense = vecs[0]
	}
	hits, err := r.store.Search(ctx, q)
	if err != nil && req.Collection != "" && errors.Is(err, storage.ErrNotFound) {
		return SearchResponse{}, fmt.Errorf("collection %q: %w: list_collections shows the collections there are", req.Collection, storage.ErrNotFound)
	}
	if err != nil {
		return SearchResponse{}, fmt.Errorf("query the store: %w", err)
	}
	if req.Symbol != "" {
		hits = filterSymbol(hits, req.Symbol)
	}
	ranked := rankHits(hits, rankOptions{
		mode: req.Mode, terms: terms, roots: r.cfg.Workspace.Roots, tuning: t,
		minKeyword: req.MinKeywordScore, minSemantic: req.ScoreThreshold,
	})
	maxPer := req.MaxPerFile
	if maxPer == 0 {
		maxPer = DefaultMaxPerFile
	}
	results := limitPerDocument(mergeOverlaps(ranked, len(ranked)), maxPer, req.Limit)
	if n := min(max(req.ContextLines, 0), MaxContextLines); n > 0 {
		addContext(results, n, r.cfg.Workspace.Roots)
	}
	resp := SearchResponse{Results: results, Mode: req.Mode}
	if r.indexer != nil && r.indexer.Stats().Indexing {
		resp.Indexing = true
		resp.Note = "indexing in progress: results cover the files indexed so far"
	}
	resp.TookMS = ms(time.Since(begin))
	return resp, nil
}

// rankOptions says how rankHits scores candidates.
type rankOptions struct {
	mode        string
	terms       []string // the query's distinct terms
	roots       []string // workspace roots, to make paths relative
	tuning      Tuning
	minKeyword  *float64
	minSemantic *float64
}

// rankHits applies the legs' thresholds to the store's candidates,
// re-ranks each leg and orders the survivors by fused score, best first.
// Each hit's Score becomes its fused score. Candidates that carry no rank
// of a leg the mode runs (a store that reports none) are ranked by their
// position.
func rankHits(hits []storage.Hit, o rankOptions) []storage.Hit {
	useKW := o.mode != storage.ModeSemantic
	useSem := o.mode != storage.ModeKeyword
	out := make([]storage.Hit, 0, len(hits))
	for i, h := range hits {
		if h.KeywordRank == 0 && h.SemanticRank == 0 {
			if useKW {
				h.KeywordRank, h.KeywordScore = i+1, h.Score
			} else {
				h.SemanticRank, h.SemanticScore = i+1, h.Score
			}
		}
		if !useKW || (h.KeywordRank > 0 && o.minKeyword != nil && h.KeywordScore < *o.minKeyword) {
			h.KeywordRank, h.KeywordScore = 0, 0
		}
		if !useSem || (h.SemanticRank > 0 && o.minSemantic != nil && h.SemanticScore < *o.minSemantic) {
			h.SemanticRank, h.SemanticScore = 0, 0
		}
		if h.KeywordRank > 0 || h.SemanticRank > 0 {
			out = append(out, h)
		}
	}
	rerank(out, func(h *storage.Hit) *int { return &h.KeywordRank })
	rerank(out, func(h *storage.Hit) *int { return &h.SemanticRank })

	t := o.tuning
	pathTerms := make(map[string]float64) // by path: the share of query terms in it
	for i := range out {
		h := &out[i]
		s := 0.0
		if h.KeywordRank > 0 {
			s += t.KeywordWeight / float64(rrfK+h.KeywordRank)
		}
		if h.SemanticRank > 0 {
			s += t.SemanticWeight / float64(rrfK+h.SemanticRank)
		}
		if t.PathWeight != 0 && h.Chunk.Path != "" {
			share, ok := pathTerms[h.Chunk.Path]
			if !ok {
				share = pathShare(relativePath(h.Chunk.Path, o.roots), o.terms)
				pathTerms[h.Chunk.Path] = share
			}
			s += t.PathWeight * share / float64(rrfK+1)
		}
		h.Score = s
	}
	if t.FileWeight != 0 && t.FileChunks > 0 {
		addDocumentBonus(out, t.FileWeight, t.FileChunks)
	}
	slices.SortStableFunc(out, func(a, b storage.Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Chunk.ID, b.Chunk.ID))
	})
	return out
}

// rerank renumbers one leg's ranks 1, 2, ... in their current order,
// closing the gaps left by dropped candidates.
func rerank(hits []storage.Hit, rank func(*storage.Hit) *int) {
	idx := make([]int, 0, len(hits))
	for i := range hits {
		if *rank(&hits[i]) > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(*rank(&hits[a]), *rank(&hits[b])) })
	for r, i := range idx {
		*rank(&hits[i]) = r + 1
	}
}

// addDocumentBonus adds to each hit weight times the sum of the best n
// scores among the other candidates of its document.
func addDocumentBonus(hits []storage.Hit, weight float64, n int) {
	byDoc := make(map[string][]float64)
	for _, h := range hits {
		byDoc[h.Chunk.DocID] = append(byDoc[h.Chunk.DocID], h.Score)
	}
	for _, scores := range byDoc {
		slices.SortFunc(scores, func(a, b float64) int { return cmp.Compare(b, a) })
	}
	bonus := make([]float64, len(hits))
	for i, h := range hits {
		top := byDoc[h.Chunk.DocID]
		if len(top) <= n || h.Score >= top[n] { // the hit is among the best n+1
			top = top[:min(len(top), n+1)]
			bonus[i] = -h.Score
		} else {
			top = top[:n]
		}
		for _, s := range top {
			bonus[i] += s
		}
	}
	for i := range hits {
		hits[i].Score += weight * bonus[i]
	}
}

// pathShare returns the share of terms that occur among the terms of
// path.
func pathShare(path string, terms []string) float64 {
	if len(terms) == 0 || path == "" {
		return 0
	}
	pt := analysis.Terms(path)
	n := 0
	for _, t := range terms {
		if slices.Contains(pt, t) {
			n++
		}
	}
	return float64(n) / float64(len(terms))
}

// relativePath returns p relative to the first root that holds it, or p.
func relativePath(p string, roots []string) string {
	for _, root := range roots {
		if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return p
}

// mergeOverlaps turns hits into results, merging hits of one document
// whose line ranges overlap or touch into one result with the best score,
// and keeps the first limit in score order.
func mergeOverlaps(hits []storage.Hit, limit int) []SearchResult {
	out := make([]SearchResult, 0, min(len(hits), limit))
	for _, h := range hits {
		c := h.Chunk
		merged := false
		for i := range out {
			o := &out[i]
			if o.ID != c.DocID || c.Kind != storage.KindFile || c.StartLine > o.EndLine+1 || c.EndLine < o.StartLine-1 {
				continue
			}
			o.Text, o.StartLine, o.EndLine = joinLines(o.Text, o.StartLine, o.EndLine, c.Text, c.StartLine, c.EndLine)
			merged = true
			break
		}
		if merged {
			continue
		}
		if len(out) == limit {
			continue
		}
		out = append(out, SearchResult{
			ID: c.DocID, ChunkID: c.ID, Collection: c.Collection, Kind: c.Kind, Score: h.Score, Text: c.Text,
			Path: c.Path, StartLine: c.StartLine, EndLine: c.EndLine, Language: c.Language, Title: c.Title,
			Metadata: c.Metadata, Symbol: symbolOf(c.Metadata),
			KeywordRank: h.KeywordRank, SemanticRank: h.SemanticRank,
			KeywordScore: h.KeywordScore, SemanticScore: h.SemanticScore,
		})
	}
	return out
}

// limitPerDocument keeps, in order, at most perDoc results of each
// document (no cap when perDoc < 0) and at most limit in all.
func limitPerDocument(results []SearchResult, perDoc, limit int) []SearchResult {
	out := results[:0]
	seen := make(map[string]int)
	for _, r := range results {
		if len(out) == limit {
			break
		}
		if perDoc >= 0 && seen[r.ID] >= perDoc {
			continue
		}
		seen[r.ID]++
		out = append(out, r)
	}
	return slices.Clip(out)
}

// joinLines merges two texts that hold exactly lines [as,ae] and [bs,be]
// of one file, where the ranges overlap or touch.
func joinLines(a string, as, ae int, b string, bs, be int) (string, int, int) {
	if bs < as { // make a the one that starts first
		a, as, ae, b, bs, be = b, bs, be, a, as, ae
	}
	if be <= ae {
		return a, as, ae
	}
	bl := strings.SplitAfter(b, "\n")
	skip := ae - bs + 1 // lines of b already in a
	if skip < 0 || skip > len(bl) {
		return a, as, ae
	}
	if !strings.HasSuffix(a, "\n") {
		a += "\n"
	}
	return a + strings.Join(bl[skip:], ""), as, be
}

// addContext fills the context of file results with up to n lines before
// and after each, read from the file now. A file outside the workspace
// roots is not read; a file whose lines no longer hold the indexed text
// gets a note instead of context.
func addContext(results []SearchResult, n int, roots []string) {
	files := make(map[string][]string) // path → lines, nil when unreadable
	notes := make(map[string]string)
	for i := range results {
		res := &results[i]
		if res.Kind != storage.KindFile || res.Path == "" {
			continue
		}
		lines, seen := files[res.Path]
		if !seen {
			lines, notes[res.Path] = readLines(res.Path, roots)
			files[res.Path] = lines
		}
		if lines == nil {
			res.ContextNote = notes[res.Path]
			continue
		}
		if res.EndLine > len(lines) || !sameLines(strings.Join(lines[res.StartLine-1:res.EndLine], ""), res.Text) {
			res.ContextNote = "the file has changed since it was indexed; no context is given until it is indexed again"
			continue
		}
		res.ContextBefore = strings.Join(lines[max(res.StartLine-1-n, 0):res.StartLine-1], "")
		res.ContextAfter = strings.Join(lines[res.EndLine:min(res.EndLine+n, len(lines))], "")
	}
}

// readLines reads the lines of a workspace file, each with its newline,
// or returns nil and the reason it cannot.
func readLines(p string, roots []string) ([]string, string) {
	resolved, err := ResolveInWorkspace(roots, p)
	if err != nil {
		return nil, "no context: the file is not inside the workspace"
	}
	f, err := os.Open(resolved)
	if err != nil {
		return nil, "no context: the file cannot be read now"
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.Size() > maxContextFileBytes {
		return nil, "no context: the file cannot be read now"
	}
	data := make([]byte, 0, info.Size())
	buf := bytes.NewBuffer(data)
	if _, err := buf.ReadFrom(bufio.NewReader(f)); err != nil {
		return nil, "no context: the file cannot be read now"
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines, ""
}

// sameLines reports whether two texts hold the same lines, whether or not
// the last one ends in a newline.
func sameLines(a, b string) bool {
	return strings.TrimSuffix(a, "\n") == strings.TrimSuffix(b, "\n")
}
