//go:build unix

package main

// Signals sent to the server process: Windows delivers none but a kill,
// which TestStdinEOF's and the e2e tests' ends cover.

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestSignals(t *testing.T) {
	tests := []struct {
		name     string
		signals  []syscall.Signal
		waitIdle bool // send the signals once the engine runs idle
	}{
		{"SIGTERM while running", []syscall.Signal{syscall.SIGTERM}, true},
		{"SIGINT while running", []syscall.Signal{syscall.SIGINT}, true},
		{"SIGTERM twice forces", []syscall.Signal{syscall.SIGTERM, syscall.SIGTERM}, true},
		{"SIGTERM during startup", []syscall.Signal{syscall.SIGTERM}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, fixtureOptions{autostart: true})
			p := spawn(t, fx, "-config", fx.config)
			p.initialize(t)
			if tt.waitIdle {
				p.waitIdle(t)
			}
			for _, sig := range tt.signals {
				if err := p.cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
			}
			if !p.waitExit(30 * time.Second) {
				t.Fatal("server still running 30s after the signal")
			}
			if code := p.exitCode(); code != 0 {
				t.Errorf("exit status %d, want 0\nstderr:\n%s", code, p.stderr.String())
			}
			if stderr := p.stderr.String(); !strings.Contains(stderr, "signal") {
				t.Errorf("stderr does not log the signal:\n%s", stderr)
			}
		})
	}
}

// SIGTERM while a search is under way (the embedder hangs, so the query
// embedding waits for embedding.timeout before the keyword leg answers):
// the search is answered before the session ends, and the server exits 0.
func TestSIGTERMDuringSlowSearch(t *testing.T) {
	const dims = 32
	emb := newKillableEmbeddings(t, dims)
	fx := newFixture(t, fixtureOptions{autostart: true, extraConfig: degradedConfig(emb.addr, dims, "")})
	p := spawn(t, fx, "-config", fx.config)
	p.initialize(t)
	p.waitIdle(t)
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
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a := <-done
	if a.err != nil || a.res == nil || a.res.IsError {
		t.Fatalf("search under way at SIGTERM = %+v, %v; want an answer", a.res, a.err)
	}
	if text := mcp.GetTextFromContent(a.res.Content[0]); !strings.Contains(text, "README.md") || !strings.Contains(text, "degraded") {
		t.Errorf("search under way at SIGTERM = %s, want keyword results and the missing semantic leg", text)
	}
	if !p.waitExit(30 * time.Second) {
		t.Fatal("server still running 30s after SIGTERM")
	}
	if code := p.exitCode(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
}
