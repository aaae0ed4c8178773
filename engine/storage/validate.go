package storage

import (
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
