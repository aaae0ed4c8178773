package embedded

import (
	"context"
	"fmt"

	"workspace-qdrant-mcp/engine/storage"
)

var _ storage.HeadLister = (*Store)(nil)

// DocumentHeads returns a page of the collection's document heads,
// ordered by id, reading the documents table alone: no chunk, no text.
// A page's Next is the id of its last head.
func (s *Store) DocumentHeads(ctx context.Context, q storage.HeadsQuery) (storage.HeadsPage, error) {
	page, err := s.documentHeads(ctx, q)
	if err != nil {
		return storage.HeadsPage{}, fmt.Errorf("document heads of collection %s: %w", q.Collection, err)
	}
	return page, nil
}

func (s *Store) documentHeads(ctx context.Context, q storage.HeadsQuery) (storage.HeadsPage, error) {
	if err := s.enter(); err != nil {
		return storage.HeadsPage{}, err
	}
	defer s.life.RUnlock()
	limit := max(q.Limit, 1)
	rows, err := s.reader.QueryContext(ctx,
		`SELECT id, kind, path, title FROM documents
		 WHERE collection = ? AND (? = '' OR kind = ?) AND id > ?
		 ORDER BY id LIMIT ?`, q.Collection, q.Kind, q.Kind, q.After, limit+1)
	if err != nil {
		return storage.HeadsPage{}, err
	}
	defer rows.Close()
	page := storage.HeadsPage{Heads: []storage.DocumentHead{}}
	for rows.Next() {
		h := storage.DocumentHead{Collection: q.Collection}
		if err := rows.Scan(&h.ID, &h.Kind, &h.Path, &h.Title); err != nil {
			return storage.HeadsPage{}, err
		}
		page.Heads = append(page.Heads, h)
	}
	if err := rows.Err(); err != nil {
		return storage.HeadsPage{}, err
	}
	if len(page.Heads) > limit {
		page.Heads = page.Heads[:limit]
		page.Next = page.Heads[limit-1].ID
	}
	return page, nil
}
