package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// embedCounter counts the embedding requests that carry a text with a
// marker, and their inputs.
type embedCounter struct {
	mu       sync.Mutex
	requests int
	inputs   int
	sizes    []int
}

func (c *embedCounter) counts() (requests, inputs int, sizes []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests, c.inputs, append([]int(nil), c.sizes...)
}

// observe counts a request whose inputs include a text with marker.
func (c *embedCounter) observe(marker string) func([]string) {
	return func(inputs []string) {
		if !slices.ContainsFunc(inputs, func(in string) bool { return strings.Contains(in, marker) }) {
			return // the engine's probe of the embedder, or a query
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.requests++
		c.inputs += len(inputs)
		c.sizes = append(c.sizes, len(inputs))
	}
}

// With a remote embedder, a full index sends requests of up to
// batch_size inputs drawn from many files: at most ⌈inputs/batch_size⌉+2
// requests for 62 small files (one chunk each), where one request per
// file was sent before. A single file changed afterwards is embedded at
// once, in a request of its own chunks, without waiting for a batch to
// fill (the test would hang otherwise).
func TestRemoteEmbeddingBatchesAcrossFiles(t *testing.T) {
	const marker = "zinnia"
	c := &embedCounter{}
	srv := fakeOpenAIObserved(t, 64, c.observe(marker))
	cfg := remoteConfig(t, srv.URL+"/v1", 64)
	cfg.LSP.Enabled = false
	ws := cfg.Workspace.Roots[0]
	for i := range 62 {
		body := fmt.Sprintf("# Bed %d\n\nThe %s bed %d needs water on day %d.\n", i, marker, i, i%7)
		if err := os.WriteFile(filepath.Join(ws, fmt.Sprintf("bed%02d.md", i)), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m := New(cfg, Options{Logger: zerolog.Nop()})
	ctx := t.Context()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = m.Stop(context.Background(), StopOptions{})
		m.Wait()
	}()
	if err := m.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	requests, inputs, sizes := c.counts()
	batch := cfg.Embedding.BatchSize
	if inputs < 62 {
		t.Fatalf("%d inputs with the marker embedded, want at least 62 (one per file)", inputs)
	}
	if most := (inputs+batch-1)/batch + 2; requests > most {
		t.Errorf("full index: %d requests for %d inputs of batch_size %d (sizes %v), want at most %d", requests, inputs, batch, sizes, most)
	}
	t.Logf("full index: %d requests for %d inputs, sizes %v", requests, inputs, sizes)
	for _, n := range sizes {
		if n > batch {
			t.Errorf("a request carried %d inputs, more than batch_size %d", n, batch)
		}
	}

	path := filepath.Join(ws, "bed07.md")
	if err := os.WriteFile(path, []byte("# Bed 7\n\nThe "+marker+" bed 7 now grows sunflowers.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for {
		res, err := m.Search(ctx, SearchRequest{Query: "sunflowers", Mode: "keyword", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Results) == 1 && strings.HasSuffix(res.Results[0].Path, "bed07.md") {
			break
		}
		time.Sleep(10 * time.Millisecond) // until the watcher reports the change
	}
	after, _, sizes := c.counts()
	if after != requests+1 || sizes[len(sizes)-1] != 1 {
		t.Errorf("one changed file: %d more requests (sizes %v), want one of its one chunk", after-requests, sizes[len(sizes)-1:])
	}
}
