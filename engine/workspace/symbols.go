package workspace

import (
	"workspace-qdrant-mcp/engine/lsp"
	"workspace-qdrant-mcp/engine/storage"
)

// symbolFetchFactor widens the candidates fetched when a search filters
// on a symbol, since the filter runs on them.
const symbolFetchFactor = 4

// filterSymbol keeps the hits whose chunk defines a symbol called name
// (see lsp.Defines): chunks that language servers enriched.
func filterSymbol(hits []storage.Hit, name string) []storage.Hit {
	out := hits[:0:0]
	for _, h := range hits {
		if lsp.Defines(h.Chunk.Metadata, name) {
			out = append(out, h)
		}
	}
	return out
}

// symbolOf is a chunk's enclosing or defining symbol, e.g. "func
// ParseDuration", or "" when it was not enriched.
func symbolOf(meta map[string]string) string { return meta[lsp.MetaSymbol] }
