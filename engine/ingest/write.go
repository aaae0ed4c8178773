package ingest

import (
	"context"
	"fmt"
	"maps"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/lsp"
	"workspace-qdrant-mcp/engine/storage"
)

// FileDocID is the document id of a workspace file.
func FileDocID(absPath string) string { return "file:" + absPath }

// ModelKey names an embedding model for vector reuse: provider, model
// and dimensions.
func ModelKey(info embed.Info) string {
	return fmt.Sprintf("%s/%s/%d", info.Provider, info.Model, info.Dimensions)
}

// WriteResult says what writing one document cost.
type WriteResult struct {
	Chunks   int // chunks stored
	Embedded int // chunks embedded now; the rest reused stored vectors
}

// WriteDocument chunks text, embeds only the chunks whose text the store
// does not already hold a vector for, and replaces the document's chunks
// atomically. doc names the document; language applies to every chunk.
func WriteDocument(ctx context.Context, store storage.Store, emb embed.Embedder, doc storage.Document, text, language string, opts chunk.Options) (WriteResult, error) {
	return WriteEnriched(ctx, store, emb, nil, doc, text, language, opts)
}

// Enricher adds metadata to a file's chunks. Enrich returns, for each
// span (a chunk's lines), the keys to add, or nil for none; it never
// fails a write and returns within its own bounds. lsp.Manager is one.
type Enricher interface {
	Enrich(ctx context.Context, path, language, text string, spans []lsp.Span) []map[string]string
}

// WriteEnriched is WriteDocument with an Enricher, which runs beside the
// embedding; a nil enricher adds nothing.
func WriteEnriched(ctx context.Context, store storage.Store, emb embed.Embedder, enrich Enricher, doc storage.Document, text, language string, opts chunk.Options) (WriteResult, error) {
	pieces := chunk.Split(text, opts)
	model := ModelKey(emb.Info())
	chunks := make([]storage.Chunk, len(pieces))
	hashes := make([]string, len(pieces))
	for i, p := range pieces {
		chunks[i] = storage.Chunk{
			ID: chunk.ChunkID(doc.ID, p), DocID: doc.ID, Collection: doc.Collection, Kind: doc.Kind,
			Path: doc.Path, Title: doc.Title, Language: language, Ordinal: p.Ordinal,
			StartLine: p.StartLine, EndLine: p.EndLine, Text: p.Text,
			Hash: storage.VectorHash(model, p.Text), Metadata: doc.Metadata,
		}
		hashes[i] = chunks[i].Hash
	}
	res := WriteResult{Chunks: len(chunks)}
	var extra []map[string]string
	if enrich != nil && len(chunks) > 0 {
		spans := make([]lsp.Span, len(chunks))
		for i, c := range chunks {
			spans[i] = lsp.Span{StartLine: c.StartLine, EndLine: c.EndLine}
		}
		ectx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			extra = enrich.Enrich(ectx, doc.Path, language, text, spans)
		}()
		defer func() { cancel(); <-done }() // on an early return
		err := embedMissing(ctx, store, emb, chunks, hashes, &res)
		if err != nil {
			return res, fmt.Errorf("embed %s: %w", doc.ID, err)
		}
		<-done
		for i := range chunks {
			if i < len(extra) && len(extra[i]) > 0 {
				meta := maps.Clone(doc.Metadata)
				if meta == nil {
					meta = make(map[string]string, len(extra[i]))
				}
				maps.Copy(meta, extra[i])
				chunks[i].Metadata = meta
			}
		}
	} else if err := embedMissing(ctx, store, emb, chunks, hashes, &res); err != nil {
		return res, fmt.Errorf("embed %s: %w", doc.ID, err)
	}
	if err := store.ReplaceDocument(ctx, doc, chunks); err != nil {
		return res, err
	}
	return res, nil
}

// embedMissing fills every chunk's Dense vector, reusing stored vectors
// by text hash and embedding the rest in one batch.
func embedMissing(ctx context.Context, store storage.Store, emb embed.Embedder, chunks []storage.Chunk, hashes []string, res *WriteResult) error {
	if len(chunks) == 0 {
		return nil
	}
	known, err := store.VectorsByHash(ctx, hashes)
	if err != nil {
		return fmt.Errorf("look up stored vectors: %w", err)
	}
	var texts []string
	var missing []int
	fresh := map[string]int{} // hash → index into texts, so equal chunks embed once
	for i := range chunks {
		if v, ok := known[chunks[i].Hash]; ok && len(v) == emb.Info().Dimensions {
			chunks[i].Dense = v
			continue
		}
		if _, ok := fresh[chunks[i].Hash]; !ok {
			fresh[chunks[i].Hash] = len(texts)
			texts = append(texts, chunks[i].Text)
		}
		missing = append(missing, i)
	}
	if len(texts) == 0 {
		return nil
	}
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return err
	}
	if len(vecs) != len(texts) {
		return fmt.Errorf("embedder returned %d vectors for %d texts", len(vecs), len(texts))
	}
	for _, i := range missing {
		chunks[i].Dense = vecs[fresh[chunks[i].Hash]]
	}
	res.Embedded = len(texts)
	return nil
}
