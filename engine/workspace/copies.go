package workspace

import (
	"context"

	"workspace-qdrant-mcp/engine/rank"
)

// Copy is a place holding the same text as a result, left out of the
// results so that one text takes one slot: the same section of a manual
// kept for each release, a vignette and its installed copy, a licence
// header at the top of every file.
type Copy struct {
	ID        string `json:"id"` // the document id, for get_document
	Path      string `json:"path,omitempty"`
	StartLine int    `json:"start_line,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
	Title     string `json:"title,omitempty"`
}

// MaxCopies is how many copies a result lists; MoreCopies counts the
// rest, so that a licence header atop every file does not fill the
// answer with their names.
const MaxCopies = 5

// textKey identifies a result's text. The line count and Truncated
// keep two long chunks that share their first MaxHitChars apart.
type textKey struct {
	text      string
	lines     int
	truncated bool
}

// collectDistinct is collect that reads the results' texts and shows
// each text once: a result whose text equals a better one's is left out
// and listed in that one's Copies, and the next result takes its place.
// MoreInFile counts, as in collect, a document's candidates not shown.
// Only when a copy is found are results past the limit made.
func collectDistinct(ctx context.Context, ranked []rank.Ranked, perDoc, limit int) ([]SearchResult, error) {
	all := collect(ranked, perDoc, limit)
	out := make([]SearchResult, 0, len(all))
	seen := make(map[textKey]int, len(all))
	copies, grown := false, false
	for next := 0; len(out) < limit; {
		if next == len(all) {
			if grown || len(all) < limit {
				break // every result the caps allow was read
			}
			all, grown = collect(ranked, perDoc, len(ranked)), true // the same order, further
			if next == len(all) {
				break
			}
		}
		want := limit - len(out)
		if grown {
			want = max(want, limit) // copies are about: fewer, larger reads
		}
		batch := all[next:min(len(all), next+want)]
		next += len(batch)
		if err := readTexts(ctx, batch); err != nil {
			return nil, err
		}
		for _, r := range batch {
			if len(out) == limit {
				break // a larger read than needed: the rest was not reached
			}
			k := textKey{r.Text, r.EndLine - r.StartLine, r.Truncated}
			if i, ok := seen[k]; ok && r.Text != "" {
				if len(out[i].Copies) < MaxCopies {
					out[i].Copies = append(out[i].Copies, Copy{ID: r.ID, Path: r.Path, StartLine: r.StartLine, EndLine: r.EndLine, Title: r.Title})
				} else {
					out[i].MoreCopies++
				}
				copies = true
				continue
			}
			seen[k] = len(out)
			out = append(out, r)
		}
	}
	if copies {
		// collect counted each result it made as shown; count again.
		candidates, shown := map[string]int{}, map[string]int{}
		for _, h := range ranked {
			candidates[h.Chunk.DocID]++
		}
		for _, r := range out {
			shown[r.ID]++
		}
		for i := range out {
			out[i].MoreInFile = candidates[out[i].ID] - shown[out[i].ID]
		}
	}
	return out, nil
}
