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

// BenchmarkTakeoverAfterKill times, with two servers on one data
// directory, from SIGKILL of the indexer until the reader reports itself
// the running indexer (engine_status polled every 10 ms).
func BenchmarkTakeoverAfterKill(b *testing.B) {
	fx := newFixture(b, fixtureOptions{autostart: true})
	next := spawn(b, fx, "-config", fx.config)
	next.initialize(b)
	next.waitIdle(b)
	for b.Loop() {
		b.StopTimer()
		indexer := next
		next = spawn(b, fx, "-config", fx.config)
		next.initialize(b)
		next.waitState(b, "running")
		if role, _ := next.role(b); role != "reader" {
			b.Fatalf("the second server is %s", role)
		}
		b.StartTimer()
		if err := indexer.cmd.Process.Kill(); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(takeoverWithin)
		for {
			st := next.mustCall(b, "engine_status", nil)
			if st.str("role") == "indexer" && st.str("state") == "running" {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("no takeover")
			}
			time.Sleep(10 * time.Millisecond)
		}
		b.StopTimer()
		<-indexer.exited
		b.StartTimer()
	}
}
