package workspace

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/rank"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
)

// Search defaults and bounds.
const (
	// DefaultMaxPerFile is how many results one document may contribute
	// when SearchRequest.MaxPerFile is 0: one file, one slot; each result
	// says how many more hits its file has (SearchResult.MoreInFile).
	DefaultMaxPerFile = 1
	// MaxHitChars bounds the text of one result: a chunk is cut only when
	// it is one very long line (minified code, data), and the result says
	// so (SearchResult.Truncated).
	MaxHitChars = 4000
	// MaxContextLines bounds SearchRequest.ContextLines.
	MaxContextLines = 50
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
	// Rules overrides the configured ranking rules (search.rules); nil
	// means the configuration's. It exists for experiments (eval/).
	Rules *rank.Rules
}

// Tuning holds the ranking parameters of Search (see package rank).
type Tuning = rank.Tuning

// DefaultTuning is the ranking Search uses; see BENCHMARKS.md for how it
// was chosen.
var DefaultTuning = rank.DefaultTuning

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
	// Truncated says that Text is the first MaxHitChars characters of the
	// chunk; get_document gives the rest.
	Truncated bool `json:"truncated,omitempty"`
	// MoreInFile counts the file's other matching chunks that the per-file
	// cap left out; ask for them with max_per_file or get_document.
	MoreInFile int `json:"more_in_file,omitempty"`
	// Copies are the places that hold this result's text exactly, left
	// out of the results so that each text is shown once.
	Copies []Copy `json:"copies,omitempty"`
	// MoreCopies counts the copies past the MaxCopies listed.
	MoreCopies int `json:"more_copies,omitempty"`
	// texts reads Text when the store left it out (storage.Hit.Texts).
	texts storage.TextReader
	// Rules names the ranking rules that moved the result (see package
	// rank): definition, path, file, satellite:<class>, logic,
	// declarations, later_chunk, overload.
	Rules []string `json:"rules,omitempty"`
}

// SearchResponse is search's answer.
type SearchResponse struct {
	Results  []SearchResult `json:"results"`
	Mode     string         `json:"mode"`
	TookMS   float64        `json:"took_ms"`
	Indexing bool           `json:"indexing"`
	Note     string         `json:"note,omitempty"`
	// Degraded names each leg of the mode that did not run, with why:
	// {"semantic": "embedder unreachable: ..."} when a hybrid search
	// answered from its keyword leg alone.
	Degraded map[string]string `json:"degraded,omitempty"`
}

// Search runs a query over every collection or one.
//
// Ranking: each leg the mode runs (keyword BM25, semantic cosine) fetches
// Tuning.Prefetch candidates with the filters applied inside the leg. A
// leg's threshold (MinKeywordScore, ScoreThreshold) then drops that leg's
// candidates scoring below it, and the remaining ones are ranked again
// from 1, so a chunk below one leg's threshold can still be found by the
// other leg. Each chunk's score fuses its legs (rank.Tuning.Fusion: by
// default each leg's score over the leg's best, weighted, the semantic
// leg at half weight with the built-in embedder), plus a bonus for query
// terms in its path and one for other matching chunks of its document,
// and the other rules of package rank. A hit overlapping a result already taken from its
// document is left out, and at most MaxPerFile results are kept per
// document.
func (l *Local) Search(ctx context.Context, req SearchRequest) (SearchResponse, error) {
	return shared(ctx, l, func() (SearchResponse, error) { return l.search(ctx, req) })
}

// search is Search, the caller holding the notes lock shared. The store
// reads only the results' texts, and when a result's chunk was replaced
// between the search and the reading of its text, the search runs again
// reading every candidate's text with it, in one read.
func (l *Local) search(ctx context.Context, req SearchRequest) (SearchResponse, error) {
	resp, err := l.searchOnce(ctx, req, true)
	if errors.Is(err, errChunkGone) {
		return l.searchOnce(ctx, req, false)
	}
	return resp, err
}

func (l *Local) searchOnce(ctx context.Context, req SearchRequest, omitText bool) (SearchResponse, error) {
	begin := time.Now()
	if req.Mode == "" {
		req.Mode = storage.ModeHybrid
	}
	if req.Limit <= 0 {
		return SearchResponse{}, fmt.Errorf("limit %d is not positive", req.Limit)
	}
	query := rank.ParseQuery(req.Query)
	if len(query.Terms) == 0 {
		return SearchResponse{}, fmt.Errorf("%w: %q has only stop words or punctuation", ErrEmptyQuery, req.Query)
	}
	t := l.tuning(req.Tuning)
	rules := rulesOf(l.Config.Search.Rules)
	if req.Rules != nil {
		rules = *req.Rules
	}
	prefetch := max(t.Prefetch, req.Limit)
	q := storage.Query{
		Text: query.Search, Mode: req.Mode, Limit: prefetch, Prefetch: prefetch,
		Collection: req.Collection, PathGlob: req.PathGlob, Language: req.Language,
		// Only the results' texts are read, and those of the candidates
		// whose text the ranking reads (rankedTexts).
		OmitText: omitText,
	}
	if req.Mode == storage.ModeHybrid {
		q.Limit = 2 * prefetch // the union of both legs' candidates
	}
	if req.Symbol != "" {
		q.Limit, q.Prefetch = symbolFetchFactor*q.Limit, symbolFetchFactor*q.Prefetch
	}
	// The files named after a symbol are looked up beside the legs: the
	// lookup needs neither the query's vector nor the legs' candidates.
	var (
		named    []storage.Hit
		namedErr error
		lookups  sync.WaitGroup
	)
	if rules.Definitions && query.Kind == rank.KindSymbol && req.PathGlob == "" {
		nq := q // queryVector sets q's vector while the lookup runs
		lookups.Go(func() { named, namedErr = filesNamedAfter(ctx, l.Store, query, nq) })
	}
	defer lookups.Wait() // on the error returns below
	mode, degraded, err := l.queryVector(ctx, req, &q)
	if err != nil {
		return SearchResponse{}, err
	}
	hits, err := l.Store.Search(ctx, q)
	if err != nil && req.Collection != "" && errors.Is(err, storage.ErrNotFound) {
		return SearchResponse{}, fmt.Errorf("collection %q: %w: list_collections shows the collections there are", req.Collection, storage.ErrNotFound)
	}
	if err != nil {
		if Unreachable(err) {
			l.reportFailure(ctx, ComponentStorage, err)
			return SearchResponse{}, StorageDown(l.Config.Storage.Backend, "search", err)
		}
		return SearchResponse{}, fmt.Errorf("query the store: %w", err)
	}
	if rules.Definitions && query.Kind == rank.KindSymbol && query.Qualifier == "" && !definesAny(hits, query.Symbol) {
		defs, err := definitionsOf(ctx, l.Store, query, q)
		if err != nil {
			return SearchResponse{}, err
		}
		hits = appendNew(hits, defs)
	}
	lookups.Wait()
	if namedErr != nil {
		return SearchResponse{}, namedErr
	}
	hits = appendNew(hits, named)
	if req.Symbol != "" {
		hits = filterSymbol(hits, req.Symbol)
	}
	if rules.Definitions {
		if err := rankedTexts(ctx, hits, query); err != nil {
			return SearchResponse{}, err
		}
	}
	ranked := rank.Rank(hits, query, rank.Options{
		Mode: mode, Roots: l.Config.Workspace.Roots, Rules: rules, Tuning: t,
		MinKeyword: req.MinKeywordScore, MinSemantic: req.ScoreThreshold,
		KeepSatellites: req.PathGlob != "" || req.Language != "",
	})
	results, err := collectDistinct(ctx, ranked, perFile(req.MaxPerFile), req.Limit)
	if err != nil {
		return SearchResponse{}, err
	}
	if n := min(max(req.ContextLines, 0), MaxContextLines); n > 0 {
		addContext(results, n, l.Config.Workspace.Roots)
	}
	resp := SearchResponse{Results: results, Mode: req.Mode}
	l.finish(&resp, degraded, begin)
	return resp, nil
}

// tuning returns the ranking parameters of a request: override, or
// DefaultTuning, with the semantic leg weighed as lexical when the
// embedder is the built-in one.
func (l *Local) tuning(override *Tuning) Tuning {
	t := DefaultTuning
	if override != nil {
		t = *override
	}
	if l.Embedder != nil && l.Embedder.Info().Provider == "builtin" {
		t.SemanticWeight = t.LexicalSemanticWeight
	}
	return t
}

// perFile is a request's MaxPerFile, DefaultMaxPerFile for 0.
func perFile(n int) int {
	if n == 0 {
		return DefaultMaxPerFile
	}
	return n
}

// finish completes an answer of search's shape: the legs left out and
// why, whether the workspace is still being indexed, in Note, and the
// time taken since begin.
func (l *Local) finish(resp *SearchResponse, degraded map[string]string, begin time.Time) {
	var notes []string
	if why, ok := degraded["semantic"]; ok {
		resp.Degraded = degraded
		notes = append(notes, "the semantic leg is missing ("+why+"): results come from the keyword leg alone")
	}
	if l.Index != nil && l.Index.Stats().Indexing {
		resp.Indexing = true
		notes = append(notes, "indexing in progress: results cover the files indexed so far")
	}
	resp.Note = strings.Join(notes, "; ")
	resp.TookMS = ms(time.Since(begin))
}

// ErrReembedding refuses a semantic search while the workspace is
// re-embedded after a change of embedding model.
var ErrReembedding = errors.New("re-embedding after a change of embedding model")

// mixedModels says why the semantic leg must be left out while the
// workspace index holds vectors of two embedding models (it is
// re-embedded after a change of model), or "" when it need not be: a
// query vector of one model is never compared with stored vectors of
// another.
func (l *Local) mixedModels() string {
	if l.Index == nil {
		return ""
	}
	re := l.Index.Stats().Reembed
	if re == nil {
		return ""
	}
	return fmt.Sprintf("the workspace is being re-embedded after a change of embedding model, %d of %d files done; engine_status index.reembed shows the progress",
		re.Files-re.Left, re.Files)
}

// queryVector embeds the query into q for the modes that have a semantic
// leg and returns the mode the search runs in. When the embedder is down
// (known from earlier requests, or failing this one), a hybrid search runs
// its keyword leg alone, and degraded says which leg is missing and why;
// a semantic search fails with ErrComponentDown.
func (l *Local) queryVector(ctx context.Context, req SearchRequest, q *storage.Query) (mode string, degraded map[string]string, err error) {
	if req.Mode == storage.ModeKeyword {
		return req.Mode, nil, nil
	}
	if why := l.mixedModels(); why != "" {
		if req.Mode != storage.ModeHybrid {
			return "", nil, fmt.Errorf("%w: %s; mode keyword (or hybrid, which answers from its keyword leg meanwhile) works", ErrReembedding, why)
		}
		q.Mode = storage.ModeKeyword
		return storage.ModeKeyword, map[string]string{"semantic": why}, nil
	}
	var down error
	if err := l.refuseEmbedder("the " + req.Mode + " search"); err != nil {
		last, _ := l.EmbedderOutage()
		down = errors.New(last)
	} else {
		ectx := ctx
		if req.Mode == storage.ModeHybrid {
			ectx = embed.WithoutRetry(ctx) // the keyword leg answers if this fails
		}
		vecs, err := l.Embedder.Embed(ectx, []string{q.Text})
		switch {
		case err == nil:
			q.Dense = vecs[0]
			return req.Mode, nil, nil
		case ctx.Err() != nil || !Unreachable(err):
			return "", nil, fmt.Errorf("embed query: %w", err)
		}
		down = err
	}
	if req.Mode != storage.ModeHybrid {
		return "", nil, fmt.Errorf("%w; mode keyword (or hybrid, which then answers from its keyword leg) works meanwhile",
			EmbedderDown("semantic search", down))
	}
	q.Mode = storage.ModeKeyword
	return storage.ModeKeyword, map[string]string{"semantic": "embedder unreachable: " + down.Error()}, nil
}

// collect turns ranked hits into results, best first: at most perDoc
// results of each document (no cap when perDoc < 0) and limit in all. A
// file hit whose lines overlap a result already taken from its file is
// the same place seen through overlapping chunks and is left out. Each
// result's MoreInFile counts its document's other candidates that are not
// shown.
func collect(ranked []rank.Ranked, perDoc, limit int) []SearchResult {
	out := make([]SearchResult, 0, min(len(ranked), limit))
	taken := make(map[string][]int) // document → indexes in out
	candidates := make(map[string]int)
	for _, h := range ranked {
		c := h.Chunk
		candidates[c.DocID]++
		room := perDoc
		if room >= 0 && slices.Contains(h.Rules, rank.RuleOverload) {
			room = max(room, rank.MaxOverloads)
		}
		if len(out) == limit || (room >= 0 && len(taken[c.DocID]) >= room) {
			continue
		}
		overlaps := false
		for _, i := range taken[c.DocID] {
			if o := out[i]; c.Kind == storage.KindFile && c.StartLine <= o.EndLine && c.EndLine >= o.StartLine {
				overlaps = true
			}
		}
		if overlaps {
			continue
		}
		taken[c.DocID] = append(taken[c.DocID], len(out))
		out = append(out, SearchResult{
			ID: c.DocID, ChunkID: c.ID, Collection: c.Collection, Kind: c.Kind, Score: h.Score, Text: c.Text,
			Path: c.Path, StartLine: c.StartLine, EndLine: c.EndLine, Language: c.Language, Title: c.Title,
			Metadata: shownMetadata(c.Metadata), Symbol: symbolOf(c.Metadata),
			KeywordRank: h.KeywordRank, SemanticRank: h.SemanticRank,
			KeywordScore: h.KeywordScore, SemanticScore: h.SemanticScore, Rules: h.Rules, texts: h.Texts,
		})
	}
	for i := range out {
		out[i].MoreInFile = candidates[out[i].ID] - len(taken[out[i].ID])
		cutText(&out[i])
	}
	return out
}

// errChunkGone reports a result whose chunk the store no longer holds.
var errChunkGone = errors.New("a result's chunk was replaced since the search")

// shownMetadata is a chunk's metadata as a result shows it: without what
// the index records for ranking alone (chunk.MetaFacts).
func shownMetadata(meta map[string]string) map[string]string {
	if _, ok := meta[chunk.MetaFacts]; !ok {
		return meta
	}
	out := maps.Clone(meta)
	delete(out, chunk.MetaFacts)
	if len(out) == 0 {
		return nil
	}
	return out
}

// readTexts reads the texts the store left out of results and cuts them
// to MaxHitChars. A chunk replaced or deleted since the search is
// errChunkGone.
func readTexts(ctx context.Context, results []SearchResult) error {
	var ids []string
	var from storage.TextReader
	for _, res := range results {
		if res.texts != nil {
			ids, from = append(ids, res.ChunkID), res.texts // one store answers a search
		}
	}
	if from != nil {
		texts, err := from.ChunkTexts(ctx, ids)
		if err != nil {
			return fmt.Errorf("read the results' texts: %w", err)
		}
		for i := range results {
			if results[i].texts == nil {
				continue
			}
			t, ok := texts[results[i].ChunkID]
			if !ok {
				return errChunkGone
			}
			results[i].Text, results[i].texts = t, nil
			cutText(&results[i])
		}
	}
	return nil
}

// cutText cuts a result's text to MaxHitChars, on a character boundary.
func cutText(res *SearchResult) {
	if len(res.Text) > MaxHitChars {
		cut := MaxHitChars
		for cut > 0 && !utf8.RuneStart(res.Text[cut]) {
			cut--
		}
		res.Text, res.Truncated = res.Text[:cut], true
	}
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

// rulesOf returns the ranking rules a configuration switches on.
func rulesOf(c config.SearchRules) rank.Rules {
	return rank.Rules{
		Definitions: c.Definitions, Paths: c.Paths, Files: c.FileCoherence,
		Satellites: c.Satellites, OnePerFile: c.OnePerFile, Logic: c.Logic,
	}
}

// namedFileHits bounds the chunks filesNamedAfter adds.
const namedFileHits = 20

// filesNamedAfter finds, with the keyword leg alone, chunks of files named
// after the symbol a query names (HTTPAdapter: HTTPAdapter.*,
// httpadapter.*, http_adapter.*, http-adapter.*), or after its qualifier
// (Lexer.* for Lexer::tokenize, lager_config.* for lager_config:get), or
// after both as an extension's file is (Sequence+windowedPairs.kt), so
// that the file that defines a type, or the member asked for, is a
// candidate even when neither leg ranked it among its best. q is the
// search's store query, whose filters it keeps.
func filesNamedAfter(ctx context.Context, store storage.Store, query rank.Query, q storage.Query) ([]storage.Hit, error) {
	names := rank.FileNames(query.Symbol)
	for _, n := range rank.FileNames(query.Qualifier) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	// Files named Receiver+member: Kotlin's and Swift's extensions,
	// Objective-C's categories (Sequence+windowedPairs.kt, NSString+URL.m).
	if query.Qualifier != "" {
		names = append(names, query.Qualifier+"+*")
	}
	names = append(names, "*+"+query.Symbol)
	q.PathGlob = "{" + strings.Join(names, ",") + "}.*"
	// Of those files, the chunks that hold the symbol or its qualifier as
	// one word (WaitGroup: waitgroup; reflect.Value: reflect, value), not
	// every chunk holding a word of either: wait or group is in thousands
	// of chunks, each of which the store would read to check its path.
	q.Text = strings.TrimSpace(storage.FoldName(query.Qualifier) + " " + storage.FoldName(query.Symbol))
	return lookup(ctx, store, q, "files named after "+query.Symbol)
}

// definitionsOf finds, with the keyword leg alone, the chunks among those
// holding the symbol's words that define it (storage.Query.Defines),
// however low BM25 ranks them: Validate in a validation library, where
// "validate" is in most files and no file is named after it. A qualified
// symbol (reflect.Value) is left to the files named after its qualifier:
// every type's Value method would crowd it. q is the search's store
// query, whose filters it keeps.
func definitionsOf(ctx context.Context, store storage.Store, query rank.Query, q storage.Query) ([]storage.Hit, error) {
	q.Defines = storage.FoldName(query.Symbol)
	return lookup(ctx, store, q, "the definitions of "+query.Symbol)
}

// definesAny reports whether a hit defines symbol, spelt as asked (a
// validate function is no answer to Validate): then the legs found its
// definition, and definitionsOf, which reads every chunk holding the
// symbol's words, is not needed.
func definesAny(hits []storage.Hit, symbol string) bool {
	return slices.ContainsFunc(hits, func(h storage.Hit) bool {
		for n := range strings.FieldsSeq(h.Chunk.Metadata[storage.MetaDefines]) {
			if n[strings.LastIndexByte(n, '.')+1:] == symbol {
				return true
			}
		}
		return false
	})
}

// lookup runs q as a keyword query for namedFileHits chunks of what it
// names, which rank after every candidate of the legs.
func lookup(ctx context.Context, store storage.Store, q storage.Query, what string) ([]storage.Hit, error) {
	q.Mode, q.Dense, q.Limit, q.Prefetch = storage.ModeKeyword, nil, namedFileHits, namedFileHits
	hits, err := store.Search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("query the store for %s: %w", what, err)
	}
	for i := range hits {
		hits[i].KeywordRank, hits[i].SemanticRank = 0, 0
	}
	return hits, nil
}

// rankedTexts reads the texts the store left out of the candidates whose
// text the ranking reads (rank.ReadsText): a qualified symbol's top-level
// definitions, a few chunks, rather than every candidate's. A chunk
// replaced since the search keeps no text; it is errChunkGone if it
// becomes a result.
func rankedTexts(ctx context.Context, hits []storage.Hit, query rank.Query) error {
	var ids []string
	var from storage.TextReader
	for _, h := range hits {
		if h.Texts != nil && rank.ReadsText(query, h.Chunk.Metadata) {
			ids, from = append(ids, h.Chunk.ID), h.Texts // one store answers a search
		}
	}
	if from == nil {
		return nil
	}
	texts, err := from.ChunkTexts(ctx, ids)
	if err != nil {
		return fmt.Errorf("read the texts of definitions: %w", err)
	}
	for i := range hits {
		if t, ok := texts[hits[i].Chunk.ID]; ok && hits[i].Texts != nil {
			hits[i].Chunk.Text, hits[i].Texts = t, nil
		}
	}
	return nil
}

// appendNew appends to hits the extra hits whose chunks it lacks.
func appendNew(hits, extra []storage.Hit) []storage.Hit {
	have := make(map[string]bool, len(hits))
	for _, h := range hits {
		have[h.Chunk.ID] = true
	}
	for _, h := range extra {
		if !have[h.Chunk.ID] {
			have[h.Chunk.ID] = true
			hits = append(hits, h)
		}
	}
	return hits
}
