package workspace

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"workspace-qdrant-mcp/engine/rank"
	"workspace-qdrant-mcp/engine/storage"
)

// A result whose text a better one already shows is left out and named
// in that one's Copies; the next distinct result takes its slot, and
// more_in_file still counts each document's candidates not shown.
func TestCollectDistinct(t *testing.T) {
	manual := "retry:\n  backoff doubles\n"
	ranked := []rank.Ranked{
		{Hit: fileHit("v2/manual.yml", 10, 11, manual, 0.9)},
		{Hit: fileHit("v1/manual.yml", 8, 9, manual, 0.8)}, // a copy
		{Hit: fileHit("retry.go", 1, 2, "func Retry() {\n}\n", 0.7)},
		{Hit: fileHit("v0/manual.yml", 8, 10, manual+"\n", 0.6)}, // not the same text
		{Hit: fileHit("v1/manual.yml", 30, 31, "other:\n  text\n", 0.5)},
		{Hit: fileHit("old.yml", 1, 2, manual, 0.4)}, // a copy, past the limit
	}
	for _, tt := range []struct {
		perDoc, limit int
		want          string
	}{
		{1, 2, "[v2/manual.yml:10 copies [v1/manual.yml:8] more 0 retry.go:1 copies [] more 0]"},
		{1, 3, "[v2/manual.yml:10 copies [v1/manual.yml:8] more 0 retry.go:1 copies [] more 0 v0/manual.yml:8 copies [] more 0]"},
		{-1, 10, "[v2/manual.yml:10 copies [v1/manual.yml:8 old.yml:1] more 0 retry.go:1 copies [] more 0 " +
			"v0/manual.yml:8 copies [] more 0 v1/manual.yml:30 copies [] more 1]"},
	} {
		got, err := collectDistinct(context.Background(), ranked, tt.perDoc, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var shown []string
		for _, r := range got {
			var copies []string
			for _, c := range r.Copies {
				copies = append(copies, fmt.Sprintf("%s:%d", c.Path, c.StartLine))
			}
			shown = append(shown, fmt.Sprintf("%s:%d copies %v more %d", r.Path, r.StartLine, copies, r.MoreInFile))
		}
		if fmt.Sprint(shown) != tt.want {
			t.Errorf("perDoc %d, limit %d:\n got %v\nwant %s", tt.perDoc, tt.limit, shown, tt.want)
		}
	}
}

// A text found in many places lists MaxCopies of them and counts the
// rest, and the search reads on until it has limit distinct results.
func TestCollectDistinctManyCopies(t *testing.T) {
	licence := "// Copyright the authors.\n// Licensed under the MIT licence.\n"
	var ranked []rank.Ranked
	for i := range 12 {
		ranked = append(ranked, rank.Ranked{Hit: fileHit(fmt.Sprintf("f%02d.go", i), 1, 2, licence, float64(100-i))})
	}
	ranked = append(ranked, rank.Ranked{Hit: fileHit("code.go", 1, 2, "func F() {\n}\n", 1)})
	got, err := collectDistinct(context.Background(), ranked, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Path != "f00.go" || got[1].Path != "code.go" {
		t.Fatalf("got %d results, want f00.go and code.go: %+v", len(got), got)
	}
	if len(got[0].Copies) != MaxCopies || got[0].MoreCopies != 11-MaxCopies || got[0].Copies[0].Path != "f01.go" {
		t.Errorf("copies %+v and %d more, want f01.go… (%d) and %d more", got[0].Copies, got[0].MoreCopies, MaxCopies, 11-MaxCopies)
	}
}

// Texts a store left out are read before they are compared, and a chunk
// replaced since the search is reported as such.
func TestCollectDistinctReadsTexts(t *testing.T) {
	texts := textsByID{"a#x": "same\n", "b#x": "same\n", "c#y": "else\n"}
	ranked := []rank.Ranked{
		{Hit: omitted(fileHit("a", 1, 1, "x", 3), texts)},
		{Hit: omitted(fileHit("b", 1, 1, "x", 2), texts)},
		{Hit: omitted(fileHit("c", 1, 1, "y", 1), texts)},
	}
	got, err := collectDistinct(context.Background(), ranked, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Text != "same\n" || len(got[0].Copies) != 1 || got[0].Copies[0].ID != "b" || got[1].Text != "else\n" {
		t.Errorf("got %+v, want a with its copy b, then c", got)
	}
	delete(texts, "c#y")
	if _, err := collectDistinct(context.Background(), ranked, 1, 2); !errors.Is(err, errChunkGone) {
		t.Errorf("a chunk gone since the search: %v, want errChunkGone", err)
	}
}

type textsByID map[string]string

func (m textsByID) ChunkTexts(_ context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if t, ok := m[id]; ok {
			out[id] = t
		}
	}
	return out, nil
}

// omitted is h as a store answers a query with OmitText.
func omitted(h storage.Hit, texts storage.TextReader) storage.Hit {
	h.Chunk.Text, h.Texts = "", texts
	return h
}
