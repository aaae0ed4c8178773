package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"workspace-qdrant-mcp/engine/storage"
)

// chunkColumns are the columns scanChunk reads, in order.
const chunkColumns = `id, doc_id, collection, kind, path, title, language, ordinal,
	start_line, end_line, text, hash, metadata`

// scanChunk reads the current row: the extra destinations first, then
// chunkColumns. Dense and Sparse are not filled.
func scanChunk(rows *sql.Rows, extra ...any) (storage.Chunk, error) {
	var c storage.Chunk
	var meta string
	dest := slices.Concat(extra, []any{&c.ID, &c.DocID, &c.Collection, &c.Kind, &c.Path, &c.Title, &c.Language,
		&c.Ordinal, &c.StartLine, &c.EndLine, &c.Text, &c.Hash, &meta})
	if err := rows.Scan(dest...); err != nil {
		return c, err
	}
	var err error
	c.Metadata, err = decodeMetadata(meta)
	return c, err
}

// GetDocument returns a document with its chunks ordered by ordinal.
func (s *Store) GetDocument(ctx context.Context, docID string) (storage.Document, error) {
	doc, err := s.getDocument(ctx, docID)
	if err != nil {
		return storage.Document{}, fmt.Errorf("get document %s: %w", docID, err)
	}
	return doc, nil
}

func (s *Store) getDocument(ctx context.Context, docID string) (storage.Document, error) {
	if err := s.enter(); err != nil {
		return storage.Document{}, err
	}
	defer s.life.RUnlock()
	// One read transaction, so the document and its chunks come from the
	// same commit.
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return storage.Document{}, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only; nothing to undo
	doc, err := readDocument(ctx, tx, docID)
	if err != nil {
		return storage.Document{}, err
	}
	doc.Chunks, err = readChunks(ctx, tx, docID)
	return doc, err
}

func readDocument(ctx context.Context, tx *sql.Tx, docID string) (storage.Document, error) {
	doc := storage.Document{ID: docID}
	var meta string
	err := tx.QueryRowContext(ctx, `SELECT collection, kind, path, title, metadata FROM documents WHERE id = ?`, docID).
		Scan(&doc.Collection, &doc.Kind, &doc.Path, &doc.Title, &meta)
	if errors.Is(err, sql.ErrNoRows) {
		return doc, storage.ErrNotFound
	}
	if err != nil {
		return doc, err
	}
	doc.Metadata, err = decodeMetadata(meta)
	return doc, err
}

func readChunks(ctx context.Context, tx *sql.Tx, docID string) ([]storage.Chunk, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT `+chunkColumns+` FROM chunks WHERE doc_id = ? ORDER BY ordinal, id`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var chunks []storage.Chunk
	for rows.Next() {
		c, err := scanChunk(rows)
		if err != nil {
			return nil, err
		}
		chunks = append(chunks, c)
	}
	return chunks, rows.Err()
}

// Documents returns the documents of a collection ordered by id, each
// with its chunks ordered by ordinal, from one read transaction. A
// missing collection has none.
func (s *Store) Documents(ctx context.Context, collection string) ([]storage.Document, error) {
	docs, err := s.documents(ctx, collection)
	if err != nil {
		return nil, fmt.Errorf("documents of collection %s: %w", collection, err)
	}
	return docs, nil
}

func (s *Store) documents(ctx context.Context, collection string) ([]storage.Document, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.life.RUnlock()
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read-only; nothing to undo
	docs, err := readHeads(ctx, tx, collection)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(docs))
	for i, d := range docs {
		index[d.ID] = i
	}
	rows, err := tx.QueryContext(ctx,
		`SELECT `+chunkColumns+` FROM chunks WHERE collection = ? ORDER BY doc_id, ordinal, id`, collection)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanChunk(rows)
		if err != nil {
			return nil, err
		}
		if i, ok := index[c.DocID]; ok {
			docs[i].Chunks = append(docs[i].Chunks, c)
		}
	}
	return docs, rows.Err()
}

// readHeads returns the documents of a collection ordered by id, without
// chunks.
func readHeads(ctx context.Context, tx *sql.Tx, collection string) ([]storage.Document, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT id, kind, path, title, metadata FROM documents WHERE collection = ? ORDER BY id`, collection)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	docs := []storage.Document{}
	for rows.Next() {
		d := storage.Document{Collection: collection}
		var meta string
		if err := rows.Scan(&d.ID, &d.Kind, &d.Path, &d.Title, &meta); err != nil {
			return nil, err
		}
		if d.Metadata, err = decodeMetadata(meta); err != nil {
			return nil, fmt.Errorf("document %s: %w", d.ID, err)
		}
		docs = append(docs, d)
	}
	return docs, rows.Err()
}

// maxParams bounds the bound parameters of one statement.
const maxParams = 500

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// VectorsByHash returns the stored vector of every hash some chunk has.
func (s *Store) VectorsByHash(ctx context.Context, hashes []string) (map[string][]float32, error) {
	found, err := s.vectorsByHash(ctx, hashes)
	if err != nil {
		return nil, fmt.Errorf("vectors by hash: %w", err)
	}
	return found, nil
}

func (s *Store) vectorsByHash(ctx context.Context, hashes []string) (map[string][]float32, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.life.RUnlock()
	found := make(map[string][]float32)
	hashes = s.mayHold(hashes)
	for batch := range slices.Chunk(hashes, maxParams) {
		if err := s.readVectors(ctx, batch, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// hashPrefixChars is how many characters of a chunk's hash its index
// keys on (schema version 5): 64 bits of a hex SHA-256.
const hashPrefixChars = 16

// hashPrefix is substr(hash, 1, hashPrefixChars), the key of the hash
// index: the first hashPrefixChars characters of hash.
func hashPrefix(hash string) string {
	n := 0
	for i := range hash {
		if n == hashPrefixChars {
			return hash[:i]
		}
		n++
	}
	return hash
}

// vectorsQuery reads the vectors of n hashes, given as their n prefixes
// (hashPrefix), which the index finds, and then the n hashes.
func vectorsQuery(n int) string {
	return `SELECT hash, dense, (SELECT dims FROM collections WHERE name = chunks.collection)
		FROM chunks WHERE substr(hash, 1, ` + strconv.Itoa(hashPrefixChars) + `) IN (` + placeholders(n) + `)
		AND hash IN (` + placeholders(n) + `) ORDER BY rid`
}

// readVectors adds to found a vector for each of hashes that a chunk has.
func (s *Store) readVectors(ctx context.Context, hashes []string, found map[string][]float32) error {
	args := make([]any, 2*len(hashes))
	for i, h := range hashes {
		args[i], args[len(hashes)+i] = hashPrefix(h), h
	}
	rows, err := s.reader.QueryContext(ctx, vectorsQuery(len(hashes)), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			hash string
			blob sql.RawBytes
			dims int
		)
		if err := rows.Scan(&hash, &blob, &dims); err != nil {
			return err
		}
		if _, ok := found[hash]; ok {
			continue
		}
		v := make([]float32, dims)
		if err := decodeVector(v, blob); err != nil {
			return fmt.Errorf("hash %s: %w", hash, err)
		}
		found[hash] = v
	}
	return rows.Err()
}

// Collections lists the collections by name with their document and chunk
// counts.
func (s *Store) Collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	infos, err := s.collections(ctx)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	return infos, nil
}

func (s *Store) collections(ctx context.Context) ([]storage.CollectionInfo, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.life.RUnlock()
	rows, err := s.reader.QueryContext(ctx, `
		SELECT name,
			(SELECT count(*) FROM documents WHERE documents.collection = collections.name),
			(SELECT count(*) FROM chunks WHERE chunks.collection = collections.name)
		FROM collections ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	infos := []storage.CollectionInfo{}
	for rows.Next() {
		var info storage.CollectionInfo
		if err := rows.Scan(&info.Name, &info.Documents, &info.Chunks); err != nil {
			return nil, err
		}
		infos = append(infos, info)
	}
	return infos, rows.Err()
}

// Stats counts documents, file documents and chunks.
func (s *Store) Stats(ctx context.Context) (storage.Stats, error) {
	if err := s.enter(); err != nil {
		return storage.Stats{}, fmt.Errorf("stats: %w", err)
	}
	defer s.life.RUnlock()
	var st storage.Stats
	err := s.reader.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM documents),
			(SELECT count(*) FROM documents WHERE kind = ?),
			(SELECT count(*) FROM chunks)`, storage.KindFile).
		Scan(&st.Documents, &st.Files, &st.Chunks)
	if err != nil {
		return storage.Stats{}, fmt.Errorf("stats: %w", err)
	}
	st.KeywordIndexLoading = s.build.loading()
	return st, nil
}
