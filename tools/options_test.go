package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/health"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/recovery"
)

// callWith runs a tool bound to eng with opts.
func callWith(t *testing.T, eng Engine, name, arguments string, opts ...Option) map[string]any {
	t.Helper()
	for _, st := range Tools(eng, opts...) {
		if st.Tool.Name != name {
			continue
		}
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		if arguments != "" {
			if err := json.Unmarshal([]byte(arguments), &req.Params.Arguments); err != nil {
				t.Fatal(err)
			}
		}
		res, err := st.Handler(context.Background(), req)
		if err != nil || res.IsError {
			t.Fatalf("%s: %v %s", name, err, text(res))
		}
		return structuredMap(t, res)
	}
	t.Fatalf("no tool %s", name)
	return nil
}

// With the monitor and recovery wired, engine_health answers
// {overall_status, checks, alerts, history, recovery} and engine_status
// carries recovery; without them, recovery says disabled.
func TestHealthAndRecoveryWired(t *testing.T) {
	eng := stoppedEngine(t)
	cfg := config.Default()
	cfg.Health.HistorySize = 5
	mon := health.NewMonitor(cfg, eng, zerolog.Nop(), nil)
	rec := recovery.New(cfg, eng, zerolog.Nop(), nil)
	for range 3 {
		mon.Sample(context.Background())
	}
	opts := []Option{WithHealth(mon), WithRecovery(rec)}

	h := callWith(t, eng, "engine_health", `{"history_limit": 1}`, opts...)
	for _, key := range []string{"overall_status", "checks", "alerts", "history", "recovery"} {
		if _, ok := h[key]; !ok {
			t.Errorf("engine_health lacks %s: %v", key, h)
		}
	}
	if hist := h["history"].([]any); len(hist) != 1 || hist[0].(map[string]any)["state"] != "stopped" {
		t.Errorf("history %v, want the newest sample only", h["history"])
	}
	r := h["recovery"].(map[string]any)
	for _, key := range []string{"state", "attempts", "max_attempts", "next_attempt_in_ms", "last_error", "degraded"} {
		if _, ok := r[key]; !ok {
			t.Errorf("recovery lacks %s: %v", key, r)
		}
	}
	if r["state"] != "idle" || r["max_attempts"] != 5.0 {
		t.Errorf("recovery %v, want idle with 5 attempts", r)
	}
	hl := toolNamed(t, eng, "engine_health").Tool.InputSchema.Properties["history_limit"].(map[string]any)
	if hl["maximum"] != 100.0 {
		t.Errorf("history_limit schema %v, want maximum 100 (the default history_size)", hl)
	}
	for _, st := range Tools(eng, opts...) {
		if st.Tool.Name == "engine_health" {
			if max := st.Tool.InputSchema.Properties["history_limit"].(map[string]any)["maximum"]; max != 5.0 {
				t.Errorf("history_limit maximum %v, want health.history_size 5", max)
			}
		}
	}

	st := callWith(t, eng, "engine_status", "", opts...)
	if r, ok := st["recovery"].(map[string]any); !ok || r["state"] != "idle" || r["degraded"] != false {
		t.Errorf("engine_status.recovery = %v", st["recovery"])
	}

	bare := callWith(t, eng, "engine_health", "")
	if r := bare["recovery"].(map[string]any); r["state"] != "disabled" || len(bare["history"].([]any)) != 0 {
		t.Errorf("engine_health without monitor and recovery = %v", bare)
	}
}

// engine_status's JSON is pinned: its top-level keys in order, with
// recovery last when it is wired and absent when not, recovery's own keys
// in order, and the origin of each transition in the output schema.
func TestStatusJSONPinned(t *testing.T) {
	eng := stoppedEngine(t)
	rec := recovery.New(config.Default(), eng, zerolog.Nop(), nil)
	base := []string{"state", "role", "version", "startup_seconds", "uptime_seconds", "phases", "active_tasks", "queued_tasks",
		"resource_usage", "index", "storage", "config", "embedding", "workspace", "last_error", "transitions"}
	for _, tc := range []struct {
		name string
		opts []Option
		want []string
	}{
		{"without recovery", nil, base},
		{"with recovery", []Option{WithRecovery(rec)}, append(slices.Clone(base), "recovery")},
	} {
		st := toolNamed(t, eng, "engine_status")
		for _, s := range Tools(eng, tc.opts...) {
			if s.Tool.Name == "engine_status" {
				st = s
			}
		}
		req := mcp.CallToolRequest{}
		req.Params.Name = "engine_status"
		res, err := st.Handler(context.Background(), req)
		if err != nil || res.IsError {
			t.Fatalf("%s: %v %s", tc.name, err, text(res))
		}
		conforms(t, st.Tool, res)
		raw := json.RawMessage(text(res))
		if got := objectKeys(t, raw); !slices.Equal(got, tc.want) {
			t.Errorf("%s: engine_status keys\n%q, want\n%q", tc.name, got, tc.want)
		}
		if len(tc.opts) == 0 {
			continue
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(raw, &top); err != nil {
			t.Fatal(err)
		}
		want := []string{"state", "attempts", "max_attempts", "next_attempt_in_ms", "last_error", "degraded", "down"}
		if got := objectKeys(t, top["recovery"]); !slices.Equal(got, want) {
			t.Errorf("recovery keys %q, want %q", got, want)
		}
	}
	var schema struct {
		Properties struct {
			Transitions struct {
				Items struct {
					Properties map[string]any `json:"properties"`
					Required   []string       `json:"required"`
				} `json:"items"`
			} `json:"transitions"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(toolNamed(t, eng, "engine_status").Tool.RawOutputSchema, &schema); err != nil {
		t.Fatal(err)
	}
	if items := schema.Properties.Transitions.Items; items.Properties["origin"] == nil || !slices.Contains(items.Required, "origin") {
		t.Errorf("transition schema %+v, want origin required", items)
	}
}

// objectKeys lists the keys of the JSON object raw, in order.
func objectKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s is not an object: %v", raw, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
