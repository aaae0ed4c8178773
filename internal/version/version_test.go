package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	const rev = "3f2a9c1b7d4e5f60718293a4b5c6d7e8f9012345"
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "devel"},
		{"nothing known", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{"empty main version", &debug.BuildInfo{}, "devel"},
		{"module version", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"module version wins over vcs", &debug.BuildInfo{
			Main:     debug.Module{Version: "v1.2.3"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "true"),
		}, "v1.2.3"},
		{"clean checkout", &debug.BuildInfo{
			Main:     debug.Module{Version: "(devel)"},
			Settings: settings("vcs", "git", "vcs.revision", rev, "vcs.modified", "false"),
		}, "devel+3f2a9c1b7d4e"},
		{"dirty checkout", &debug.BuildInfo{
			Main:     debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "true"),
		}, "devel+3f2a9c1b7d4e-dirty"},
		{"short revision kept whole", &debug.BuildInfo{
			Main:     debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "abc123"),
		}, "devel+abc123"},
		{"pseudo-version of a clean checkout", &debug.BuildInfo{
			Main:     debug.Module{Version: "v0.0.0-20261206010506-3f2a9c1b7d4e"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "false"),
		}, "devel+3f2a9c1b7d4e"},
		{"pseudo-version of a dirty checkout", &debug.BuildInfo{
			Main:     debug.Module{Version: "v0.0.0-20261206010506-3f2a9c1b7d4e+dirty"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "true"),
		}, "devel+3f2a9c1b7d4e-dirty"},
		{"pseudo-version after a tag", &debug.BuildInfo{
			Main:     debug.Module{Version: "v1.2.4-0.20261206010506-3f2a9c1b7d4e"},
			Settings: settings("vcs.revision", rev),
		}, "devel+3f2a9c1b7d4e"},
		{"pseudo-version without vcs (go install module@commit)", &debug.BuildInfo{
			Main: debug.Module{Version: "v0.0.0-20261206010506-3f2a9c1b7d4e"},
		}, "v0.0.0-20261206010506-3f2a9c1b7d4e"},
		{"tagged dirty checkout", &debug.BuildInfo{
			Main:     debug.Module{Version: "v1.2.3+dirty"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "true"),
		}, "v1.2.3+dirty"},
		{"prerelease is not a pseudo-version", &debug.BuildInfo{
			Main:     debug.Module{Version: "v1.3.0-rc.1"},
			Settings: settings("vcs.revision", rev),
		}, "v1.3.0-rc.1"},
		{"modified without revision", &debug.BuildInfo{
			Main:     debug.Module{Version: "(devel)"},
			Settings: settings("vcs.modified", "true"),
		}, "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromBuildInfo(tt.info); got != tt.want {
				t.Errorf("FromBuildInfo = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStampWins(t *testing.T) {
	info := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}
	if got := resolve("v9.9.9", info); got != "v9.9.9" {
		t.Errorf("resolve with a stamp = %q, want the stamp", got)
	}
	if got := resolve("", info); got != "v1.2.3" {
		t.Errorf("resolve without a stamp = %q, want the module version", got)
	}
}

// In go test the binary has no stamp and no VCS information.
func TestStringUnderTest(t *testing.T) {
	if got := String(); got != Devel {
		t.Errorf("String() = %q under go test, want %q", got, Devel)
	}
}

func TestIsRelease(t *testing.T) {
	for v, want := range map[string]bool{
		"v1.2.3": true, "v0.1.0": true, "v1.3.0-rc.1": true, "v1.2.3+build.5": true, "v10.20.30": true,
		"": false, "1.2.3": false, "v1.2": false, "v1": false, "v01.2.3": false, "v1.2.3-": false,
		"devel": false, "v1.2.3 ": false, "v1.2.3/../x": false,
	} {
		if got := IsRelease(v); got != want {
			t.Errorf("IsRelease(%q) = %v, want %v", v, got, want)
		}
	}
}
