package storage

import (
	"cmp"
	"errors"
	"fmt"
)

// ValidateReplace checks the arguments of ReplaceDocument that every
// backend checks the same way: the document has an id and a collection,
// and every chunk has an id and belongs to the document and its
// collection. Backends check vector sizes themselves.
func ValidateReplace(doc Document, chunks []Chunk) error {
	if doc.ID == "" {
		return errors.New("empty document id")
	}
	if doc.Collection == "" {
		return errors.New("empty collection name")
	}
	for i, c := range chunks {
		switch {
		case c.ID == "":
			return fmt.Errorf("chunk %d has no id", i)
		case c.DocID != doc.ID:
			return fmt.Errorf("chunk %s belongs to document %q", c.ID, c.DocID)
		case c.Collection != doc.Collection:
			return fmt.Errorf("chunk %s is in collection %q, document in %q", c.ID, c.Collection, doc.Collection)
		}
	}
	return nil
}

// ValidateCollection checks the arguments of EnsureCollection.
func ValidateCollection(name string, dims int) error {
	if name == "" {
		return errors.New("empty collection name")
	}
	if dims <= 0 {
		return fmt.Errorf("invalid vector size %d", dims)
	}
	return nil
}

// QueryMode checks what every backend checks of a Query (a positive
// limit, a known mode, a query vector when the mode uses one) and returns
// its mode, ModeHybrid when none is given.
func QueryMode(q Query) (string, error) {
	if q.Limit <= 0 {
		return "", fmt.Errorf("limit %d is not positive", q.Limit)
	}
	mode := cmp.Or(q.Mode, ModeHybrid)
	switch mode {
	case ModeKeyword:
		return mode, nil
	case ModeSemantic, ModeHybrid:
		if len(q.Dense) == 0 {
			return "", fmt.Errorf("%s search needs a query vector", mode)
		}
		return mode, nil
	default:
		return "", fmt.Errorf("unknown search mode %q", q.Mode)
	}
}
