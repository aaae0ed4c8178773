package embedded

import (
	"context"
	"errors"
	"fmt"
)

// IntegrityCheck verifies the database file, the FTS5 index, that every
// chunk has exactly one keyword entry and one unique id, and that the
// in-memory vector and keyword indexes hold exactly the stored chunks,
// waiting for the keyword index to be built. It returns every problem
// found, joined. Writes wait while it runs.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	if err := s.integrityCheck(ctx); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	return nil
}

func (s *Store) integrityCheck(ctx context.Context) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	// The keyword index is checked once built; a failed build is a
	// problem found.
	buildErr := s.build.wait(ctx)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	s.writeMu.Lock() // no write may commit meanwhile
	defer s.writeMu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return errors.Join(
		buildErr,
		s.checkDatabase(ctx),
		s.checkKeywordIndex(ctx),
		s.checkChunkRows(ctx),
		s.checkVectorIndex(ctx),
	)
}

// checkDatabase runs SQLite's own integrity check.
func (s *Store) checkDatabase(ctx context.Context) error {
	rows, err := s.writer.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("sqlite integrity_check: %w", err)
	}
	defer rows.Close()
	var problems []error
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			return fmt.Errorf("sqlite integrity_check: %w", err)
		}
		if msg != "ok" {
			problems = append(problems, fmt.Errorf("sqlite integrity_check: %s", msg))
		}
	}
	return errors.Join(append(problems, rows.Err())...)
}

// checkKeywordIndex runs the FTS5 integrity-check command.
func (s *Store) checkKeywordIndex(ctx context.Context) error {
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')`); err != nil {
		return fmt.Errorf("fts5 integrity-check: %w", err)
	}
	return nil
}

// checkChunkRows checks that chunks and keyword entries pair up and that
// no chunk id repeats.
func (s *Store) checkChunkRows(ctx context.Context) error {
	var chunks, terms, unindexed, duplicated int
	err := s.writer.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM chunks),
			(SELECT count(*) FROM chunks_fts),
			(SELECT count(*) FROM chunks WHERE rid NOT IN (SELECT rowid FROM chunks_fts)),
			(SELECT count(*) FROM (SELECT id FROM chunks GROUP BY id HAVING count(*) > 1))`).
		Scan(&chunks, &terms, &unindexed, &duplicated)
	if err != nil {
		return fmt.Errorf("count chunks: %w", err)
	}
	var problems []error
	if chunks != terms || unindexed != 0 {
		problems = append(problems, fmt.Errorf("%d chunks but %d keyword entries; %d chunks have none", chunks, terms, unindexed))
	}
	if duplicated != 0 {
		problems = append(problems, fmt.Errorf("%d chunk ids appear more than once", duplicated))
	}
	return errors.Join(problems...)
}

// checkVectorIndex checks that the in-memory index holds exactly one
// vector for each stored chunk, in the chunk's collection.
func (s *Store) checkVectorIndex(ctx context.Context) error {
	rows, err := s.writer.QueryContext(ctx, `SELECT rid, id, collection FROM chunks`)
	if err != nil {
		return fmt.Errorf("read chunks: %w", err)
	}
	defer rows.Close()
	var problems []error
	stored := 0
	for rows.Next() {
		var c located
		var id string
		if err := rows.Scan(&c.rid, &id, &c.collection); err != nil {
			return fmt.Errorf("read chunks: %w", err)
		}
		stored++
		if !s.index.holds(c, id) {
			problems = append(problems, fmt.Errorf("chunk %s is missing from the vector index", id))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read chunks: %w", err)
	}
	if n := s.index.size(); n != stored {
		problems = append(problems, fmt.Errorf("vector index holds %d vectors for %d chunks", n, stored))
	}
	if err := s.index.checkTermIndex(); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}

// holds reports whether the index has a vector for chunk id at c.
func (ix *vectorIndex) holds(c located, id string) bool {
	it, ok := ix.find(c.collection, c.rid)
	return ok && it.id == id
}
