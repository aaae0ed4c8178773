package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// engine_start with wait_for_index returns once the workspace is indexed,
// sending progress notifications for the request's token, and the client
// hears the start and the end of the full index as log notifications.
func TestStartWaitsForIndexWithProgress(t *testing.T) {
	fx := newFixture(t, fixtureOptions{autostart: false})
	const extra = 60
	for i := range extra {
		body := fmt.Sprintf("package gen\n\n// Fn%d is generated function number %d.\nfunc Fn%d() int { return %d }\n", i, i, i, i)
		if err := os.WriteFile(filepath.Join(fx.workspace, fmt.Sprintf("gen%02d.go", i)), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := spawn(t, fx, "-config", fx.config)
	p.initialize(t)

	req := mcp.CallToolRequest{}
	req.Params.Name = "engine_start"
	req.Params.Arguments = map[string]any{"wait_for_index": true}
	req.Params.Meta = &mcp.Meta{ProgressToken: "start-1"}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	res, err := p.client.CallTool(ctx, req)
	if err != nil || res.IsError {
		t.Fatalf("engine_start wait_for_index: %v %+v\nstderr:\n%s", err, res, p.stderr.String())
	}
	text := mcp.GetTextFromContent(res.Content[0])
	if !strings.Contains(text, "workspace index is current") {
		t.Errorf("engine_start message: %s", text)
	}

	// Without waiting any further, the index is complete.
	st := p.mustCall(t, "engine_status", nil)
	idx, _ := st.obj["index"].(map[string]any)
	want := float64(extra + len(workspaceFiles))
	if idx["files"] != want || idx["pending"] != float64(0) || idx["indexing"] != false || idx["notes_pending"] != false {
		t.Errorf("index right after engine_start = %v, want %v files, none pending", idx, want)
	}
	if w, _ := idx["watcher"].(map[string]any); w["watched_dirs"] != float64(1) || w["running"] != true || w["rescans"] != float64(0) {
		t.Errorf("index.watcher = %v, want one watched directory, running, no rescan", idx["watcher"])
	}

	var progress []map[string]any
	p.mu.Lock()
	for _, n := range p.notes {
		if n.Method == "notifications/progress" {
			progress = append(progress, n.Params.AdditionalFields)
		}
	}
	p.mu.Unlock()
	if len(progress) == 0 {
		t.Fatal("no progress notification for the request's token")
	}
	last := progress[len(progress)-1]
	if last["progressToken"] != "start-1" || last["progress"] != last["total"] || last["total"] != want {
		t.Errorf("last progress notification %v, want token start-1 and progress == total == %v", last, want)
	}
	for i := 1; i < len(progress); i++ {
		if progress[i]["progress"].(float64) < progress[i-1]["progress"].(float64) {
			t.Errorf("progress went backwards: %v then %v", progress[i-1], progress[i])
		}
	}
	var indexLogs []string
	p.eventually(t, callTimeout, "index log notifications", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		indexLogs = indexLogs[:0]
		for _, n := range p.notes {
			if n.Method == string(mcp.MethodNotificationMessage) && n.Params.AdditionalFields["logger"] == "indexer" {
				data, _ := n.Params.AdditionalFields["data"].(map[string]any)
				indexLogs = append(indexLogs, fmt.Sprint(data["event"]))
			}
		}
		return len(indexLogs) >= 2
	})
	if strings.Join(indexLogs, ",") != "index_started,index_finished" {
		t.Errorf("indexer log notifications %v, want one start and one finish", indexLogs)
	}
}

// A change of embedding size cannot reuse the index: the engine refuses to
// start with an error naming both sizes, and engine_restart with reindex
// rebuilds the workspace index at the new size, keeping notes.
func TestReindexAfterDimensionChange(t *testing.T) {
	fx := newFixture(t, fixtureOptions{autostart: true})
	p := fx.spawnIdle(t)
	note := p.mustCall(t, "add_document", map[string]any{"content": "the zeppelin hangar key is under the mat"})

	f, err := os.OpenFile(fx.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("embedding:\n  dimensions: 256\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if r := p.call(t, "engine_restart", nil); !r.isError {
		t.Fatalf("engine_restart with another embedding size succeeded: %s", r.text)
	}
	st := p.mustCall(t, "engine_status", nil)
	if msg := st.str("last_error"); st.str("state") != "error" || !strings.Contains(msg, "384") || !strings.Contains(msg, "256") {
		t.Fatalf("after the size change: state %s, last_error %q; want error naming 384 and 256", st.str("state"), msg)
	}

	r := p.mustCall(t, "engine_restart", map[string]any{"reindex": true, "wait_for_index": true})
	emb, _ := r.obj["embedding"].(map[string]any)
	idx, _ := r.obj["index"].(map[string]any)
	if r.str("state") != "running" || emb["dimensions"] != float64(256) || idx["files"] != float64(len(workspaceFiles)) {
		t.Fatalf("engine_restart reindex = state %s, embedding %v, index %v", r.str("state"), emb, idx)
	}
	hits := p.mustCall(t, "search", map[string]any{"query": "quokkaflux", "mode": "hybrid"})
	if res, _ := hits.obj["results"].([]any); len(res) == 0 {
		t.Errorf("search after reindex found nothing: %s", hits.text)
	}
	if g := p.call(t, "get_document", map[string]any{"id": note.str("id")}); g.isError {
		t.Errorf("note lost by reindex: %s", g.text)
	}
}
