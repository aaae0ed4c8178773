package workspace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/rank"
	"workspace-qdrant-mcp/engine/storage"
)

// relatedTerms bounds the words of a chunk that find_related's keyword
// leg searches for.
const relatedTerms = 24

// RelatedRequest asks for the code most like one chunk: the chunk of
// document Ref holding Line (the first chunk when Line is 0).
type RelatedRequest struct {
	Ref        DocumentRef
	Line       int
	Limit      int
	MaxPerFile int // as in SearchRequest
	PathGlob   string
	Language   string
	// SameFile also returns other parts of the source's own document.
	SameFile bool
}

// RelatedSource is the chunk that FindRelated compared with.
type RelatedSource struct {
	ID        string `json:"id"`
	ChunkID   string `json:"chunk_id"`
	Path      string `json:"path,omitempty"`
	Title     string `json:"title,omitempty"`
	StartLine int    `json:"start_line,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
}

// RelatedResponse is find_related's answer: search's shape, plus the
// source chunk.
type RelatedResponse struct {
	SearchResponse
	Source RelatedSource `json:"source"`
}

// ErrLineOutside reports a line that no chunk of the document holds.
var ErrLineOutside = errors.New("no chunk holds the line")

// LineError is FindRelated's refusal of a line that no chunk of the
// document holds; it is ErrLineOutside for errors.Is.
type LineError struct {
	Line        int // the line asked for
	First, Last int // the lines the document's chunks cover
}

func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %v: the document's chunks cover lines %d-%d", e.Line, ErrLineOutside, e.First, e.Last)
}

func (e *LineError) Unwrap() error { return ErrLineOutside }

// FindRelated returns the chunks most like one chunk elsewhere in the
// index, ranked as search ranks them. The semantic leg searches with the
// chunk's stored vector (embedding it again only when the store lost it),
// the keyword leg with the chunk's most frequent words; the source's own
// document is left out unless SameFile, and then only the source chunk
// and chunks overlapping it are.
func (l *Local) FindRelated(ctx context.Context, req RelatedRequest) (RelatedResponse, error) {
	return shared(ctx, l, func() (RelatedResponse, error) { return l.findRelated(ctx, req) })
}

// findRelated is FindRelated, the caller holding the notes lock shared.
func (l *Local) findRelated(ctx context.Context, req RelatedRequest) (RelatedResponse, error) {
	begin := time.Now()
	if req.Limit <= 0 {
		return RelatedResponse{}, fmt.Errorf("limit %d is not positive", req.Limit)
	}
	id, err := l.docID(req.Ref)
	if err != nil {
		return RelatedResponse{}, err
	}
	doc, err := l.Store.GetDocument(ctx, id)
	if err != nil {
		return RelatedResponse{}, err
	}
	src, err := sourceChunk(doc, req.Line)
	if err != nil {
		return RelatedResponse{}, err
	}
	text := keyTerms(src.Text, relatedTerms)
	if text == "" {
		return RelatedResponse{}, fmt.Errorf("%w: the chunk at lines %d-%d has no searchable words", ErrEmptyQuery, src.StartLine, src.EndLine)
	}
	// While the index holds vectors of two models, the stored vector of
	// the chunk is not compared with the others: the keyword leg answers.
	mode, mixed := storage.ModeHybrid, l.mixedModels()
	var dense []float32
	if mixed != "" {
		mode = storage.ModeKeyword
	} else if dense, err = l.chunkVector(ctx, src); err != nil {
		return RelatedResponse{}, err
	}
	t := l.tuning(nil)
	prefetch := max(t.Prefetch, req.Limit)
	hits, err := l.Store.Search(ctx, storage.Query{
		Text: text, Dense: dense, Mode: mode, Limit: 2 * prefetch, Prefetch: prefetch,
		PathGlob: req.PathGlob, Language: req.Language,
	})
	if err != nil {
		return RelatedResponse{}, fmt.Errorf("query the store: %w", err)
	}
	hits = slices.DeleteFunc(hits, func(h storage.Hit) bool {
		c := h.Chunk
		if c.DocID != src.DocID {
			return false
		}
		return !req.SameFile || c.Kind != storage.KindFile || (c.StartLine <= src.EndLine && c.EndLine >= src.StartLine)
	})
	// The file rule is left out: on a bag of the chunk's words it would
	// favour long files, not related ones.
	rules := rulesOf(l.Config.Search.Rules)
	rules.Files = false
	ranked := rank.Rank(hits, rank.ParseQuery(text), rank.Options{
		Mode: mode, Roots: l.Config.Workspace.Roots, Rules: rules, Tuning: t,
		KeepSatellites: req.PathGlob != "" || req.Language != "",
	})
	results, err := collectDistinct(ctx, ranked, perFile(req.MaxPerFile), req.Limit)
	if err != nil {
		return RelatedResponse{}, err
	}
	resp := RelatedResponse{
		SearchResponse: SearchResponse{Results: results, Mode: storage.ModeHybrid},
		Source: RelatedSource{ID: src.DocID, ChunkID: src.ID, Path: src.Path, Title: src.Title,
			StartLine: src.StartLine, EndLine: src.EndLine},
	}
	var degraded map[string]string
	if mixed != "" {
		degraded = map[string]string{"semantic": mixed}
	}
	l.finish(&resp.SearchResponse, degraded, begin)
	return resp, nil
}

// sourceChunk returns the chunk of doc holding line, the first one when
// line is 0; of several (chunks overlap), the one whose middle is nearest.
func sourceChunk(doc storage.Document, line int) (storage.Chunk, error) {
	if len(doc.Chunks) == 0 {
		return storage.Chunk{}, fmt.Errorf("document %s has no chunks", doc.ID)
	}
	if line == 0 {
		return doc.Chunks[0], nil
	}
	var holding []storage.Chunk
	for _, c := range doc.Chunks {
		if c.StartLine <= line && line <= c.EndLine {
			holding = append(holding, c)
		}
	}
	if len(holding) == 0 {
		last := doc.Chunks[len(doc.Chunks)-1]
		return storage.Chunk{}, &LineError{Line: line, First: doc.Chunks[0].StartLine, Last: last.EndLine}
	}
	dist := func(c storage.Chunk) int { d := 2*line - c.StartLine - c.EndLine; return max(d, -d) }
	return slices.MinFunc(holding, func(a, b storage.Chunk) int { return cmp.Compare(dist(a), dist(b)) }), nil
}

// chunkVector returns the stored vector of c, or embeds its text when the
// store no longer has it.
func (l *Local) chunkVector(ctx context.Context, c storage.Chunk) ([]float32, error) {
	if c.Hash != "" {
		vecs, err := l.Store.VectorsByHash(ctx, []string{c.Hash})
		if err != nil {
			return nil, fmt.Errorf("read the chunk's vector: %w", err)
		}
		if v, ok := vecs[c.Hash]; ok {
			return v, nil
		}
	}
	vecs, err := l.Embedder.Embed(ctx, []string{c.Text})
	if err != nil {
		return nil, fmt.Errorf("embed the chunk: %w", err)
	}
	return vecs[0], nil
}

// keyTerms returns up to n of text's analysed terms, the most frequent
// first (ties in order of appearance), joined by spaces: a keyword query
// that stands for the text. Terms of fewer than three characters and the
// keywords of common languages, which every file holds, are left out.
func keyTerms(text string, n int) string {
	count := map[string]int{}
	var order []string
	for _, t := range analysis.Terms(text) {
		if len(t) < 3 || codeKeywords[t] {
			continue
		}
		if count[t] == 0 {
			order = append(order, t)
		}
		count[t]++
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(count[b], count[a]) })
	return strings.Join(order[:min(n, len(order))], " ")
}

// codeKeywords are words every file of some language holds, as analysed
// terms: they say nothing about what a chunk is about.
var codeKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`package import func return var const type struct interface
		def class self this new let function export default public private protected static void
		nil null none true false err error string int bool else elif for while range break continue
		switch case try catch except finally raise throw async await yield end module require use
		impl pub mut match where include namespace using extends implements override final`) {
		for _, t := range analysis.Terms(w) {
			m[t] = true
		}
	}
	return m
}()
