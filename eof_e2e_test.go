package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// The end of stdin while a search is under way (the embedder hangs, so
// the query embedding waits for embedding.timeout before the keyword leg
// answers): the search is answered before the session ends, and the
// server exits 0.
func TestEOFDuringSlowSearch(t *testing.T) {
	slowSearchAnsweredAtEnd(t, "the end of stdin", func(p *proc) { p.closeStdin(t) })
}

// slowSearchAnsweredAtEnd starts a server whose embedder hangs, sends a
// search, ends the session with end (named what) while the search waits,
// and checks that the search is answered from its keyword leg and that
// the server then exits 0.
func slowSearchAnsweredAtEnd(t *testing.T, what string, end func(p *proc)) {
	t.Helper()
	const dims = 32
	emb := newKillableEmbeddings(t, dims)
	fx := newFixture(t, fixtureOptions{autostart: true, extraConfig: degradedConfig(emb.addr, dims, "")})
	p := fx.spawnIdle(t)
	emb.mode.Store(embedHang)
	type answer struct {
		res *mcp.CallToolResult
		err error
	}
	done := make(chan answer, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = "search"
		req.Params.Arguments = map[string]any{"query": "quokkaflux widgets"}
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		res, err := p.client.CallTool(ctx, req)
		done <- answer{res, err}
	}()
	time.Sleep(500 * time.Millisecond) // the search waits for the hung embedder
	end(p)
	a := <-done
	if a.err != nil || a.res == nil || a.res.IsError {
		t.Fatalf("search under way at %s = %+v, %v; want an answer", what, a.res, a.err)
	}
	if text := mcp.GetTextFromContent(a.res.Content[0]); !strings.Contains(text, "README.md") || !strings.Contains(text, "degraded") {
		t.Errorf("search under way at %s = %s, want keyword results and the missing semantic leg", what, text)
	}
	if !p.waitExit(30 * time.Second) {
		t.Fatalf("server still running 30s after %s", what)
	}
	if code := p.exitCode(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
}
