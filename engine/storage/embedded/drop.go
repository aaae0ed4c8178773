package embedded

import (
	"context"
	"database/sql"
	"fmt"
)

// DropCollection removes a collection with all its documents and chunks
// in one transaction, returning how many documents went with it. A missing
// collection is not an error: it drops nothing.
func (s *Store) DropCollection(ctx context.Context, name string) (int, error) {
	if err := s.enter(); err != nil {
		return 0, fmt.Errorf("drop collection %s: %w", name, err)
	}
	defer s.life.RUnlock()
	var docs int64
	err := s.write(ctx, func(tx *sql.Tx) (indexChange, error) {
		hashes, err := collectionHashes(ctx, tx, name)
		if err != nil {
			return nil, err
		}
		// Chunks go with their documents (ON DELETE CASCADE).
		res, err := tx.ExecContext(ctx, `DELETE FROM documents WHERE collection = ?`, name)
		if err != nil {
			return nil, err
		}
		if docs, err = res.RowsAffected(); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM collections WHERE name = ?`, name); err != nil {
			return nil, err
		}
		return func(ix *vectorIndex) {
			if vs := ix.sets[name]; vs != nil {
				for _, it := range vs.items {
					ix.forget(it.rid, it.id)
				}
			}
			for _, h := range hashes {
				ix.removeHash(h)
			}
			delete(ix.sets, name)
		}, nil
	})
	if err != nil {
		return 0, fmt.Errorf("drop collection %s: %w", name, err)
	}
	return int(docs), nil
}

// collectionHashes returns the hash of every chunk of a collection.
func collectionHashes(ctx context.Context, tx *sql.Tx, name string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT hash FROM chunks WHERE collection = ?`, name)
	if err != nil {
		return nil, fmt.Errorf("read hashes: %w", err)
	}
	defer rows.Close()
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("read hashes: %w", err)
		}
		hashes = append(hashes, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read hashes: %w", err)
	}
	return hashes, nil
}
