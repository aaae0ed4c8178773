// Package mcpb holds the Claude Desktop extension's manifest template, in
// the MCP Bundle (MCPB) format, and fills it in for one release.
//
// manifest.json beside this file is the template: a valid manifest (spec
// version 0.3) whose version is the placeholder {{VERSION}}. A bundle is a
// directory holding the rendered manifest.json and the binaries it names
// under server/; the mcpb tool (npm package @anthropic-ai/mcpb) validates
// and packs it into a .mcpb file, which Claude Desktop installs. The
// extension asks the user for a workspace folder and runs the server with
// -root set to it.
package mcpb

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"workspace-qdrant-mcp/internal/version"
)

// Template is manifest.json: the manifest with Placeholder for its version.
//
//go:embed manifest.json
var Template []byte

// Placeholder stands in Template for the release's version.
const Placeholder = "{{VERSION}}"

// Platforms are the platforms the template has a binary for, by their
// MCPB (Node.js process.platform) names.
var Platforms = []string{"darwin", "win32"}

// Binary is the path, inside the bundle, of the server binary for
// platform ("darwin" or "win32").
func Binary(platform string) string {
	if platform == "win32" {
		return "server/workspace-qdrant-mcp.exe"
	}
	return "server/workspace-qdrant-mcp"
}

// Render returns the manifest for release version v (such as v1.2.3; the
// manifest has it without the "v", as MCPB wants a semantic version) with
// only the platforms named, each running its own binary.
func Render(v string, platforms []string) ([]byte, error) {
	if !version.IsRelease(v) {
		return nil, fmt.Errorf("render the MCPB manifest: version %q is not a release version such as v1.2.3", v)
	}
	if len(platforms) == 0 {
		return nil, fmt.Errorf("render the MCPB manifest: no platform to run on")
	}
	for _, p := range platforms {
		if !slices.Contains(Platforms, p) {
			return nil, fmt.Errorf("render the MCPB manifest: platform %q has no binary (have %v)", p, Platforms)
		}
	}
	m, err := parse(Template)
	if err != nil {
		return nil, err
	}
	if m["version"] != Placeholder {
		return nil, fmt.Errorf("render the MCPB manifest: the template's version is %v, want the placeholder %s", m["version"], Placeholder)
	}
	m["version"] = strings.TrimPrefix(v, "v")
	server, _ := m["server"].(map[string]any)
	config, _ := server["mcp_config"].(map[string]any)
	overrides, _ := config["platform_overrides"].(map[string]any)
	if overrides == nil {
		return nil, fmt.Errorf("render the MCPB manifest: the template has no server.mcp_config.platform_overrides")
	}
	for p := range overrides {
		if !slices.Contains(platforms, p) {
			delete(overrides, p)
		}
	}
	// The default command is the first platform's, so that entry_point
	// names a file the bundle holds.
	server["entry_point"] = Binary(platforms[0])
	config["command"] = "${__dirname}/" + Binary(platforms[0])
	m["compatibility"] = map[string]any{"platforms": platforms}

	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("render the MCPB manifest: %w", err)
	}
	return out.Bytes(), nil
}

// parse decodes a manifest, keeping numbers as written.
func parse(manifest []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(manifest))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("parse the MCPB manifest: %w", err)
	}
	return m, nil
}
