//go:build unix

package main

// Signals sent to the server process: Windows delivers none but a kill,
// which TestStdinEOF's and the e2e tests' ends cover.

import (
	"strings"
	"syscall"
	"testing"
	"time"
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
	slowSearchAnsweredAtEnd(t, "SIGTERM", func(p *proc) {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	})
}
