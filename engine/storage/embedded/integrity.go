package embedded

import (
	"context"
	"errors"
	"fmt"
)

// IntegrityCheck verifies the database file, that every chunk has one
// unique id, that the in-memory vector index holds exactly the stored
// chunks and that the keyword index is the one their texts give (built
// again to compare), waiting for it to be built. It returns every problem
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

// checkKeywordIndex builds the keyword index afresh from the stored
// chunks and checks that the one in use is the same: the same chunks with
// the same lengths and defined names, the same postings for every term,
// the same hashes.
// s.writeMu and s.mu must be held.
func (s *Store) checkKeywordIndex(ctx context.Context) error {
	if s.index.terms == nil {
		return nil // checkTermIndex says so
	}
	fresh := newTermIndex(s.dict)
	if err := loadTerms(ctx, s.writer, fresh, s.analyze); err != nil {
		return fmt.Errorf("keyword index: read chunks: %w", err)
	}
	return s.index.terms.sameAs(fresh)
}

// checkChunkRows checks that no chunk id repeats.
func (s *Store) checkChunkRows(ctx context.Context) error {
	var duplicated int
	err := s.writer.QueryRowContext(ctx, `
		SELECT count(*) FROM (SELECT id FROM chunks GROUP BY id HAVING count(*) > 1)`).Scan(&duplicated)
	if err != nil {
		return fmt.Errorf("count chunks: %w", err)
	}
	if duplicated != 0 {
		return fmt.Errorf("%d chunk ids appear more than once", duplicated)
	}
	return nil
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
	if n := len(s.index.ids); n != stored {
		problems = append(problems, fmt.Errorf("the index maps %d chunk ids for %d chunks", n, stored))
	}
	if err := s.index.checkTermIndex(); err != nil {
		problems = append(problems, err)
	}
	return errors.Join(problems...)
}

// holds reports whether the index has a vector for chunk id at c, and
// maps id to c's rid.
func (ix *vectorIndex) holds(c located, id string) bool {
	it, ok := ix.find(c.collection, c.rid)
	rid, mapped := ix.ids[id]
	return ok && it.id == id && mapped && rid == c.rid
}
