package tools

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/internal/enginetest"
)

// TestHandlersOnRunningEngine runs the handlers against a real engine
// over a small workspace.
func TestHandlersOnRunningEngine(t *testing.T) {
	ws := enginetest.Workspace(t, map[string]string{"notes.md": "# Plan\n\nShip the frobnicator on Friday.\n"})
	eng := engine.New(testConfig(t, ws), engine.Options{Logger: zerolog.Nop()})
	t.Cleanup(func() {
		if _, err := eng.Stop(context.Background(), engine.StopOptions{}); err != nil {
			t.Error(err)
		}
		eng.Wait()
	})

	start := call(t, eng, "engine_start", "")
	if m := structuredMap(t, start); start.IsError || m["state"] != "running" || !strings.HasPrefix(m["message"].(string), "engine started in ") {
		t.Fatalf("engine_start = %s", text(start))
	}
	if res := call(t, eng, "engine_health", ""); structuredMap(t, res)["overall_status"] != "HEALTHY" {
		t.Errorf("engine_health = %s", text(res))
	}

	added := structuredMap(t, call(t, eng, "add_document", `{"content": "The quarterly zebrafinch census is due.", "metadata": {"team": "birds"}}`))
	id, _ := added["id"].(string)
	if !strings.HasPrefix(id, "note:") || added["collection"] != engine.NotesCollection {
		t.Fatalf("add_document = %v", added)
	}
	if res := call(t, eng, "search", `{"query": "zebrafinch", "mode": "keyword", "limit": 3}`); !strings.Contains(text(res), id) {
		t.Errorf("search = %s, want the note", text(res))
	}
	enginetest.Eventually(t, "notes.md indexed", 30*time.Second, func() bool {
		return strings.Contains(text(call(t, eng, "get_document", `{"path": "notes.md"}`)), "frobnicator")
	})

	if res := call(t, eng, "find_related", `{"id": "`+id+`"}`); res.IsError || !strings.Contains(text(res), "frobnicator") ||
		!strings.Contains(text(res), `"source":{"id":"`+id+`"`) {
		t.Errorf("find_related from the note = %s, want notes.md and the note as source", text(res))
	}

	tests := []struct{ tool, args, want string }{
		{"get_document", `{"id": "note:missing"}`, "document note:missing not found"},
		{"find_related", `{"path": "notes.md", "line": 40}`, "line: no chunk holds the line: the document's chunks cover lines 1-3"},
		{"find_related", `{"path": "/etc/hostname"}`, "find_related: path is outside the workspace"},
		{"delete_document", `{"id": "note:missing"}`, "document note:missing not found"},
		{"get_document", `{"path": "missing.md"}`, "document missing.md not found"},
		{"get_document", `{"path": "/etc/hostname"}`, "get_document: path is outside the workspace"},
		{"delete_document", `{"path": "../outside.md"}`, "delete_document: path is outside the workspace"},
	}
	for _, tt := range tests {
		res := call(t, eng, tt.tool, tt.args)
		if !res.IsError || !strings.HasPrefix(text(res), tt.want) {
			t.Errorf("%s %s = %s, want an error starting %q", tt.tool, tt.args, text(res), tt.want)
		}
	}

	if res := call(t, eng, "list_collections", ""); !strings.Contains(text(res), `"name":"notes","documents":1`) {
		t.Errorf("list_collections = %s", text(res))
	}
	del := structuredMap(t, call(t, eng, "delete_document", `{"id": "`+id+`"}`))
	if del["id"] != id || del["deleted_chunks"].(float64) < 1 {
		t.Errorf("delete_document = %v", del)
	}
	if res := call(t, eng, "engine_restart", ""); structuredMap(t, res)["state"] != "running" {
		t.Errorf("engine_restart = %s", text(res))
	}
	if res := call(t, eng, "engine_stop", `{"timeout_seconds": 5}`); structuredMap(t, res)["state"] != "stopped" {
		t.Errorf("engine_stop = %s", text(res))
	}
}
