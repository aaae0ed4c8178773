package mcpb

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// manifest is the part of an MCPB manifest these tests read.
type manifest struct {
	ManifestVersion string `json:"manifest_version"`
	Name            string `json:"name"`
	Version         string `json:"version"`
	Description     string `json:"description"`
	Author          struct {
		Name string `json:"name"`
	} `json:"author"`
	Server struct {
		Type       string `json:"type"`
		EntryPoint string `json:"entry_point"`
		MCPConfig  struct {
			Command           string   `json:"command"`
			Args              []string `json:"args"`
			PlatformOverrides map[string]struct {
				Command string `json:"command"`
			} `json:"platform_overrides"`
		} `json:"mcp_config"`
	} `json:"server"`
	Compatibility struct {
		Platforms []string `json:"platforms"`
	} `json:"compatibility"`
	UserConfig map[string]struct {
		Type     string `json:"type"`
		Title    string `json:"title"`
		Required bool   `json:"required"`
	} `json:"user_config"`
}

func decode(t *testing.T, data []byte) manifest {
	t.Helper()
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest is not valid JSON: %v\n%s", err, data)
	}
	return m
}

// checkManifest checks what every manifest, template or rendered, needs.
func checkManifest(t *testing.T, m manifest) {
	t.Helper()
	if m.ManifestVersion != "0.3" {
		t.Errorf("manifest_version = %q, want 0.3 (the current MCPB spec)", m.ManifestVersion)
	}
	if m.Name != "workspace-qdrant-mcp" || m.Description == "" || m.Author.Name == "" {
		t.Errorf("name %q, description %q, author %q: all are required", m.Name, m.Description, m.Author.Name)
	}
	if m.Server.Type != "binary" || m.Server.EntryPoint == "" {
		t.Errorf("server type %q, entry_point %q; want a binary with an entry point", m.Server.Type, m.Server.EntryPoint)
	}
	if got := m.Server.MCPConfig.Args; !slices.Equal(got, []string{"-root", "${user_config.workspace}"}) {
		t.Errorf("args = %q, want -root ${user_config.workspace}", got)
	}
	ws, ok := m.UserConfig["workspace"]
	if !ok || ws.Type != "directory" || !ws.Required || ws.Title == "" {
		t.Errorf("user_config.workspace = %+v (present %v), want a required directory with a title", ws, ok)
	}
	for p, o := range m.Server.MCPConfig.PlatformOverrides {
		if want := "${__dirname}/" + Binary(p); o.Command != want {
			t.Errorf("platform_overrides.%s.command = %q, want %q", p, o.Command, want)
		}
	}
}

func TestTemplate(t *testing.T) {
	m := decode(t, Template)
	checkManifest(t, m)
	if m.Version != Placeholder {
		t.Errorf("version = %q, want the placeholder %s", m.Version, Placeholder)
	}
	var have []string
	for p := range m.Server.MCPConfig.PlatformOverrides {
		have = append(have, p)
	}
	slices.Sort(have)
	if !slices.Equal(have, Platforms) || !slices.Equal(m.Compatibility.Platforms, Platforms) {
		t.Errorf("platform_overrides for %v, compatibility.platforms %v; want both %v",
			have, m.Compatibility.Platforms, Platforms)
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name       string
		platforms  []string
		entryPoint string
	}{
		{"darwin and windows", []string{"darwin", "win32"}, "server/workspace-qdrant-mcp"},
		{"darwin only", []string{"darwin"}, "server/workspace-qdrant-mcp"},
		{"windows only", []string{"win32"}, "server/workspace-qdrant-mcp.exe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Render("v1.2.3-rc.1", tt.platforms)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), Placeholder) {
				t.Errorf("rendered manifest still holds %s:\n%s", Placeholder, out)
			}
			m := decode(t, out)
			checkManifest(t, m)
			if m.Version != "1.2.3-rc.1" {
				t.Errorf("version = %q, want 1.2.3-rc.1", m.Version)
			}
			if !slices.Equal(m.Compatibility.Platforms, tt.platforms) {
				t.Errorf("compatibility.platforms = %v, want %v", m.Compatibility.Platforms, tt.platforms)
			}
			if len(m.Server.MCPConfig.PlatformOverrides) != len(tt.platforms) {
				t.Errorf("platform_overrides = %v, want one for each of %v", m.Server.MCPConfig.PlatformOverrides, tt.platforms)
			}
			if m.Server.EntryPoint != tt.entryPoint || m.Server.MCPConfig.Command != "${__dirname}/"+tt.entryPoint {
				t.Errorf("entry_point %q, command %q; want %q", m.Server.EntryPoint, m.Server.MCPConfig.Command, tt.entryPoint)
			}
		})
	}
}

func TestRenderRefuses(t *testing.T) {
	tests := []struct {
		name, version string
		platforms     []string
		wantErr       string
	}{
		{"no version", "", Platforms, `version ""`},
		{"not semantic", "v1.2", Platforms, `version "v1.2"`},
		{"no platform", "v1.2.3", nil, "no platform"},
		{"unknown platform", "v1.2.3", []string{"linux"}, `platform "linux"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.version, tt.platforms)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Render(%q, %v) = %v, want an error naming %s", tt.version, tt.platforms, err, tt.wantErr)
			}
		})
	}
}
