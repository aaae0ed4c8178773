package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	const rev = "3f2a9c1b7d4e5f60718293a4b5c6d7e8f9012345"
	// build is the BuildInfo of a binary whose main module has version
	// and whose settings are the key-value pairs kv.
	build := func(version string, kv ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Version: version}}
		for i := 0; i < len(kv); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return info
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "devel"},
		{"nothing known", build("(devel)"), "devel"},
		{"empty main version", &debug.BuildInfo{}, "devel"},
		{"module version", build("v1.2.3"), "v1.2.3"},
		{"module version wins over vcs", build("v1.2.3", "vcs.revision", rev, "vcs.modified", "true"), "v1.2.3"},
		{"clean checkout", build("(devel)", "vcs", "git", "vcs.revision", rev, "vcs.modified", "false"), "devel+3f2a9c1b7d4e"},
		{"dirty checkout", build("(devel)", "vcs.revision", rev, "vcs.modified", "true"), "devel+3f2a9c1b7d4e-dirty"},
		{"short revision kept whole", build("(devel)", "vcs.revision", "abc123"), "devel+abc123"},
		{"pseudo-version of a clean checkout", build("v0.0.0-20261206010506-3f2a9c1b7d4e", "vcs.revision", rev, "vcs.modified", "false"), "devel+3f2a9c1b7d4e"},
		{"pseudo-version of a dirty checkout", build("v0.0.0-20261206010506-3f2a9c1b7d4e+dirty", "vcs.revision", rev, "vcs.modified", "true"), "devel+3f2a9c1b7d4e-dirty"},
		{"pseudo-version after a tag", build("v1.2.4-0.20261206010506-3f2a9c1b7d4e", "vcs.revision", rev), "devel+3f2a9c1b7d4e"},
		{"pseudo-version without vcs (go install module@commit)", build("v0.0.0-20261206010506-3f2a9c1b7d4e"), "v0.0.0-20261206010506-3f2a9c1b7d4e"},
		{"tagged dirty checkout", build("v1.2.3+dirty", "vcs.revision", rev, "vcs.modified", "true"), "v1.2.3+dirty"},
		{"prerelease is not a pseudo-version", build("v1.3.0-rc.1", "vcs.revision", rev), "v1.3.0-rc.1"},
		{"modified without revision", build("(devel)", "vcs.modified", "true"), "devel"},
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
