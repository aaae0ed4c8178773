package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"slices"
	"sync"

	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/lsp"
	"workspace-qdrant-mcp/engine/storage"
)

// Enrichment runs behind indexing. A file is written and searchable
// without symbols; when an Enricher is configured and handles the file,
// the version written (path and content hash) is recorded in the ledger
// and queued, once per path, for enrichWorkers background workers. A
// worker asks the Enricher for the symbols of that version and rewrites
// the document's chunks with them, reusing the stored vectors (nothing is
// embedded again).
//
// Every write of a file's document (index, remove, enrich) is made under
// the path's write lock (pathLocks), and an index or remove updates the
// indexer's known state of the path before releasing it (invalidating it
// first, so a failure leaves it matching nothing). An enrichment writes
// only when, under that lock, the known hash is still the one it
// enriched: the store then holds exactly that version, and no newer
// version can be written until the enrichment's write is done, so
// enrichment never brings back old text or puts symbols on the wrong
// text. A version replaced meanwhile is dropped: its successor was (or
// will be) queued when it was written.
//
// Enrichment yields to indexing: one worker, which takes no file while
// a scan is asked for or running or any file is dirty or in flight, so
// a full index never shares the CPU with a language server (nor waits
// for one), and symbols arrive after the index is searchable. Each file
// task that ends with nothing left to index, and each scan that finds
// nothing to do, wakes the worker.
//
// On Stop, queued and running enrichment is abandoned; what was not done
// stays recorded in the ledger and is queued again at the next start,
// when the file's recorded hash still matches.

// enrichWorkers is how many files are enriched at once.
const enrichWorkers = 1

// wantsEnrich says whether a file written now is to be enriched.
func (ix *Indexer) wantsEnrich(path, language string) bool {
	if ix.d.Enricher == nil || language == "" {
		return false
	}
	if h, ok := ix.d.Enricher.(Handler); ok {
		return h.Handles(path, language)
	}
	return true
}

// languageOnDisk returns the language of the file at path as indexing
// names it (chunk.Detect), reading only its first line, and only when its
// name does not say.
func languageOnDisk(path string) string {
	if lang := chunk.Language(path); lang != "" {
		return lang
	}
	f, err := os.Open(path)
	if err != nil {
		return "" // gone: its removal is on its way
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return chunk.Interpreted(string(head[:n]))
}

// enrichQueue is the versions queued for enrichment, once per path in
// the order queued, and the enrichments running, under a lock of its own.
type enrichQueue struct {
	mu      sync.Mutex
	order   []string
	hashes  map[string]string // queued path → the hash of the version to enrich
	running int               // enrichments running now
	wake    chan struct{}     // nudges the enrichment workers
}

func newEnrichQueue() *enrichQueue {
	return &enrichQueue{hashes: map[string]string{}, wake: make(chan struct{}, 1)}
}

// put queues the version hash of path, replacing a version of it still
// queued, and wakes a worker.
func (e *enrichQueue) put(path, hash string) {
	e.mu.Lock()
	if _, queued := e.hashes[path]; !queued {
		e.order = append(e.order, path)
	}
	e.hashes[path] = hash
	e.mu.Unlock()
	e.nudge()
}

// nudge wakes a worker.
func (e *enrichQueue) nudge() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// drop unqueues path.
func (e *enrichQueue) drop(path string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.hashes[path]; ok {
		delete(e.hashes, path)
		e.order = slices.DeleteFunc(e.order, func(q string) bool { return q == path })
	}
}

// take starts the enrichment of the next queued version; done ends it.
func (e *enrichQueue) take() (path, hash string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.order) == 0 {
		return "", "", false
	}
	path, e.order = e.order[0], e.order[1:]
	hash = e.hashes[path]
	delete(e.hashes, path)
	e.running++
	if len(e.order) > 0 {
		e.nudge() // let another worker take the next one
	}
	return path, hash, true
}

func (e *enrichQueue) done() {
	e.mu.Lock()
	e.running--
	e.mu.Unlock()
}

// queued counts the versions queued; pending adds those running.
func (e *enrichQueue) queued() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.order)
}

func (e *enrichQueue) pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.hashes) + e.running
}

// queueEnrich queues the version hash of path for enrichment.
func (ix *Indexer) queueEnrich(path, hash string) { ix.enrich.put(path, hash) }

// nextEnrich takes the next queued path, unless the indexer is stopping
// or has indexing to do.
func (ix *Indexer) nextEnrich() (path, hash string, ok bool) {
	if ix.q.isStopping() || ix.indexing() {
		return "", "", false
	}
	return ix.enrich.take()
}

// wakeEnrichIfIdle wakes the enrichment worker once indexing has nothing
// left to do.
func (ix *Indexer) wakeEnrichIfIdle() {
	if !ix.indexing() {
		ix.enrich.nudge()
	}
}

// enrichLoop is one enrichment worker.
func (ix *Indexer) enrichLoop() {
	for ix.woken(ix.enrich.wake) {
		for {
			p, h, ok := ix.nextEnrich()
			if !ok {
				break
			}
			ix.enrichOne(p, h)
			ix.enrich.done()
		}
	}
}

// enrichOne enriches the version hash of path, if it is still the one
// indexed. See the comment at the top of this file.
func (ix *Indexer) enrichOne(path, hash string) {
	ctx := ix.ctx
	data, err := os.ReadFile(path)
	if err != nil {
		ix.enrichDropped(path, hash) // gone: its removal is on its way
		return
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != hash {
		ix.enrichDropped(path, hash) // changed: the newer version is queued when indexed
		return
	}
	text, _ := contentText(data)
	language := chunk.Detect(path, text)
	doc := storage.Document{ID: FileDocID(path), Collection: ix.d.Config.Workspace.Collection, Kind: storage.KindFile, Path: path}
	info := ix.d.Embedder.Info()
	chunks, ok, err := enrichChunks(ctx, ix.d.Store, info.Dimensions, ModelKey(info), pathTerms(ix.d.Embedder, ix.d.Config.Workspace.Roots, path),
		doc, text, language, ix.chunkOptions(language),
		func(spans []lsp.Span) []map[string]string {
			return ix.d.Enricher.Enrich(ctx, path, language, text, spans)
		})
	if ctx.Err() != nil {
		return // stopping: the ledger keeps it for the next start
	}
	if err != nil {
		if !errors.Is(err, errStaleVectors) {
			ix.log.Warn().Err(err).Str("path", path).Msg("enrich: file stays without symbols")
		}
		ix.enrichDropped(path, hash)
		return
	}
	if !ok { // no symbols to add
		ix.enrichDropped(path, hash)
		return
	}
	ix.paths.lock(path)
	ix.mu.Lock()
	cur, known := ix.known[path]
	halt := ix.q.halted()
	ix.mu.Unlock()
	if halt {
		ix.paths.unlock(path)
		return
	}
	if !known || cur.Hash != hash {
		ix.paths.unlock(path)
		ix.enrichDropped(path, hash)
		return
	}
	err = ix.d.Store.ReplaceDocument(ctx, doc, chunks)
	ix.paths.unlock(path)
	if err != nil {
		if ctx.Err() == nil {
			ix.log.Warn().Err(err).Str("path", path).Msg("enrich: write symbols")
			ix.enrichDropped(path, hash)
		}
		return
	}
	ix.log.Debug().Str("path", path).Int("chunks", len(chunks)).Msg("enriched")
	ix.enrichDropped(path, hash)
}

// enrichDropped clears the ledger's enrichment mark of a version that is
// done with: enriched, without symbols, or replaced.
func (ix *Indexer) enrichDropped(path, hash string) {
	if err := ix.ledger.enrichDone(ix.ctx, path, hash); err != nil && ix.ctx.Err() == nil {
		ix.log.Warn().Err(err).Str("path", path).Msg("enrich: record")
	}
}
