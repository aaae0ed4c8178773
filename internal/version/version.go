// Package version says which build of workspace-qdrant-mcp is running, so
// that the -version flag, the MCP serverInfo and engine_status report the
// same thing and a bug report names the exact build.
//
// A release stamps the version at link time:
//
//	go build -ldflags "-X workspace-qdrant-mcp/internal/version.stamp=v1.2.3" .
//
// Without a stamp the version comes from the build information the Go
// toolchain embeds: the main module's version when it has one (go install
// module@v1.2.3), else "devel" with the VCS revision and whether the
// checkout had uncommitted changes, e.g. "devel+3f2a9c1b7d4e-dirty"; plain
// "devel" when nothing is known (go test, -buildvcs=false).
//
// This is the program's version only: protocol and schema versions (the
// peer protocol, the ledger schema) are separate and change on their own.
package version

import (
	"runtime/debug"
	"sync"
)

// stamp is set at link time with -ldflags -X; it wins over build info.
var stamp string

// Devel is the version of a build that knows nothing about itself.
const Devel = "devel"

// revisionLen is how many hex digits of the VCS revision are kept.
const revisionLen = 12

var computed = sync.OnceValue(func() string {
	info, _ := debug.ReadBuildInfo()
	return resolve(stamp, info)
})

// String returns the running program's version.
func String() string { return computed() }

// resolve is String's rule: the stamp, else what info says, else Devel.
func resolve(stamp string, info *debug.BuildInfo) string {
	if stamp != "" {
		return stamp
	}
	return FromBuildInfo(info)
}

// FromBuildInfo derives a version from Go build information: the main
// module's version unless it is "(devel)" or empty, else Devel followed
// by "+revision" (12 digits) and "-dirty" for a modified checkout.
func FromBuildInfo(info *debug.BuildInfo) string {
	if info == nil {
		return Devel
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if revision == "" {
		return Devel
	}
	v := Devel + "+" + revision[:min(len(revision), revisionLen)]
	if dirty {
		v += "-dirty"
	}
	return v
}
