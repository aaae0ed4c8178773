package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A smoke run of the MCP Inspector's CLI mode (interop/inspector, pinned
// by its package-lock.json) against the real server: each run launches
// the server, makes one request and prints the result as JSON. It lists
// the tools, calls engine_status, lists the resources and the template,
// and reads the status resource. The test installs the Inspector with
// npm ci when it is missing.
func TestInspectorCLI(t *testing.T) {
	node, dir := npmInstalled(t, filepath.Join("interop", "inspector"), "@modelcontextprotocol/inspector")
	fx := newFixture(t, fixtureOptions{autostart: true})
	inspect := func(args ...string) map[string]any {
		t.Helper()
		cli := filepath.Join(dir, "node_modules", "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js")
		cmd := exec.Command(node, append([]string{cli, "--cli", serverBinary, "-config", fx.config}, args...)...)
		cmd.Env = fx.env
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			stderr := ""
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("inspector --cli %v: %v\n%s\n%s", args, err, out, stderr)
		}
		var res map[string]any
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("inspector --cli %v printed %s: %v", args, out, err)
		}
		return res
	}
	tools, _ := inspect("--method", "tools/list")["tools"].([]any)
	if len(tools) != len(allTools) {
		t.Errorf("tools/list gave %d tools, want %d", len(tools), len(allTools))
	}
	call := inspect("--method", "tools/call", "--tool-name", "engine_status")
	if st, _ := call["structuredContent"].(map[string]any); st == nil || st["state"] == nil || call["isError"] == true {
		t.Errorf("engine_status = %v", call)
	}
	list, _ := inspect("--method", "resources/list")["resources"].([]any)
	if len(list) == 0 || list[0].(map[string]any)["uri"] != "wqm://engine/status" {
		t.Errorf("resources/list = %v, want the status first", list)
	}
	tmpls, _ := inspect("--method", "resources/templates/list")["resourceTemplates"].([]any)
	if len(tmpls) != 1 || tmpls[0].(map[string]any)["uriTemplate"] != "wqm://document/{id}" {
		t.Errorf("resources/templates/list = %v", tmpls)
	}
	read, _ := inspect("--method", "resources/read", "--uri", "wqm://engine/status")["contents"].([]any)
	if len(read) != 1 {
		t.Fatalf("resources/read of the status = %v", read)
	}
	var st struct{ State string }
	if text, _ := read[0].(map[string]any)["text"].(string); json.Unmarshal([]byte(text), &st) != nil || !strings.Contains("stopped starting running", st.State) || st.State == "" {
		t.Errorf("status resource %v", read[0])
	}
}
