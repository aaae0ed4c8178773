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
	if idx["files"] != want || idx["pending"] != float64(0) || idx["indexing"] != false {
		t.Errorf("index right after engine_start = %v, want %v files, none pending", idx, want)
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
