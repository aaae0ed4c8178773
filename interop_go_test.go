package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// The official Go SDK's client, which nobody here wrote, drives the real
// server at the current protocol (2026-07-28: server/discover and
// per-request _meta, no initialize) and at the two before it (the
// initialize handshake): it lists every tool with its output schema,
// waits for the index, searches and reads a document, reads the status
// and a note as resources, and subscribes to the status (resources/subscribe,
// or subscriptions/listen at 2026-07-28) to be told of the engine's
// stop. The client checks each structured result against the tool's
// output schema. At 2026-07-28 and 2025-11-25 it also cancels an
// engine_start waiting for a long index (cancelWait).
func TestGoSDKClient(t *testing.T) {
	for _, version := range []string{"2026-07-28", "2025-11-25", "2025-06-18"} {
		t.Run(version, func(t *testing.T) {
			fx := newFixture(t, fixtureOptions{autostart: true})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.Command(serverBinary, "-config", fx.config)
			cmd.Env = fx.env
			stderr := &lockedBuffer{}
			cmd.Stderr = stderr
			updates := make(chan string, 64)
			client := sdk.NewClient(&sdk.Implementation{Name: "go-sdk-interop", Version: "1"}, &sdk.ClientOptions{
				ResourceUpdatedHandler: func(_ context.Context, req *sdk.ResourceUpdatedNotificationRequest) {
					select {
					case updates <- req.Params.URI:
					default:
					}
				},
			})
			session, err := client.Connect(ctx, &sdk.CommandTransport{Command: cmd}, &sdk.ClientSessionOptions{ProtocolVersion: version})
			if err != nil {
				t.Fatalf("connect at %s: %v", version, err)
			}
			defer session.Close()
			init := session.InitializeResult()
			if init.ProtocolVersion != version || init.ServerInfo.Name != "workspace-qdrant-mcp" || init.Instructions == "" {
				t.Errorf("negotiated %s with %+v, want %s, our server info and instructions", init.ProtocolVersion, init.ServerInfo, version)
			}

			tools, err := session.ListTools(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tool := range tools.Tools {
				names = append(names, tool.Name)
				if tool.OutputSchema == nil || tool.Title == "" || tool.Annotations == nil {
					t.Errorf("%s: output schema %v, title %q, annotations %v", tool.Name, tool.OutputSchema != nil, tool.Title, tool.Annotations)
				}
			}
			slices.Sort(names)
			if !slices.Equal(names, allTools) {
				t.Errorf("tools %v, want %v", names, allTools)
			}

			call := func(name string, args map[string]any) map[string]any {
				t.Helper()
				res, err := session.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				raw, _ := json.Marshal(res.StructuredContent)
				if res.IsError {
					t.Fatalf("%s: tool error %s", name, raw)
				}
				var out map[string]any
				if err := json.Unmarshal(raw, &out); err != nil {
					t.Fatalf("%s: structured content %s: %v", name, raw, err)
				}
				return out
			}
			if st := call("engine_start", map[string]any{"wait_for_index": true}); st["state"] != "running" {
				t.Fatalf("engine_start = %v", st)
			}
			res := call("search", map[string]any{"query": "quokkaflux widgets", "limit": 3})
			hits, _ := res["results"].([]any)
			if len(hits) == 0 || !strings.HasSuffix(hits[0].(map[string]any)["path"].(string), "README.md") {
				t.Errorf("search = %v, want README.md first", res)
			}
			doc := call("get_document", map[string]any{"path": "parser.go"})
			if !strings.Contains(doc["text"].(string), "func ParseDuration") {
				t.Errorf("get_document = %v", doc)
			}
			rel := call("find_related", map[string]any{"path": "parser.go", "line": 6})
			if src, _ := rel["source"].(map[string]any); src == nil || !strings.HasSuffix(src["path"].(string), "parser.go") {
				t.Errorf("find_related = %v", rel)
			}
			goSDKResources(t, ctx, session, call, updates)
			if version != "2025-06-18" { // the current protocol, and the newest of initialize
				cancelWait(t, ctx, session, fx, stderr)
			}
		})
	}
}

// cancelWait cancels an engine_start that waits for a long index: the
// client's notifications/cancelled ends the wait on the server at once
// (its log records the call ending, cancelled), and the start it followed
// stands: the engine runs and goes on indexing.
func cancelWait(t *testing.T, ctx context.Context, session *sdk.ClientSession, fx *fixture, stderr *lockedBuffer) {
	t.Helper()
	if _, err := session.CallTool(ctx, &sdk.CallToolParams{Name: "engine_stop", Arguments: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3000 {
		name := filepath.Join(fx.workspace, fmt.Sprintf("gen%04d.go", i))
		body := fmt.Sprintf("package gen\n\n// Value%d is generated.\nfunc Value%d() int { return %d }\n", i, i, i)
		if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	callCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := session.CallTool(callCtx, &sdk.CallToolParams{Name: "engine_start", Arguments: map[string]any{"wait_for_index": true}})
		done <- err
	}()
	// Cancel once the engine is running and the wait has begun.
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := session.CallTool(ctx, &sdk.CallToolParams{Name: "engine_status", Arguments: map[string]any{}})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(st.StructuredContent)
		if strings.Contains(string(raw), `"state":"running"`) && strings.Contains(string(raw), `"indexing":true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the engine did not start indexing: %s", raw)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the cancelled wait returned %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled engine_start wait did not end within 5s")
	}
	ended := false
	for deadline := time.Now().Add(5 * time.Second); !ended && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for line := range strings.Lines(string(stderr.Bytes())) {
			ended = ended || strings.Contains(line, `"tool":"engine_start"`) && strings.Contains(line, "context canceled")
		}
	}
	if !ended {
		t.Errorf("the server's log shows no engine_start ended by the cancellation:\n%s", stderr.Bytes())
	}
	st, err := session.CallTool(ctx, &sdk.CallToolParams{Name: "engine_status", Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(st.StructuredContent); !strings.Contains(string(raw), `"state":"running"`) {
		t.Errorf("after the cancelled wait: %s, want the engine still running", raw)
	}
}

// goSDKResources reads the status and a note as resources, finds the note
// in resources/list, and subscribes to the status: stopping the engine
// sends notifications/resources/updated for it. It leaves the engine
// running.
func goSDKResources(t *testing.T, ctx context.Context, session *sdk.ClientSession, call func(string, map[string]any) map[string]any, updates chan string) {
	t.Helper()
	read := func(uri string) string {
		t.Helper()
		res, err := session.ReadResource(ctx, &sdk.ReadResourceParams{URI: uri})
		if err != nil {
			t.Fatalf("read %s: %v", uri, err)
		}
		if len(res.Contents) != 1 || res.Contents[0].URI != uri {
			t.Fatalf("read %s: %+v", uri, res.Contents)
		}
		return res.Contents[0].Text
	}
	if st := read("wqm://engine/status"); !strings.Contains(st, `"state":"running"`) {
		t.Errorf("status resource = %s", st)
	}
	note := call("add_document", map[string]any{"content": "the interop note\n", "title": "interop"})
	id, _ := note["id"].(string)
	list, err := session.ListResources(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var uri string
	for _, r := range list.Resources {
		if r.Title == "interop" {
			uri = r.URI
		}
	}
	if uri == "" || !strings.Contains(uri, strings.TrimPrefix(id, "note:")) {
		t.Fatalf("resources %+v: no note %s", list.Resources, id)
	}
	if text := read(uri); text != "the interop note\n" {
		t.Errorf("note %s read as %q", uri, text)
	}
	if err := session.Subscribe(ctx, &sdk.SubscribeParams{URI: "wqm://engine/status"}); err != nil {
		t.Fatalf("subscribe to the status: %v", err)
	}
	call("engine_stop", map[string]any{})
	select {
	case got := <-updates:
		if got != "wqm://engine/status" {
			t.Errorf("resources/updated for %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Error("no notifications/resources/updated for the status within 10s of engine_stop")
	}
	if st := call("engine_start", map[string]any{"wait_for_index": true}); st["state"] != "running" {
		t.Fatalf("engine_start = %v", st)
	}
}
