package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"workspace-qdrant-mcp/engine/storage"
)

// Batched writes. Committing a document costs the store far more than
// the rows it writes (the embedded store's SQLite commit and WAL pages;
// the ledger's own commit), and pipeline workers block
// on their commits, so with one file per task the single store writer was
// the bottleneck of a full index. When many files are pending, a task
// therefore takes several (nextBatch), prepares each (read, chunk, embed)
// and writes their documents together (writeFiles): in one store
// transaction when the store is a storage.BatchReplacer, then in one
// ledger transaction. Guarantees are those of single writes:
//
//   - each document is replaced atomically (the batch is one transaction;
//     a search sees all of it or none);
//   - a path leaves the ledger's pending table only in the ledger
//     transaction that follows its store commit, so a crash anywhere
//     leaves uncommitted work pending for the next start;
//   - a file's write still holds its path's write lock (see enrich.go);
//     a batch takes its paths' locks in sorted order, and no path is in
//     two batches at once (it is in flight).
//
// A single pending change is written at once, on its own.

// Batch limits.
const (
	// maxBatchFiles bounds the files a task takes. Every commit rewrites
	// the index pages its rows land in (chunk ids and hashes are spread
	// over the whole of their indexes), so fewer, larger commits write
	// fewer pages: 64 instead of 16 took a fifth off the CPU time of a
	// full index of GOROOT (BENCHMARKS.md, "Full index: the write path
	// and FTS5").
	maxBatchFiles = 64
	// maxBatchBytes bounds the file content whose prepared documents a
	// task holds before writing them.
	maxBatchBytes = 4 << 20
)

// fileWrite is a changed file's document, prepared for writeFiles.
type fileWrite struct {
	fileDone                     // its new state, for the ledger
	rep      storage.Replacement // its document and chunks, with vectors
	res      WriteResult
	size     int // bytes of content
	// embed, with a batcher, is the job embedding the texts the chunks
	// lack vectors for, and fill gives the chunks its vectors.
	embed *embedJob
	fill  func([][]float32) error
}

// morePaths returns more dirty paths for a task whose prepared files
// (writes) still have texts waiting for a batch to fill, so that their
// texts fill it, as long as the task holds less than maxBatchBytes; nil
// otherwise (see embedbatch.go).
func (ix *Indexer) morePaths(writes []*fileWrite) []string {
	if ix.batcher == nil || len(writes) == 0 {
		return nil
	}
	size, jobs := 0, make([]*embedJob, len(writes))
	for i, w := range writes {
		size += w.size
		jobs[i] = w.embed
	}
	if size >= maxBatchBytes || !ix.batcher.unsent(jobs) {
		return nil
	}
	return ix.nextBatch()
}

// writeEmbedded waits for the vectors of the writes' chunks that a
// batcher embeds, ends the flight of the files whose embedding failed,
// and writes the others (writeFiles).
func (ix *Indexer) writeEmbedded(ctx context.Context, writes []*fileWrite) error {
	var errs []error
	ready := writes[:0:0]
	for _, w := range writes {
		if w.embed != nil {
			vecs, err := ix.batcher.wait(ctx, w.embed)
			if err == nil && w.fill != nil {
				err = w.fill(vecs)
			}
			if err != nil {
				err = fmt.Errorf("index %s: embed %s: %w", w.path, w.rep.Doc.ID, err)
				ix.finish(ctx, w.path, err)
				errs = append(errs, err)
				continue
			}
		}
		ready = append(ready, w)
	}
	return errors.Join(append(errs, ix.writeFiles(ctx, ready))...)
}

// nextBatch takes dirty paths for one file task (see workQueue.take).
func (ix *Indexer) nextBatch() []string { return ix.q.take(ix.d.Config.Engine.Workers) }

// writeFiles writes the prepared documents, records the files' new
// states in the ledger, and ends each file's flight. It returns the
// errors of the files that failed.
func (ix *Indexer) writeFiles(ctx context.Context, writes []*fileWrite) error {
	if len(writes) == 0 {
		return nil
	}
	slices.SortFunc(writes, func(a, b *fileWrite) int { return cmp.Compare(a.path, b.path) })
	for _, w := range writes {
		ix.paths.lock(w.path)
	}
	ix.mu.Lock()
	for _, w := range writes {
		if s, ok := ix.known[w.path]; ok { // until the new state is recorded, the store matches no known version
			s.Hash = ""
			ix.known[w.path] = s
		}
	}
	ix.mu.Unlock()

	errs := ix.replaceAll(ctx, writes)
	var done []fileDone
	for i, w := range writes {
		if errs[i] == nil {
			done = append(done, w.fileDone)
			ix.log.Debug().Str("path", w.path).Int("chunks", w.res.Chunks).Int("embedded", w.res.Embedded).Msg("indexed")
		}
	}
	if err := ix.ledger.done(ctx, done); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	ix.mu.Lock()
	for i, w := range writes {
		if errs[i] == nil {
			ix.known[w.path] = w.state
			ix.lastIndexed = time.Now()
			if w.redacted > 0 {
				ix.redacted[w.path] = w.redacted
			} else {
				delete(ix.redacted, w.path)
			}
		}
	}
	ix.mu.Unlock()
	for i, w := range writes {
		if errs[i] == nil && w.enrich {
			ix.queueEnrich(w.path, w.state.Hash)
		}
		ix.paths.unlock(w.path)
	}
	for i, w := range writes {
		ix.finish(ctx, w.path, errs[i])
	}
	return errors.Join(errs...)
}

// replaceAll writes the documents to the store, together when it is a
// storage.BatchReplacer, and returns each one's error. A batch that fails
// (other than by ctx ending) is written again one document at a time, so
// that one bad document fails alone.
func (ix *Indexer) replaceAll(ctx context.Context, writes []*fileWrite) []error {
	errs := make([]error, len(writes))
	if br, ok := ix.d.Store.(storage.BatchReplacer); ok && len(writes) > 1 {
		reps := make([]storage.Replacement, len(writes))
		for i, w := range writes {
			reps[i] = w.rep
		}
		err := br.ReplaceDocuments(ctx, reps)
		if err == nil {
			return errs
		}
		if ctx.Err() != nil {
			for i, w := range writes {
				errs[i] = fmt.Errorf("index %s: %w", w.path, err)
			}
			return errs
		}
		ix.log.Warn().Err(err).Int("files", len(writes)).Msg("batch write failed; writing its files one by one")
	}
	for i, w := range writes {
		if err := ix.d.Store.ReplaceDocument(ctx, w.rep.Doc, w.rep.Chunks); err != nil {
			errs[i] = fmt.Errorf("index %s: %w", w.path, err)
		}
	}
	return errs
}
