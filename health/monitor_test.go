package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/pipeline"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/procstat"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeEngine reports what the test sets. A check's latency is simulated
// by sleeping (fake time, in a synctest bubble) within its context.
type fakeEngine struct {
	mu      sync.Mutex
	state   engine.State
	latency map[string]time.Duration // per check
	failing map[string]bool
	tasks   pipeline.Stats
	calls   int
}

func newFake() *fakeEngine {
	return &fakeEngine{state: engine.StateRunning, latency: map[string]time.Duration{}, failing: map[string]bool{}}
}

func (f *fakeEngine) State() engine.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

func (f *fakeEngine) Tasks() pipeline.Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tasks
}

func (f *fakeEngine) set(fn func(f *fakeEngine)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeEngine) Checks(ctx context.Context) []engine.Check {
	f.mu.Lock()
	f.calls++
	state := f.state
	latency, failing := f.latency, f.failing
	f.mu.Unlock()
	checks := []engine.Check{{Name: "engine", Status: engine.CheckPass}}
	if state != engine.StateRunning {
		checks[0].Status = engine.CheckFail
		return checks
	}
	for _, name := range []string{"storage", "embedder", "pipeline", "watcher"} {
		begin := time.Now()
		c := engine.Check{Name: name, Status: engine.CheckPass}
		select {
		case <-time.After(latency[name]):
		case <-ctx.Done():
			c.Status, c.Message, c.Err = engine.CheckFail, ctx.Err().Error(), ctx.Err()
		}
		if failing[name] {
			c.Status, c.Message = engine.CheckFail, name+" broken"
		}
		c.LatencyMS = float64(time.Since(begin).Milliseconds())
		checks = append(checks, c)
	}
	return checks
}

type notice struct {
	level string
	data  alertNotice
}

type recorder struct {
	mu    sync.Mutex
	notes []notice
}

func (r *recorder) notify(level string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, notice{level, data.(alertNotice)})
}

func (r *recorder) all() []notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notice(nil), r.notes...)
}

func testConfig(mutate func(*config.Health)) config.Config {
	cfg := config.Default()
	cfg.Health.Thresholds.MemoryMB = 1e9 // the test process's own memory never alerts
	cfg.Health.Thresholds.CPUPercent = 1e9
	if mutate != nil {
		mutate(&cfg.Health)
	}
	return cfg
}

// run starts m until the returned stop is called.
func run(m *Monitor) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { m.Run(ctx) })
	return func() { cancel(); wg.Wait() }
}

// The monitor samples at once and then every interval, and keeps only
// the last history_size samples.
func TestSamplesEveryIntervalHistoryCapped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng := newFake()
		m := NewMonitor(testConfig(func(h *config.Health) {
			h.Interval = config.Duration(10 * time.Second)
			h.HistorySize = 3
		}), eng, zerolog.Nop(), nil)
		var mu sync.Mutex
		var samples []time.Time
		m.OnSample(func(s Sample) {
			mu.Lock()
			defer mu.Unlock()
			samples = append(samples, s.At)
		})
		seenSoFar := func() []time.Time {
			mu.Lock()
			defer mu.Unlock()
			return append([]time.Time(nil), samples...)
		}
		begin := time.Now()
		stop := run(m)
		defer stop()
		synctest.Wait()
		if seen := seenSoFar(); len(seen) != 1 {
			t.Fatalf("%d samples at start, want 1", len(seen))
		}
		time.Sleep(45 * time.Second)
		synctest.Wait()
		seen := seenSoFar()
		if len(seen) != 5 {
			t.Fatalf("%d samples after 45s at a 10s interval, want 5", len(seen))
		}
		for i, at := range seen {
			if want := begin.Add(time.Duration(i) * 10 * time.Second); !at.Equal(want) {
				t.Errorf("sample %d at %s, want %s", i, at.Sub(begin), want.Sub(begin))
			}
		}
		h := m.History(100)
		if len(h) != 3 || !h[0].At.Equal(seen[2]) || !h[2].At.Equal(seen[4]) {
			t.Errorf("history has %d samples, want the last 3", len(h))
		}
		if got := m.History(2); len(got) != 2 || !got[1].At.Equal(seen[4]) {
			t.Errorf("History(2) = %d samples, want the 2 newest", len(got))
		}
		if got := m.History(0); len(got) != 0 {
			t.Errorf("History(0) = %d samples", len(got))
		}
		if s := h[2]; s.State != engine.StateRunning || s.OverallStatus != Healthy || len(s.Checks) != 5 ||
			s.MemoryMB == nil || *s.MemoryMB <= 0 || (s.OpenFiles != nil && *s.OpenFiles <= 0) {
			t.Errorf("sample %+v, want a healthy running engine with its resources", s)
		}
	})
}

// alertMonitor is a monitor of a fake engine with a response-time
// threshold of 1000 ms, and the recorder of its notifications.
func alertMonitor() (*fakeEngine, *recorder, *Monitor) {
	eng, rec := newFake(), &recorder{}
	m := NewMonitor(testConfig(func(h *config.Health) {
		h.Thresholds.ResponseTimeMS = 1000
	}), eng, zerolog.Nop(), rec.notify)
	return eng, rec, m
}

// A check slower than response_time_ms raises an alert at once; it clears
// only after two consecutive samples under the threshold, so a value that
// dips under once does not flap.
func TestAlertHysteresis(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng, rec, m := alertMonitor()
		ctx := context.Background()
		slow := func(d time.Duration) { eng.set(func(f *fakeEngine) { f.latency["storage"] = d }) }

		m.Sample(ctx)
		slow(1500 * time.Millisecond)
		m.Sample(ctx)
		raisedAt := m.History(1)[0].At
		alerts := m.Alerts()
		if len(alerts) != 1 {
			t.Fatalf("alerts %+v, want one", alerts)
		}
		a := alerts[0]
		if a.Metric != MetricResponseTime || a.Component != "storage" || a.Value != 1500 || a.Threshold != 1000 || !a.Since.Equal(raisedAt) {
			t.Errorf("alert %+v", a)
		}
		if rep := m.Report(ctx, 0, false); rep.OverallStatus != Degraded || len(rep.Alerts) != 1 {
			t.Errorf("report %s with %d alerts, want DEGRADED with the alert", rep.OverallStatus, len(rep.Alerts))
		}

		// Under once, over again, under once: still the same alert.
		for _, d := range []time.Duration{200 * time.Millisecond, 1200 * time.Millisecond, 200 * time.Millisecond} {
			slow(d)
			m.Sample(ctx)
			if got := m.Alerts(); len(got) != 1 || !got[0].Since.Equal(raisedAt) {
				t.Fatalf("after a %s sample alerts = %+v, want the first one still", d, got)
			}
		}
		if v := m.Alerts()[0].Value; v != 200 {
			t.Errorf("alert value %v, want the latest (200)", v)
		}
		m.Sample(ctx) // second consecutive sample under
		if got := m.Alerts(); len(got) != 0 {
			t.Errorf("alerts %+v after two samples under, want none", got)
		}
		notes := rec.all()
		if len(notes) != 2 || notes[0].level != "warning" || notes[0].data.State != "raised" ||
			notes[1].level != "info" || notes[1].data.State != "cleared" {
			t.Fatalf("notifications %+v, want one raise and one clear", notes)
		}
		if !strings.Contains(notes[0].data.Message, "storage response_time_ms = 1500 ms exceeds the threshold of 1000 ms") {
			t.Errorf("raise message %q", notes[0].data.Message)
		}
		if rep := m.Report(ctx, 0, false); rep.OverallStatus != Healthy {
			t.Errorf("report %s, want HEALTHY", rep.OverallStatus)
		}
	})
}

// An alert whose check no longer runs (the engine stopped) clears after
// two samples, and the message says it was not measured instead of
// quoting the last value as current.
func TestAlertClearsWhenNotMeasured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng, rec, m := alertMonitor()
		ctx := context.Background()
		eng.set(func(f *fakeEngine) { f.latency["storage"] = 1500 * time.Millisecond })
		m.Sample(ctx)
		eng.set(func(f *fakeEngine) { f.state = engine.StateStopped })
		m.Sample(ctx)
		if len(m.Alerts()) != 1 {
			t.Fatalf("alerts %+v after one unmeasured sample, want the alert still", m.Alerts())
		}
		m.Sample(ctx)
		wantRaisedAndCleared(t, m, rec, "health alert cleared: storage response_time_ms not measured for 2 samples (last 1500 ms)")
	})
}

// wantRaisedAndCleared checks that m has no alert left and that rec was
// told of one alert twice: raised, then cleared with message.
func wantRaisedAndCleared(t *testing.T, m *Monitor, rec *recorder, message string) {
	t.Helper()
	notes := rec.all()
	if len(m.Alerts()) != 0 || len(notes) != 2 || notes[1].data.State != "cleared" {
		t.Fatalf("alerts %+v, notifications %+v, want the alert raised and cleared", m.Alerts(), notes)
	}
	if msg := notes[1].data.Message; msg != message {
		t.Errorf("clear message %q, want %q", msg, message)
	}
}

// CPU and memory thresholds alert from the process's own figures.
func TestResourceAlerts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		m := NewMonitor(testConfig(func(h *config.Health) {
			h.Thresholds.MemoryMB = 0.001 // any process exceeds it
		}), newFake(), zerolog.Nop(), rec.notify)
		m.Sample(context.Background())
		alerts := m.Alerts()
		if len(alerts) != 1 || alerts[0].Metric != MetricMemory || alerts[0].Value <= 0.001 {
			t.Fatalf("alerts %+v, want memory", alerts)
		}
		if n := rec.all(); len(n) != 1 || !strings.Contains(n[0].data.Message, "memory_mb = ") {
			t.Errorf("notifications %+v", n)
		}
	})
}

// A figure the OS does not give (nil) is no 0: it raises no alert
// however low the threshold, its sample holds null, and an alert raised
// while it was measured clears as not measured, quoting the last value.
func TestUnmeasuredResourcesNeverAlert(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		m := NewMonitor(testConfig(func(h *config.Health) {
			h.Thresholds.MemoryMB = 0.001
			h.Thresholds.CPUPercent = 0.001
		}), newFake(), zerolog.Nop(), rec.notify)
		var usage procstat.Usage // nothing measured
		m.usage = func() procstat.Usage { return usage }
		ctx := context.Background()
		m.Sample(ctx)
		if a := m.Alerts(); len(a) != 0 {
			t.Fatalf("alerts %+v with nothing measured, want none", a)
		}
		b, err := json.Marshal(m.History(1)[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{`"cpu_percent":null`, `"memory_mb":null`, `"open_files":null`} {
			if !strings.Contains(string(b), f) {
				t.Errorf("sample %s, want %s", b, f)
			}
		}

		mem := 700.0
		usage.MemoryMB = &mem
		m.Sample(ctx)
		if a := m.Alerts(); len(a) != 1 || a[0].Metric != MetricMemory || a[0].Value != 700 {
			t.Fatalf("alerts %+v, want memory at 700", a)
		}
		usage.MemoryMB = nil
		m.Sample(ctx)
		m.Sample(ctx)
		wantRaisedAndCleared(t, m, rec, "health alert cleared: memory_mb not measured for 2 samples (last 700 MB)")
	})
}

// A check that hangs fails when it reaches twice response_time_ms, and
// says it timed out; the others are not held up.
func TestHungCheckTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng := newFake()
		eng.latency["storage"] = time.Hour
		m := NewMonitor(testConfig(nil), eng, zerolog.Nop(), nil)
		begin := time.Now()
		m.Sample(context.Background())
		if took := time.Since(begin); took != 10*time.Second {
			t.Errorf("sample took %s, want the 10s check timeout", took)
		}
		s := m.History(1)[0]
		c, _ := s.Check("storage")
		if c.Status != engine.CheckFail || !strings.Contains(c.Message, "timed out after 10s") {
			t.Errorf("storage check %+v, want timed out", c)
		}
		if s.OverallStatus != Unhealthy {
			t.Errorf("overall %s, want UNHEALTHY", s.OverallStatus)
		}
	})
}

// A check is said to have timed out by its typed error (or its latency),
// never by what its message says.
func TestTimeoutsByTypedError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	checks := []engine.Check{
		{Name: engine.CheckStorage, Status: engine.CheckFail, Message: "i/o error", Err: fmt.Errorf("ping: %w", context.DeadlineExceeded), LatencyMS: 3},
		{Name: engine.CheckEmbedder, Status: engine.CheckFail, Message: "provider said: context deadline exceeded", Err: errors.New("refused"), LatencyMS: 3},
	}
	got := timeouts(ctx, checks, 10*time.Second)
	if got[0].Message != "timed out after 10s: i/o error" {
		t.Errorf("storage message %q, want the timeout said", got[0].Message)
	}
	if got[1].Message != "provider said: context deadline exceeded" {
		t.Errorf("embedder message %q: a refusal that quotes a deadline is no timeout", got[1].Message)
	}
}

// Queued tasks with none finishing between two samples fail the pipeline
// check; progress makes it pass again.
func TestPipelineProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng := newFake()
		m := NewMonitor(testConfig(nil), eng, zerolog.Nop(), nil)
		ctx := context.Background()
		pipelineCheck := func() engine.Check {
			c, _ := m.History(1)[0].Check("pipeline")
			return c
		}
		eng.set(func(f *fakeEngine) { f.tasks = pipeline.Stats{Queued: 4, Completed: 10, Failed: 1} })
		m.Sample(ctx)
		if c := pipelineCheck(); c.Status != engine.CheckPass {
			t.Errorf("first sample: %+v, want pass (nothing to compare with)", c)
		}
		m.Sample(ctx)
		if c := pipelineCheck(); c.Status != engine.CheckFail || !strings.Contains(c.Message, "no progress: 4 tasks queued") {
			t.Errorf("stuck pipeline: %+v, want a failing check", c)
		}
		if rep := m.Report(ctx, 0, false); rep.OverallStatus != Degraded {
			t.Errorf("report %s, want DEGRADED while the pipeline is stuck", rep.OverallStatus)
		}
		eng.set(func(f *fakeEngine) { f.tasks.Failed++ }) // a finished task is progress
		m.Sample(ctx)
		if c := pipelineCheck(); c.Status != engine.CheckPass {
			t.Errorf("after progress: %+v, want pass", c)
		}
		eng.set(func(f *fakeEngine) { f.tasks.Queued = 0 })
		m.Sample(ctx)
		m.Sample(ctx)
		if c := pipelineCheck(); c.Status != engine.CheckPass {
			t.Errorf("idle pipeline: %+v, want pass", c)
		}
	})
}

// Report's history_limit returns the newest samples, oldest first;
// recovery under way makes a healthy engine DEGRADED.
func TestReport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng := newFake()
		m := NewMonitor(testConfig(nil), eng, zerolog.Nop(), nil)
		ctx := context.Background()
		for range 4 {
			m.Sample(ctx)
			time.Sleep(time.Second)
		}
		rep := m.Report(ctx, 2, false)
		if rep.OverallStatus != Healthy || len(rep.History) != 2 || !rep.History[0].At.Before(rep.History[1].At) || len(rep.Checks) != 5 {
			t.Errorf("report %+v, want HEALTHY with the last 2 samples", rep)
		}
		if rep := m.Report(ctx, 0, true); rep.OverallStatus != Degraded || len(rep.History) != 0 {
			t.Errorf("report while recovering: %s with %d samples, want DEGRADED, none", rep.OverallStatus, len(rep.History))
		}
		eng.set(func(f *fakeEngine) { f.state = engine.StateStopped })
		if rep := m.Report(ctx, 0, false); rep.OverallStatus != Unhealthy {
			t.Errorf("stopped: %s, want UNHEALTHY", rep.OverallStatus)
		}
	})
}

// Kick brings the next sample forward, at most one each MinKickInterval
// however many kicks come; while storage or the embedder fails, samples
// follow every MinKickInterval, and back at health.interval once it
// passes.
func TestKickAndFastResample(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng := newFake()
		m := NewMonitor(testConfig(func(h *config.Health) { h.Interval = config.Duration(30 * time.Second) }), eng, zerolog.Nop(), nil)
		var mu sync.Mutex
		var at []time.Duration
		begin := time.Now()
		m.OnSample(func(s Sample) {
			mu.Lock()
			defer mu.Unlock()
			at = append(at, s.At.Sub(begin))
		})
		samples := func() []time.Duration {
			mu.Lock()
			defer mu.Unlock()
			return append([]time.Duration(nil), at...)
		}
		stop := run(m)
		defer stop()
		synctest.Wait() // the first sample, at 0
		time.Sleep(10 * time.Second)
		for range 5 { // a burst of failures: one sample, now
			m.Kick()
		}
		synctest.Wait()
		if got := samples(); len(got) != 2 || got[1] != 10*time.Second {
			t.Fatalf("samples at %v, want 0s and 10s", got)
		}
		m.Kick() // too soon after the last: at 11s
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		if got := samples(); len(got) != 2 {
			t.Fatalf("samples at %v, want no third one within a second of the second", got)
		}
		eng.set(func(f *fakeEngine) { f.failing["embedder"] = true })
		time.Sleep(4 * time.Second)
		synctest.Wait()
		want := []time.Duration{0, 10 * time.Second, 11 * time.Second, 12 * time.Second, 13 * time.Second, 14 * time.Second}
		if got := samples(); !slices.Equal(got, want) {
			t.Fatalf("samples at %v, want %v: every second while the embedder fails", got, want)
		}
		eng.set(func(f *fakeEngine) { f.failing["embedder"] = false })
		time.Sleep(35 * time.Second)
		synctest.Wait()
		if got := samples(); len(got) != 8 || got[6] != 15*time.Second || got[7] != 45*time.Second {
			t.Errorf("samples at %v, want 15s then back to the 30s interval", got)
		}
	})
}
