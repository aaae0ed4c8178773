package tools

import (
	"context"
	"errors"
	"math"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/storage"
)

// Search limits.
const (
	defaultLimit = 10
	maxLimit     = 100
	// maxQueryBytes bounds a query: longer ones are pasted documents, and
	// would cost memory and time for no better ranking.
	maxQueryBytes = 16 << 10
)

var searchModes = []string{storage.ModeHybrid, storage.ModeSemantic, storage.ModeKeyword}

func search(eng Engine) server.ServerTool {
	tool := newTool("search", "Search workspace",
		"Search the indexed workspace files and the notes added with add_document. hybrid (the "+
			"default) fuses keyword (BM25) and semantic (embedding) ranking; keyword finds exact "+
			"identifiers and words; semantic finds related wording. Each result gives the document id "+
			"(for get_document), path and line range (notes: title and metadata), score, each leg's rank and raw "+
			"score (keyword_rank/keyword_score: BM25, semantic_rank/semantic_score: cosine), text, the ranking "+
			"rules that moved it (rules: definition, path, file, satellite:<class>, logic, declarations, later_chunk, overload) and more_in_file, the "+
			"file's other matching chunks not shown: one result per file by default (max_per_file); a text found in several places "+
			"is shown once, its copies listed. A query that is one "+
			"identifier (HTTPAdapter, Context.JSON, Value::as_str) ranks the chunk defining it first; tests, examples and "+
			"docs rank below implementation unless the query names them. indexing is true while the "+
			"workspace is still being indexed, so results may be incomplete.",
		readOnly, outputSchema[engine.SearchResponse](),
		mcp.WithString("query", mcp.Required(), mcp.MinLength(1), mcp.MaxLength(maxQueryBytes),
			mcp.Description("What to look for: words, an identifier, or a question.")),
		mcp.WithInteger("limit", mcp.Min(1), mcp.Max(maxLimit), mcp.DefaultNumber(defaultLimit),
			mcp.Description("Maximum number of results.")),
		mcp.WithString("mode", mcp.Enum(searchModes...), mcp.DefaultString(storage.ModeHybrid),
			mcp.Description("Ranking: hybrid, semantic or keyword.")),
		mcp.WithString("collection",
			mcp.Description("Search only this collection (see list_collections); default: all.")),
		mcp.WithString("path_glob",
			mcp.Description(`Only files whose path matches this glob, e.g. "**/*.go" or "src/**"; a leading "!" excludes matches instead. Notes never match.`)),
		mcp.WithString("language",
			mcp.Description(`Only files of this language, e.g. "go", "python", "markdown".`)),
		mcp.WithString("symbol",
			mcp.Description(`Only chunks that define a symbol of this name, e.g. "ParseDuration" (case-insensitive; `+
				`"Start" also matches a method "(*Server).Start"), as a language server reported it; `+
				`each result's symbol names its enclosing symbol, e.g. "func ParseDuration".`)),
		mcp.WithInteger("max_per_file", mcp.Min(0), mcp.Max(maxLimit), mcp.DefaultNumber(engine.DefaultMaxPerFile),
			mcp.Description("At most this many results from one file (a hit overlapping one already shown is left out); 0: no cap.")),
		mcp.WithNumber("score_threshold", mcp.Min(-1), mcp.Max(1),
			mcp.Description("Drop semantic candidates whose cosine similarity to the query is below this; they can still be found by the keyword leg.")),
		mcp.WithNumber("min_keyword_score", mcp.Min(0),
			mcp.Description("Drop keyword candidates whose BM25 score is below this; they can still be found by the semantic leg.")),
		mcp.WithInteger("context_lines", mcp.Min(0), mcp.Max(engine.MaxContextLines), mcp.DefaultNumber(0),
			mcp.Description("Add this many lines of the file before and after each file result, as context_before and context_after.")),
	)
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		req := engine.SearchRequest{
			Query:      a.RequiredString("query"),
			Limit:      a.Int("limit", defaultLimit, 1, maxLimit),
			Mode:       a.Enum("mode", storage.ModeHybrid, searchModes...),
			Collection: a.String("collection"),
			PathGlob:   a.String("path_glob"),
			Language:   a.String("language"),
			Symbol:     a.String("symbol"),
		}
		req.MaxPerFile = maxPerFile(a)
		req.ScoreThreshold = optionalNumber(a, "score_threshold", -1, 1)
		req.MinKeywordScore = optionalNumber(a, "min_keyword_score", 0, math.MaxFloat64)
		req.ContextLines = a.Int("context_lines", 0, 0, engine.MaxContextLines)
		a.Check(len(req.Query) <= maxQueryBytes, "query", "is %d bytes long; at most %d: search with the words that matter", len(req.Query), maxQueryBytes)
		a.Check(a.err != nil || len(analysis.QueryTerms(req.Query)) > 0, "query",
			"%q has no searchable words: it is only stop words or punctuation", req.Query)
		checkPathGlob(a, req.PathGlob)
		if err := a.Err(); err != nil {
			return nil, err
		}
		return eng.Search(ctx, req)
	})}
}

// maxPerFile reads max_per_file: the engine's default when absent, -1
// (no cap) for 0.
func maxPerFile(a *args) int {
	n := a.Int("max_per_file", engine.DefaultMaxPerFile, 0, maxLimit)
	if n == 0 {
		return -1
	}
	return n
}

// checkPathGlob fails a when glob is given and is not a valid pattern.
func checkPathGlob(a *args, glob string) {
	if glob == "" {
		return
	}
	_, _, err := storage.ParsePathGlob(glob)
	if ge, ok := errors.AsType[*storage.GlobError](err); ok {
		a.Check(false, "path_glob", "%q is not a valid glob pattern: %v", glob, ge.Err)
	}
}

// optionalNumber returns a number argument within [lo, hi], nil when
// absent.
func optionalNumber(a *args, name string, lo, hi float64) *float64 {
	f, ok := a.number(name)
	if !ok {
		return nil
	}
	if f < lo || f > hi || math.IsNaN(f) {
		if hi == math.MaxFloat64 {
			a.fail(invalid(name, "must be at least %s, got %s", formatNumber(lo), formatNumber(f)))
		} else {
			a.fail(invalid(name, "must be between %s and %s, got %s", formatNumber(lo), formatNumber(hi), formatNumber(f)))
		}
		return nil
	}
	return &f
}
