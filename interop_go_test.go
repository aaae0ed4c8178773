package main

import (
	"context"
	"encoding/json"
	"os/exec"
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
// waits for the index, searches and reads a document. The client checks
// each structured result against the tool's output schema.
func TestGoSDKClient(t *testing.T) {
	for _, version := range []string{"2026-07-28", "2025-11-25", "2025-06-18"} {
		t.Run(version, func(t *testing.T) {
			fx := newFixture(t, fixtureOptions{autostart: true})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.Command(serverBinary, "-config", fx.config)
			cmd.Env = fx.env
			client := sdk.NewClient(&sdk.Implementation{Name: "go-sdk-interop", Version: "1"}, nil)
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
		})
	}
}
