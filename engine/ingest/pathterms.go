package ingest

import (
	"path/filepath"
	"slices"
	"strings"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/storage"
)

// A file chunk's vector, when the embedder builds vectors from terms
// (embed.TermsEmbedder, the built-in one), is that of the chunk's terms
// and, pathTermRepeats times, those of the last pathParts parts of its
// file's workspace-relative path: a file's name and directories say what
// its code is about (throttle.go, middleware/realip.go), and the semantic
// leg then weighs them, as the ranking's path rule does for the keyword
// leg. Measured in BENCHMARKS.md
// ("The path in the chunk's vector"). An embedder of texts is sent the
// chunk's text alone, as before.
const (
	pathTermRepeats = 5
	pathParts       = 3
)

// PathVectorsVersion numbers how path terms enter chunk vectors; the
// indexer's identity carries it, so a change re-indexes (and, through
// the vector hashes, re-embeds) every file.
const PathVectorsVersion = 1

// pathTerms returns the terms that the chunks of the file at abs add to
// their vectors under emb: those of the last pathParts parts of its path
// relative to the root holding it, or nil when emb embeds texts.
func pathTerms(emb embed.Embedder, roots []string, abs string) []string {
	if _, ok := emb.(embed.TermsEmbedder); !ok {
		return nil
	}
	rel := abs
	for _, r := range roots {
		if p, err := filepath.Rel(r, abs); err == nil && p != "." && !strings.HasPrefix(p, "..") {
			rel = p
			break
		}
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	parts = parts[max(0, len(parts)-pathParts):]
	return analysis.Terms(strings.Join(parts, " "))
}

// vectorHash is the Hash of a chunk of text whose vector also holds path
// (pathTerms): storage.VectorHash of the path terms and the text, so a
// vector is reused only by a chunk of the same text in a file of the
// same name and directories.
func vectorHash(model string, path []string, text string) string {
	if len(path) == 0 {
		return storage.VectorHash(model, text)
	}
	return storage.VectorHash(model, strings.Join(path, " ")+"\x00"+text)
}

// vectorTerms returns the terms a TermsEmbedder embeds for a chunk with
// terms in a file whose path terms are path.
func vectorTerms(terms, path []string) []string {
	if len(path) == 0 {
		return terms
	}
	out := slices.Grow(slices.Clip(terms), pathTermRepeats*len(path))
	for range pathTermRepeats {
		out = append(out, path...)
	}
	return out
}

// NoteVectorHash is the Hash of a note's chunk of text under model: a
// note's title is among its chunks' terms (see buildChunks), so its hash
// covers the title too. A note whose stored hashes differ is written
// again (engine/workspace).
func NoteVectorHash(model, title, text string) string {
	return vectorHash(model, analysis.Terms(title), text)
}
