package main

import (
	"testing"
	"time"
)

// The benchmarks time the real binary's lifecycle. They assert nothing
// about the numbers; run them with
//
//	go test -run '^$' -bench . -benchtime 10x

// BenchmarkSpawnToInitialize times exec until the initialize response.
func BenchmarkSpawnToInitialize(b *testing.B) {
	fx := newFixture(b, fixtureOptions{autostart: false})
	for b.Loop() {
		p := spawn(b, fx, "-config", fx.config)
		p.initialize(b)
		b.StopTimer()
		p.closeStdin(b)
		p.waitExit(20 * time.Second)
		b.StartTimer()
	}
}

// BenchmarkStartToRunning times engine_start on an empty workspace, from
// the call until the engine runs (engine_start returns once it does).
func BenchmarkStartToRunning(b *testing.B) {
	fx := newFixture(b, fixtureOptions{autostart: false, emptyWorkspace: true})
	p := spawn(b, fx, "-config", fx.config)
	p.initialize(b)
	for b.Loop() {
		if r := p.mustCall(b, "engine_start", nil); r.str("state") != "running" {
			b.Fatalf("engine_start = %s", r.text)
		}
		b.StopTimer()
		p.mustCall(b, "engine_stop", nil)
		b.StartTimer()
	}
}

// BenchmarkGracefulStop times engine_stop with nothing pending.
func BenchmarkGracefulStop(b *testing.B) {
	fx := newFixture(b, fixtureOptions{autostart: false, emptyWorkspace: true})
	p := spawn(b, fx, "-config", fx.config)
	p.initialize(b)
	for b.Loop() {
		b.StopTimer()
		p.mustCall(b, "engine_start", nil)
		p.waitIdle(b)
		b.StartTimer()
		if r := p.mustCall(b, "engine_stop", nil); r.str("state") != "stopped" {
			b.Fatalf("engine_stop = %s", r.text)
		}
	}
}

// BenchmarkExitAfterEOF times from closing stdin, with the engine running
// idle, until the process has exited.
func BenchmarkExitAfterEOF(b *testing.B) {
	fx := newFixture(b, fixtureOptions{autostart: true})
	for b.Loop() {
		b.StopTimer()
		p := spawn(b, fx, "-config", fx.config)
		p.initialize(b)
		p.waitIdle(b)
		b.StartTimer()
		p.closeStdin(b)
		if !p.waitExit(20 * time.Second) {
			b.Fatal("server did not exit")
		}
	}
}
