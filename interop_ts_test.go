package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The official MCP TypeScript SDK's client (interop/ts, pinned by its
// package-lock.json) drives the real server through the initialize
// handshake: it lists every tool, waits for the index, searches, reads
// a document and finds related code, reads the status and a note as
// resources and subscribes to the status, to be told of engine_stop; it
// cancels an engine_start waiting for a long index (the wait ends at
// once and the start stands). It connects asking for 2025-11-25 (the
// SDK's latest) and for the older 2025-06-18.
// The SDK validates each structured result against the tool's output
// schema, and would throw on a mismatch.
// The test installs the SDK with npm ci when it is missing.
func TestTypeScriptSDKClient(t *testing.T) {
	node, dir := npmInstalled(t, filepath.Join("interop", "ts"), "@modelcontextprotocol/sdk")
	for _, version := range []string{"2025-11-25", "2025-06-18"} {
		t.Run(version, func(t *testing.T) { tsClient(t, node, dir, version) })
	}
}

// tsClient runs client.mjs asking for protocol version at initialize.
func tsClient(t *testing.T, node, dir, version string) {
	fx := newFixture(t, fixtureOptions{autostart: true})
	cmd := exec.Command(node, filepath.Join(dir, "client.mjs"), serverBinary, fx.config, fx.workspace, version)
	cmd.Env = fx.env
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node client.mjs: %v\n%s", err, out)
	}
	var report struct {
		Error           string
		ProtocolVersion string
		Cancel          struct {
			Outcome, StateAfter string
			MS                  float64
		}
		Server       struct{ Name, Version, Title string }
		Instructions bool
		Tools        []struct {
			Name, Title  string
			OutputSchema bool
			Annotations  map[string]any
		}
		Calls map[string]struct {
			IsError    bool
			Structured map[string]any
		}
		BadArgument                        struct{ IsError bool }
		StatusResource                     struct{ State string }
		NoteID, NoteURI, NoteText, Updated string
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("report %s: %v", out, err)
	}
	if report.Error != "" {
		t.Fatalf("the TypeScript client failed: %s", report.Error)
	}
	if report.ProtocolVersion != version {
		t.Errorf("negotiated protocol %q, want %s", report.ProtocolVersion, version)
	}
	if c := report.Cancel; c.Outcome != "cancelled" || c.MS > 5000 || c.StateAfter != "running" {
		t.Errorf("cancelled engine_start wait: %+v; want cancelled within 5s and the engine still running", c)
	}
	if report.Server.Name != "workspace-qdrant-mcp" || report.Server.Title == "" || !report.Instructions {
		t.Errorf("server %+v, instructions %v", report.Server, report.Instructions)
	}
	var names []string
	for _, tool := range report.Tools {
		names = append(names, tool.Name)
		if !tool.OutputSchema || tool.Title == "" || tool.Annotations == nil {
			t.Errorf("%s: output schema %v, title %q, annotations %v", tool.Name, tool.OutputSchema, tool.Title, tool.Annotations)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, allTools) {
		t.Errorf("tools %v, want %v", names, allTools)
	}
	for name, c := range report.Calls {
		if c.IsError {
			t.Errorf("%s: a tool error: %v", name, c.Structured)
		}
	}
	if !report.BadArgument.IsError {
		t.Error("search with limit 500 was not a tool error")
	}
	hits, _ := report.Calls["search"].Structured["results"].([]any)
	if len(hits) == 0 || !strings.HasSuffix(hits[0].(map[string]any)["path"].(string), "README.md") {
		t.Errorf("search = %v, want README.md first", report.Calls["search"].Structured)
	}
	if text, _ := report.Calls["get_document"].Structured["text"].(string); !strings.Contains(text, "func ParseDuration") {
		t.Errorf("get_document = %v", report.Calls["get_document"].Structured)
	}
	if report.StatusResource.State != "running" {
		t.Errorf("status resource %+v, want running", report.StatusResource)
	}
	if report.NoteID == "" || !strings.Contains(report.NoteURI, strings.TrimPrefix(report.NoteID, "note:")) || report.NoteText != "the interop note\n" {
		t.Errorf("note %q listed as %q, read as %q", report.NoteID, report.NoteURI, report.NoteText)
	}
	if report.Updated != "wqm://engine/status" {
		t.Errorf("resources/updated after engine_stop for %q, want the status", report.Updated)
	}
}

// npmInstalled returns node and the absolute path of dir, a folder of
// interop with a package-lock.json, after npm ci there when pkg is not
// installed. Without node the test fails in CI and is skipped elsewhere.
func npmInstalled(t *testing.T, dir, pkg string) (node, abs string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed; CI needs it for the interoperability tests")
		}
		t.Skip("node is not installed: the npm client cannot run")
	}
	abs, err = filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(abs, "node_modules", filepath.FromSlash(pkg))); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = abs
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", abs, err, out)
		}
	}
	return node, abs
}
