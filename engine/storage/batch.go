package storage

import "context"

// Replacement is a document and its new chunks: one ReplaceDocument.
type Replacement struct {
	Doc    Document
	Chunks []Chunk
}

// BatchReplacer is implemented by a Store that can replace several
// documents at once more cheaply than one by one (the embedded store
// commits them in one transaction). It is optional: callers check for it
// with a type assertion and otherwise call ReplaceDocument for each.
type BatchReplacer interface {
	// ReplaceDocuments does ReplaceDocument for each replacement, in
	// order, atomically: every document is replaced or, on error, none
	// is, and a search sees all the replacements or none of them.
	ReplaceDocuments(ctx context.Context, reps []Replacement) error
}
