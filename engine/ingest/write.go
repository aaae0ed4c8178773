package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/ingest/secrets"
	"workspace-qdrant-mcp/engine/lsp"
	"workspace-qdrant-mcp/engine/storage"
)

// fileDocPrefix begins the document id of every workspace file.
const fileDocPrefix = "file:"

// FileDocID is the document id of a workspace file.
func FileDocID(absPath string) string { return fileDocPrefix + absPath }

// FileDocPath is the path of the workspace file whose document id is id;
// false when id is not a file's.
func FileDocPath(id string) (string, bool) {
	p, ok := strings.CutPrefix(id, fileDocPrefix)
	return p, ok && p != ""
}

// ModelKey names an embedding model for vector reuse: provider, model
// and dimensions.
func ModelKey(info embed.Info) string {
	return fmt.Sprintf("%s/%s/%d", info.Provider, info.Model, info.Dimensions)
}

// WriteResult says what writing one document cost.
type WriteResult struct {
	Chunks   int // chunks stored
	Embedded int // chunks embedded now; the rest reused stored vectors
	// Redacted counts the secrets replaced by "[REDACTED:<rule>]" before
	// the text was cut, embedded and stored (see secrets).
	Redacted int
}

// WriteDocument chunks text, embeds only the chunks whose text the store
// does not already hold a vector for, and replaces the document's chunks
// atomically. doc names the document; language (as chunk.Language names
// it) applies to every chunk and says how text is cut: it overrides
// opts.Language.
func WriteDocument(ctx context.Context, store storage.Store, emb embed.Embedder, doc storage.Document, text, language string, opts chunk.Options) (WriteResult, error) {
	chunks, res, err := prepareDocument(ctx, store, emb, doc, text, language, opts, nil)
	if err != nil {
		return res, err
	}
	return res, store.ReplaceDocument(ctx, doc, chunks)
}

// prepareDocument is WriteDocument without the write: the chunks, each
// with its vector; path is the file's pathTerms (nil for none).
func prepareDocument(ctx context.Context, store storage.Store, emb embed.Embedder, doc storage.Document, text, language string, opts chunk.Options, path []string) ([]storage.Chunk, WriteResult, error) {
	chunks, hashes, redacted := buildChunks(doc, text, language, opts, ModelKey(emb.Info()), path)
	res := WriteResult{Chunks: len(chunks), Redacted: redacted}
	if err := embedMissing(ctx, store, emb, chunks, hashes, path, &res); err != nil {
		return nil, res, fmt.Errorf("embed %s: %w", doc.ID, err)
	}
	return chunks, res, nil
}

// prepareChunks is prepareDocument that leaves the embedding to the
// caller: the chunks, with the stored vectors they can reuse, the texts
// left to embed, and fill, which gives the chunks those texts' vectors.
func prepareChunks(ctx context.Context, store storage.Store, info embed.Info, doc storage.Document, text, language string, opts chunk.Options) ([]storage.Chunk, []string, func([][]float32) error, WriteResult, error) {
	chunks, hashes, redacted := buildChunks(doc, text, language, opts, ModelKey(info), nil)
	res := WriteResult{Chunks: len(chunks), Redacted: redacted}
	todo, fill, err := reuseVectors(ctx, store, info.Dimensions, chunks, hashes)
	if err != nil {
		return nil, nil, nil, res, fmt.Errorf("embed %s: %w", doc.ID, err)
	}
	res.Embedded = len(todo)
	return chunks, textsOf(chunks, todo), fill, res, nil
}

// MetaDefines is the chunk metadata key under which a chunk of code lists
// the names it defines (chunk.Chunk.Defines), separated by single spaces.
const MetaDefines = chunk.MetaDefines

// buildChunks splits text in language into the document's chunks, without
// vectors, and returns them with their vector hashes and the number of
// secrets it replaced. Secrets are replaced first (secrets.Redact, lines
// kept), so that no chunk holds one: nothing downstream, the embedder,
// the store, search or get_document, ever sees it. The same text,
// language and options always give the same chunks. Each chunk's metadata
// is the document's, plus chunk.MetaFacts (what ranking reads in its
// text) and MetaDefines in every chunk of a language whose syntax the
// chunker knows (empty when the chunk defines nothing, so that a reader
// can tell "defines nothing" from "not known"), with chunk.MetaWithin
// when the chunk starts inside a declaration; each chunk has a copy of
// its own.
func buildChunks(doc storage.Document, text, language string, opts chunk.Options, model string, path []string) ([]storage.Chunk, []string, int) {
	text, found := secrets.Default().Redact(text, doc.Path)
	opts.Language = language
	pieces := chunk.Split(text, opts)
	chunks := make([]storage.Chunk, len(pieces))
	hashes := make([]string, len(pieces))
	structured := chunk.Structured(language)
	generated := chunk.GeneratedText(text)
	facts := chunk.FileFacts(text, language, pieces)
	// A note's title is searched with each of its chunks, as words of
	// the chunk; its vector hash covers it, since a vector built from
	// the terms holds it too.
	var title []string
	if doc.Kind == storage.KindNote && doc.Title != "" {
		title = analysis.Terms(doc.Title)
		path = append(slices.Clip(path), title...)
	}
	for i, p := range pieces {
		meta := make(map[string]string, len(doc.Metadata)+3)
		maps.Copy(meta, doc.Metadata)
		facts[i].Generated = generated
		meta[chunk.MetaFacts] = facts[i].Meta()
		if structured {
			meta[MetaDefines] = strings.Join(p.Defines, " ")
			if p.Within != "" {
				meta[chunk.MetaWithin] = p.Within
			}
		}
		chunks[i] = storage.Chunk{
			ID: chunk.ChunkID(doc.ID, p), DocID: doc.ID, Collection: doc.Collection, Kind: doc.Kind,
			Path: doc.Path, Title: doc.Title, Language: language, Ordinal: p.Ordinal,
			StartLine: p.StartLine, EndLine: p.EndLine, Text: p.Text,
			Hash: vectorHash(model, path, p.Text), Metadata: meta,
			Terms: append(analysis.Terms(p.Text), title...),
		}
		hashes[i] = chunks[i].Hash
	}
	return chunks, hashes, len(found)
}

// Enricher adds metadata to a file's chunks. Enrich returns, for each
// span (a chunk's lines), the keys to add, or nil for none; it never
// fails and returns within its own bounds, or soon after ctx ends.
// lsp.Manager is one. The indexer calls it after a file is written and
// searchable, on its own workers, and rewrites the chunks with what it
// returns (see Indexer).
type Enricher interface {
	Enrich(ctx context.Context, path, language, text string, spans []lsp.Span) []map[string]string
}

// Handler is an optional part of an Enricher: Handles says whether files
// of a language at path can be enriched at all, so that the indexer
// queues only those. An Enricher without it is asked about every file.
type Handler interface {
	Handles(path, language string) bool
}

// errStaleVectors means the store no longer holds a vector an enriched
// chunk needs: a newer version replaced the document's text.
var errStaleVectors = errors.New("stored vectors are gone")

// enrichChunks rebuilds a document's chunks from text, adds extra (per
// chunk) to their metadata and gives each its stored vector, found by
// hash: nothing is embedded. It fails with errStaleVectors when a vector
// is missing.
func enrichChunks(ctx context.Context, store storage.Store, dims int, model string, path []string, doc storage.Document, text, language string, opts chunk.Options, extra func([]lsp.Span) []map[string]string) ([]storage.Chunk, bool, error) {
	chunks, hashes, _ := buildChunks(doc, text, language, opts, model, path)
	if len(chunks) == 0 {
		return nil, false, nil
	}
	spans := make([]lsp.Span, len(chunks))
	for i, c := range chunks {
		spans[i] = lsp.Span{StartLine: c.StartLine, EndLine: c.EndLine}
	}
	meta := extra(spans)
	added := false
	for i := range chunks {
		if i < len(meta) && len(meta[i]) > 0 {
			m := maps.Clone(chunks[i].Metadata) // the document's, and the chunk's own (MetaDefines)
			if m == nil {
				m = make(map[string]string, len(meta[i]))
			}
			maps.Copy(m, meta[i])
			chunks[i].Metadata = m
			added = true
		}
	}
	if !added || ctx.Err() != nil {
		return nil, false, ctx.Err()
	}
	known, err := store.VectorsByHash(ctx, hashes)
	if err != nil {
		return nil, false, fmt.Errorf("look up stored vectors: %w", err)
	}
	for i := range chunks {
		v, ok := known[chunks[i].Hash]
		if !ok || len(v) != dims {
			return nil, false, errStaleVectors
		}
		chunks[i].Dense = v
	}
	return chunks, true, nil
}

// embedMissing fills every chunk's Dense vector, reusing stored vectors
// by hash and embedding the rest in one batch; a TermsEmbedder embeds
// each chunk's terms with path's (pathTerms).
func embedMissing(ctx context.Context, store storage.Store, emb embed.Embedder, chunks []storage.Chunk, hashes, path []string, res *WriteResult) error {
	todo, fill, err := reuseVectors(ctx, store, emb.Info().Dimensions, chunks, hashes)
	if err != nil || len(todo) == 0 {
		return err
	}
	var vecs [][]float32
	if te, ok := emb.(embed.TermsEmbedder); ok {
		terms := make([][]string, len(todo))
		for k, i := range todo {
			terms[k] = vectorTerms(chunks[i].Terms, path)
		}
		vecs, err = te.EmbedTerms(ctx, terms)
	} else {
		vecs, err = emb.Embed(ctx, textsOf(chunks, todo))
	}
	if err != nil {
		return err
	}
	if err := fill(vecs); err != nil {
		return err
	}
	res.Embedded = len(todo)
	return nil
}

// textsOf returns the texts of chunks[i] for each i in todo.
func textsOf(chunks []storage.Chunk, todo []int) []string {
	texts := make([]string, len(todo))
	for k, i := range todo {
		texts[k] = chunks[i].Text
	}
	return texts
}

// reuseVectors gives every chunk whose hash has a stored vector of dims
// dimensions that vector, and returns the chunks whose texts are left to
// embed, one for each distinct text (by index into chunks, in order), and
// fill, which gives every chunk without a vector the vector of its text,
// given one vector for each of todo's texts.
func reuseVectors(ctx context.Context, store storage.Store, dims int, chunks []storage.Chunk, hashes []string) (todo []int, fill func([][]float32) error, err error) {
	if len(chunks) == 0 {
		return nil, nil, nil
	}
	known, err := store.VectorsByHash(ctx, hashes)
	if err != nil {
		return nil, nil, fmt.Errorf("look up stored vectors: %w", err)
	}
	var missing []int
	fresh := map[string]int{} // hash → index into todo, so equal chunks embed once
	for i := range chunks {
		if v, ok := known[chunks[i].Hash]; ok && len(v) == dims {
			chunks[i].Dense = v
			continue
		}
		if _, ok := fresh[chunks[i].Hash]; !ok {
			fresh[chunks[i].Hash] = len(todo)
			todo = append(todo, i)
		}
		missing = append(missing, i)
	}
	return todo, func(vecs [][]float32) error {
		if len(vecs) != len(todo) {
			return fmt.Errorf("embedder returned %d vectors for %d texts", len(vecs), len(todo))
		}
		for _, i := range missing {
			chunks[i].Dense = vecs[fresh[chunks[i].Hash]]
		}
		return nil
	}, nil
}
