package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"workspace-qdrant-mcp/engine/storage"
)

// EnsureCollection creates the collection when missing; an existing one
// with another vector size is a storage.ErrDimensionMismatch.
func (s *Store) EnsureCollection(ctx context.Context, name string, dims int) error {
	if err := s.ensureCollection(ctx, name, dims); err != nil {
		return fmt.Errorf("ensure collection %s: %w", name, err)
	}
	return nil
}

func (s *Store) ensureCollection(ctx context.Context, name string, dims int) error {
	if err := storage.ValidateCollection(name, dims); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	return s.writeSized(ctx, func(tx *sql.Tx) (indexChange, int64, error) {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO collections (name, dims) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, dims)
		if err != nil {
			return nil, 0, err
		}
		have, err := collectionDims(ctx, tx, name)
		if err != nil {
			return nil, 0, err
		}
		if have != dims {
			return nil, 0, fmt.Errorf("collection has %d dimensions, not %d: %w", have, dims, storage.ErrDimensionMismatch)
		}
		return func(ix *vectorIndex) { ix.ensureSet(name, dims) }, rowBytes, nil
	})
}

// collectionDims returns the vector size of a collection.
func collectionDims(ctx context.Context, tx *sql.Tx, name string) (int, error) {
	var dims int
	err := tx.QueryRowContext(ctx, `SELECT dims FROM collections WHERE name = ?`, name).Scan(&dims)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("collection %s: %w (call EnsureCollection first)", name, storage.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("collection %s: %w", name, err)
	}
	return dims, nil
}

// ReplaceDocument stores doc and makes chunks its only chunks, in one
// transaction. Zero chunks keep the document with no chunks.
func (s *Store) ReplaceDocument(ctx context.Context, doc storage.Document, chunks []storage.Chunk) error {
	if err := s.replaceDocuments(ctx, []storage.Replacement{{Doc: doc, Chunks: chunks}}); err != nil {
		return fmt.Errorf("replace document %s: %w", doc.ID, err)
	}
	return nil
}

// ReplaceDocuments does what ReplaceDocument does for each replacement,
// in order, in one transaction: every document is replaced or, on error,
// none is, and a search sees all the replacements or none. One commit
// for several documents costs far less than one each: SQLite writes each
// page changed once.
// It implements storage.BatchReplacer.
func (s *Store) ReplaceDocuments(ctx context.Context, reps []storage.Replacement) error {
	if err := s.replaceDocuments(ctx, reps); err != nil {
		return fmt.Errorf("replace %d documents: %w", len(reps), err)
	}
	return nil
}

func (s *Store) replaceDocuments(ctx context.Context, reps []storage.Replacement) error {
	reps = lastOfEach(reps)
	encoded := make([][]encodedChunk, len(reps))
	slabs := newVectorSlabs(reps)
	defer slabs.release() // the index has copied the vectors once the write returns
	for i, r := range reps {
		if err := storage.ValidateReplace(r.Doc, r.Chunks); err != nil {
			return docError(reps, i, err)
		}
		var err error
		if encoded[i], err = s.encodeChunks(r.Chunks, slabs); err != nil { // before taking the write lock
			return docError(reps, i, err)
		}
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	return s.writeSized(ctx, func(tx *sql.Tx) (indexChange, int64, error) {
		sets := make([]*vectorSet, len(reps))
		for i, r := range reps {
			var err error
			if sets[i], err = s.setFor(r.Doc, r.Chunks); err != nil {
				return nil, 0, docError(reps, i, err)
			}
		}
		removed := make([]removal, len(reps))
		for i, r := range reps {
			if err := s.stmts.upsertDocument(ctx, tx, r.Doc); err != nil {
				return nil, 0, docError(reps, i, err)
			}
		}
		for i, r := range reps {
			var err error
			if removed[i], err = s.stmts.deleteChunks(ctx, tx, r.Doc.ID); err != nil {
				return nil, 0, docError(reps, i, err)
			}
		}
		if err := s.index.checkNewIDs(reps, removed); err != nil {
			return nil, 0, err
		}
		added := make([][]item, len(reps))
		var written int64
		for i, r := range reps {
			var err error
			if added[i], err = s.stmts.insertChunks(ctx, tx, r.Chunks, encoded[i]); err != nil {
				return nil, 0, docError(reps, i, err)
			}
			written += rowBytes * int64(1+len(removed[i])+len(r.Chunks))
			for j, c := range r.Chunks {
				written += int64(len(c.Text) + len(encoded[i][j].dense))
			}
		}
		// In the order of the statements: a rid deleted may be reused by
		// an insert.
		return func(ix *vectorIndex) {
			for _, r := range removed {
				r.apply(ix)
			}
			for i, items := range added {
				for j, it := range items {
					sets[i].addPrepared(it, encoded[i][j].vec)
					ix.ids[it.id] = it.rid
					ix.addTerms(it.rid, encoded[i][j].tokens, reps[i].Chunks[j].Hash)
				}
			}
		}, written, nil
	})
}

// errDuplicateID reports a chunk id that another chunk already has.
var errDuplicateID = errors.New("chunk id is not unique")

// checkNewIDs fails when a chunk of reps would share its id with another
// chunk once the transaction that removed removed and inserts reps has
// committed: with a chunk the store keeps, or with another of reps. It
// is what the UNIQUE constraint on chunks.id checked until schema
// version 6. The caller holds Store.writeMu, so ix is the committed
// state.
func (ix *vectorIndex) checkNewIDs(reps []storage.Replacement, removed []removal) error {
	var gone map[int64]bool
	for _, r := range removed {
		for _, c := range r {
			if gone == nil {
				gone = make(map[int64]bool)
			}
			gone[c.rid] = true
		}
	}
	n := 0
	for _, r := range reps {
		n += len(r.Chunks)
	}
	seen := make(map[string]struct{}, n)
	for _, r := range reps {
		for _, c := range r.Chunks {
			if rid, ok := ix.ids[c.ID]; ok && !gone[rid] {
				return fmt.Errorf("chunk %s of document %s: %w: a stored chunk has it", c.ID, r.Doc.ID, errDuplicateID)
			}
			if _, ok := seen[c.ID]; ok {
				return fmt.Errorf("chunk %s of document %s: %w: it is given twice", c.ID, r.Doc.ID, errDuplicateID)
			}
			seen[c.ID] = struct{}{}
		}
	}
	return nil
}

// lastOfEach returns the last replacement of each document, in order:
// replacing a document replaces all it had, so the earlier ones of the
// same document change nothing.
func lastOfEach(reps []storage.Replacement) []storage.Replacement {
	if len(reps) < 2 {
		return reps
	}
	last := make(map[string]int, len(reps))
	for i, r := range reps {
		last[r.Doc.ID] = i
	}
	if len(last) == len(reps) {
		return reps
	}
	out := make([]storage.Replacement, 0, len(last))
	for i, r := range reps {
		if last[r.Doc.ID] == i {
			out = append(out, r)
		}
	}
	return out
}

// docError names the document of reps[i] in err when there are several.
func docError(reps []storage.Replacement, i int, err error) error {
	if len(reps) == 1 {
		return err
	}
	return fmt.Errorf("document %s: %w", reps[i].Doc.ID, err)
}

// setFor returns the vector set of doc's collection, checking that every
// chunk's vector has its size.
func (s *Store) setFor(doc storage.Document, chunks []storage.Chunk) (*vectorSet, error) {
	// Only writes change the index, and they are serialised, so the
	// index's collections are those in the database: no query needed.
	vs := s.index.sets[doc.Collection]
	if vs == nil {
		return nil, fmt.Errorf("collection %s: %w (call EnsureCollection first)", doc.Collection, storage.ErrNotFound)
	}
	for _, c := range chunks {
		if len(c.Dense) != vs.dims {
			return nil, fmt.Errorf("chunk %s has %d dimensions, collection %s has %d: %w",
				c.ID, len(c.Dense), doc.Collection, vs.dims, storage.ErrDimensionMismatch)
		}
	}
	return vs, nil
}

// rowBytes estimates what writing or deleting a row costs besides its
// text and vector, for pacing checkpoints.
const rowBytes = 256

// writerStatements are the statements of a document write, prepared on
// the writer.
type writerStatements struct {
	upsertDoc, deleteDocChunks, insertChunk *sql.Stmt
}

func (w *writerStatements) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&w.upsertDoc, `
			INSERT INTO documents (id, collection, kind, path, title, metadata) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET
				collection = excluded.collection, kind = excluded.kind, path = excluded.path,
				title = excluded.title, metadata = excluded.metadata`},
		{&w.deleteDocChunks, `DELETE FROM chunks WHERE doc_id = ? RETURNING collection, rid, hash`},
		{&w.insertChunk, `
			INSERT INTO chunks (id, doc_id, collection, kind, path, title, language, ordinal,
				start_line, end_line, text, hash, metadata, dense)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
	} {
		stmt, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", strings.Fields(p.query)[:3], err)
		}
		*p.dst = stmt
	}
	return nil
}

// close closes the statements prepared so far.
func (w *writerStatements) close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{w.upsertDoc, w.deleteDocChunks, w.insertChunk} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}

func (w *writerStatements) upsertDocument(ctx context.Context, tx *sql.Tx, doc storage.Document) error {
	meta, err := encodeMetadata(doc.Metadata)
	if err != nil {
		return err
	}
	_, err = tx.StmtContext(ctx, w.upsertDoc).ExecContext(ctx,
		doc.ID, doc.Collection, doc.Kind, doc.Path, doc.Title, meta)
	if err != nil {
		return fmt.Errorf("upsert document: %w", err)
	}
	return nil
}

// located names a chunk in the index.
type located struct {
	collection string
	rid        int64
}

// deleted is a chunk a transaction deleted.
type deleted struct {
	located
	hash string
}

// removal lists the chunks a transaction deleted.
type removal []deleted

// apply removes the deleted chunks from the index.
func (r removal) apply(ix *vectorIndex) {
	for _, c := range r {
		ix.removeHash(c.hash)
		vs := ix.sets[c.collection]
		id := ""
		if it, ok := vs.find(c.rid); ok {
			id = it.id
		}
		vs.remove(c.rid)
		ix.forget(c.rid, id)
	}
}

// deleteChunks deletes a document's chunks.
func (w *writerStatements) deleteChunks(ctx context.Context, tx *sql.Tx, docID string) (removal, error) {
	rows, err := tx.StmtContext(ctx, w.deleteDocChunks).QueryContext(ctx, docID)
	if err != nil {
		return nil, fmt.Errorf("delete chunks: %w", err)
	}
	defer rows.Close()
	var removed removal
	for rows.Next() {
		var c deleted
		if err := rows.Scan(&c.collection, &c.rid, &c.hash); err != nil {
			return nil, fmt.Errorf("delete chunks: %w", err)
		}
		removed = append(removed, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("delete chunks: %w", err)
	}
	return removed, nil
}

// encodedChunk holds a chunk's values that need encoding or analysis.
type encodedChunk struct {
	metadata string
	dense    []byte
	tokens   docTerms       // the analyzed text's tokens, for the keyword index
	vec      preparedVector // the vector as the index holds it
}

// encodeChunks prepares chunks for insertion, so that the write lock is
// not held while the analyzer runs or vectors are rounded and quantised.
func (s *Store) encodeChunks(chunks []storage.Chunk, slabs *vectorSlabs) ([]encodedChunk, error) {
	encoded := make([]encodedChunk, len(chunks))
	var scratch []float32
	for i, c := range chunks {
		meta, err := encodeMetadata(c.Metadata)
		if err != nil {
			return nil, fmt.Errorf("chunk %s: %w", c.ID, err)
		}
		isHalf := halfBlob(c.Dense)
		e := encodedChunk{metadata: meta, dense: encodeVectorAs(c.Dense, isHalf)}
		d := len(c.Dense)
		e.vec.half, e.vec.quant = slabs.take(d)
		if len(scratch) < d {
			scratch = make([]float32, d)
		}
		e.vec.scale = prepareVector(e.vec.half, e.vec.quant, c.Dense, isHalf, scratch[:d])
		if c.Terms != nil {
			e.tokens = countTermList(c.Terms, s.dict)
		} else {
			e.tokens = s.analyze(c.Text)
			s.dict.number(&e.tokens)
		}
		e.tokens.defs = namesSignature(c.Metadata[storage.MetaDefines])
		encoded[i] = e
	}
	return encoded, nil
}

// vectorSlabs hold the vectors encodeChunks prepares for the index
// (preparedVector) until the write has copied them there, in two
// allocations for a write, reused by the next writes: a full index of
// GOROOT prepares 65 MB of them.
type vectorSlabs struct {
	halves []uint16
	quants []int8
	// held are the slabs as taken from the pools, to give back.
	heldHalves []uint16
	heldQuants []int8
}

var halfSlabs, quantSlabs sync.Pool // of *[]uint16, *[]int8

// newVectorSlabs returns slabs for the vectors of reps' chunks.
func newVectorSlabs(reps []storage.Replacement) *vectorSlabs {
	values, quantValues := 0, 0
	for _, r := range reps {
		for _, c := range r.Chunks {
			values += len(c.Dense)
			if keepsQuant(len(c.Dense)) {
				quantValues += len(c.Dense)
			}
		}
	}
	v := &vectorSlabs{heldHalves: slabFrom[uint16](&halfSlabs, values), heldQuants: slabFrom[int8](&quantSlabs, quantValues)}
	v.halves, v.quants = v.heldHalves, v.heldQuants
	return v
}

// slabFrom returns a slice of n values from pool, or a new one.
func slabFrom[T any](pool *sync.Pool, n int) []T {
	if p, _ := pool.Get().(*[]T); p != nil && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]T, n)
}

// take returns room for a vector of d values and its int8 copy (nil
// when sets of its size keep none).
func (v *vectorSlabs) take(d int) (half []uint16, quant []int8) {
	half, v.halves = v.halves[:d:d], v.halves[d:]
	if keepsQuant(d) {
		quant, v.quants = v.quants[:d:d], v.quants[d:]
	}
	return half, quant
}

// release gives the slabs back for reuse; nothing may use them after.
func (v *vectorSlabs) release() {
	if cap(v.heldHalves) > 0 {
		halfSlabs.Put(&v.heldHalves)
	}
	if cap(v.heldQuants) > 0 {
		quantSlabs.Put(&v.heldQuants)
	}
}

// insertChunks inserts chunks, returning what the index needs to know
// about each.
func (w *writerStatements) insertChunks(ctx context.Context, tx *sql.Tx, chunks []storage.Chunk, encoded []encodedChunk) ([]item, error) {
	if len(chunks) == 0 {
		return nil, nil
	}
	insertChunk := tx.StmtContext(ctx, w.insertChunk)
	defer insertChunk.Close()

	items := make([]item, len(chunks))
	infos := make([]chunkInfo, len(chunks))
	var doc *docInfo
	for i, c := range chunks {
		e := encoded[i]
		res, err := insertChunk.ExecContext(ctx, c.ID, c.DocID, c.Collection, c.Kind, c.Path, c.Title,
			c.Language, c.Ordinal, c.StartLine, c.EndLine, c.Text, c.Hash, e.metadata, e.dense)
		if err != nil {
			return nil, fmt.Errorf("insert chunk %s: %w", c.ID, err)
		}
		rid, err := res.LastInsertId()
		if err != nil {
			return nil, fmt.Errorf("insert chunk %s: %w", c.ID, err)
		}
		doc = doc.share(c.DocID, c.Kind, c.Path, c.Title)
		meta, err := checkMeta(e.metadata)
		if err != nil {
			return nil, fmt.Errorf("chunk %s: %w", c.ID, err)
		}
		infos[i] = chunkInfo{doc: doc, meta: meta, ordinal: c.Ordinal, start: c.StartLine, end: c.EndLine}
		items[i] = item{rid: rid, id: c.ID, path: doc.path, language: c.Language, info: &infos[i]}
	}
	return items, nil
}

// DeleteDocument deletes a document and its chunks, returning how many
// chunks it had; a missing document is storage.ErrNotFound.
func (s *Store) DeleteDocument(ctx context.Context, docID string) (int, error) {
	n, err := s.deleteDocument(ctx, docID)
	if err != nil {
		return 0, fmt.Errorf("delete document %s: %w", docID, err)
	}
	return n, nil
}

func (s *Store) deleteDocument(ctx context.Context, docID string) (int, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.life.RUnlock()
	var removed removal
	err := s.writeSized(ctx, func(tx *sql.Tx) (indexChange, int64, error) {
		var err error
		if removed, err = s.stmts.deleteChunks(ctx, tx, docID); err != nil {
			return nil, 0, err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM documents WHERE id = ?`, docID)
		if err != nil {
			return nil, 0, fmt.Errorf("delete document row: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return nil, 0, fmt.Errorf("delete document row: %w", err)
		}
		if n == 0 {
			return nil, 0, storage.ErrNotFound
		}
		return removed.apply, rowBytes * int64(1+len(removed)), nil
	})
	return len(removed), err
}
