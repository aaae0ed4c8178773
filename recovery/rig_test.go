package recovery_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/embedded"
	"workspace-qdrant-mcp/health"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
	"workspace-qdrant-mcp/internal/faults"
	"workspace-qdrant-mcp/recovery"
	"workspace-qdrant-mcp/tools"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// realStore and realEmbedder are the engine's default components.
func realStore(ctx context.Context, cfg config.Config) (storage.Store, error) {
	return embedded.Open(ctx, cfg.Storage.DataDir, embedded.Options{Analyzer: analysis.Terms})
}

func realEmbedder(_ context.Context, cfg config.Config) (embed.Embedder, error) {
	return embed.NewBuiltin(cfg.Embedding.Dimensions), nil
}

// note is one notification the monitor or recovery sent to the client.
type note struct {
	logger, level, message string
}

// rig is a real engine (embedded store, built-in embedder, each behind a
// fault switch) with a health monitor and a recovery manager wired as
// main wires them, and the tools bound to all three.
type rig struct {
	t          *testing.T
	cfg        config.Config
	store, emb faults.Switch
	eng        *engine.Manager
	mon        *health.Monitor
	rec        *recovery.Manager

	mu          sync.Mutex
	notes       []note
	transitions []engine.Transition

	cancel context.CancelFunc
	wg     sync.WaitGroup
	unsub  func()
}

// newRig builds the rig; mutate adjusts the test configuration (no
// workspace roots, 30s health interval, recovery defaults).
func newRig(t *testing.T, mutate func(*config.Config)) *rig {
	t.Helper()
	cfg := enginetest.Config(t, nil)
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, cfg: cfg}
	r.eng = engine.New(cfg, engine.Options{
		Logger:      zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel),
		OpenStore:   faults.OpenStore(&r.store, realStore),
		NewEmbedder: faults.NewEmbedder(&r.emb, realEmbedder),
		Solo:        true, // synctest bubbles: no socket
	})
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	r.mon = health.NewMonitor(cfg, r.eng, log, r.notifier("health"))
	r.rec = recovery.New(cfg, r.eng, log, r.notifier("recovery"))
	r.mon.OnSample(r.rec.Observe)
	r.unsub = r.eng.Subscribe(func(tr engine.Transition) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.transitions = append(r.transitions, tr)
	})
	return r
}

func (r *rig) notifier(logger string) health.Notify {
	return func(level string, data any) {
		b, _ := json.Marshal(data)
		var m struct{ Message string }
		_ = json.Unmarshal(b, &m)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.notes = append(r.notes, note{logger, level, m.Message})
	}
}

// runningRig is newRig's rig, run, and closed when the test ends.
func runningRig(t *testing.T, mutate func(*config.Config)) *rig {
	t.Helper()
	r := newRig(t, mutate)
	r.run()
	t.Cleanup(r.close)
	return r
}

// run starts the engine, then the monitor and recovery, as main does.
func (r *rig) run() {
	r.t.Helper()
	if err := r.eng.Start(context.Background()); err != nil {
		r.t.Fatalf("Start: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Go(func() { r.rec.Run(ctx) })
	r.wg.Go(func() { r.mon.Run(ctx) })
}

// close ends the monitor and recovery, then stops the engine, as main
// does at shutdown.
func (r *rig) close() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
	if _, err := r.eng.Stop(context.Background(), engine.StopOptions{Reason: "test over"}); err != nil {
		r.t.Error(err)
	}
	r.eng.Wait()
	r.unsub()
}

// wantIdleWithoutRestart checks that recovery is idle and never restarted
// the engine; when says at what point of the test.
func (r *rig) wantIdleWithoutRestart(t *testing.T, when string) {
	t.Helper()
	if st := r.rec.Snapshot(); st.State != recovery.StateIdle {
		t.Errorf("snapshot %+v %s, want idle", st, when)
	}
	if n := len(r.recoveryStarts()); n != 0 {
		t.Errorf("%d restarts %s, want none", n, when)
	}
}

// wantStaysStopped brings the store back and checks that the engine,
// stopped by engine_stop at mark, is still stopped 10 minutes later, with
// no transition since.
func (r *rig) wantStaysStopped(t *testing.T, mark int) {
	t.Helper()
	r.store.Up()
	time.Sleep(10 * time.Minute)
	synctest.Wait()
	if s := r.eng.State(); s != engine.StateStopped {
		t.Errorf("state %s 10 minutes after engine_stop, want stopped", s)
	}
	if tr := r.transitionsAfter(mark); len(tr) != 0 {
		t.Errorf("transitions after engine_stop: %v", tr)
	}
}

// recoveryStarts are the start transitions recovery made, with their
// times.
func (r *rig) recoveryStarts() []engine.Transition {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []engine.Transition
	for _, tr := range r.transitions {
		if tr.Event == engine.EventStart && tr.Origin == engine.OriginRecovery {
			out = append(out, tr)
		}
	}
	return out
}

// mark counts the transitions so far, for transitionsAfter.
func (r *rig) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.transitions)
}

// transitionsAfter returns the transitions made after mark.
func (r *rig) transitionsAfter(mark int) []engine.Transition {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]engine.Transition(nil), r.transitions[mark:]...)
}

// notesMatching counts notifications whose message contains s.
func (r *rig) notesMatching(s string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, nt := range r.notes {
		if strings.Contains(nt.message, s) {
			n++
		}
	}
	return n
}

func (r *rig) notesString() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, nt := range r.notes {
		b.WriteString(nt.logger + "/" + nt.level + ": " + nt.message + "\n")
	}
	return b.String()
}

// call runs one of the tools (bound to the rig's engine, monitor and
// recovery) as a client would.
func (r *rig) call(name, arguments string) (text string, isError bool, obj map[string]any) {
	r.t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	if arguments != "" {
		if err := json.Unmarshal([]byte(arguments), &req.Params.Arguments); err != nil {
			r.t.Fatal(err)
		}
	}
	for _, st := range tools.Tools(r.eng, tools.WithHealth(r.mon), tools.WithRecovery(r.rec)) {
		if st.Tool.Name != name {
			continue
		}
		res, err := st.Handler(context.Background(), req)
		if err != nil {
			r.t.Fatalf("%s: protocol error %v", name, err)
		}
		for _, c := range res.Content {
			if tc, ok := mcp.AsTextContent(c); ok {
				text += tc.Text
			}
		}
		_ = json.Unmarshal([]byte(text), &obj)
		return text, res.IsError, obj
	}
	r.t.Fatalf("no tool %s", name)
	return "", false, nil
}

// within checks that d lies in [lo, hi].
func within(t *testing.T, what string, d, lo, hi time.Duration) {
	t.Helper()
	if d < lo || d > hi {
		t.Errorf("%s = %s, want between %s and %s", what, d, lo, hi)
	}
}

// jittered is the range of a delay of d with recovery's jitter, capped.
func jittered(d, maxDelay time.Duration) (time.Duration, time.Duration) {
	lo := time.Duration(float64(d) * (1 - recovery.Jitter))
	hi := min(time.Duration(float64(d)*(1+recovery.Jitter))+time.Millisecond, maxDelay)
	return lo, hi
}
