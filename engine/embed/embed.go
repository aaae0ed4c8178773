// Package embed turns text into dense vectors.
//
// An Embedder is created from configuration by the engine at startup
// (phase 1), probed with a test text, and then used by the processing
// pipeline and by search. The built-in embedder (NewBuiltin) needs no
// network and no model files; remote providers live beside it.
//
// Concurrency: Embed may be called from many goroutines at once.
package embed

import "context"

// Info names an embedder's model and the size of its vectors.
type Info struct {
	Provider   string `json:"provider"`
	Model      string `json:"model"`
	Dimensions int    `json:"dimensions"`
}

// Embedder embeds batches of texts.
type Embedder interface {
	// Info describes the model; Dimensions is the length of every vector
	// Embed returns.
	Info() Info
	// Embed returns one vector per text, in order.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}
