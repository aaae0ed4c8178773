// Package version says which build of workspace-qdrant-mcp is running, so
// that the -version flag, the MCP serverInfo and engine_status report the
// same thing and a bug report names the exact build.
//
// A release stamps the version at link time:
//
//	go build -ldflags "-X workspace-qdrant-mcp/internal/version.stamp=v1.2.3" .
//
// Without a stamp the version comes from the build information the Go
// toolchain embeds: the main module's version when it is a release (go
// install module@v1.2.3, or go build on a tagged commit), else "devel"
// with the VCS revision and whether the checkout had uncommitted changes,
// e.g. "devel+3f2a9c1b7d4e-dirty"; plain "devel" when nothing is known
// (go test, -buildvcs=false). The pseudo-version that go build gives an
// untagged commit (v0.0.0-20260102150405-3f2a9c1b7d4e) says the same as
// devel+revision less plainly, so the latter replaces it.
//
// This is the program's version only: protocol and schema versions (the
// peer protocol, the ledger schema) are separate and change on their own.
package version

import (
	"regexp"
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

// pseudoVersion matches the versions Go makes up for an untagged commit,
// as golang.org/x/mod/module.IsPseudoVersion does, with the "+dirty" that
// go build adds for a modified checkout.
var pseudoVersion = regexp.MustCompile(`^v[0-9]+\.(0\.0-|[0-9]+\.[0-9]+-([^+]*\.)?0\.)[0-9]{14}-[A-Za-z0-9]+(\+dirty)?$`)

// release is a release version: "v" and a semantic version (semver.org).
var release = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// IsRelease reports whether v is a release version, such as v1.2.3 or
// v1.3.0-rc.1: "v" followed by a semantic version.
func IsRelease(v string) bool { return release.MatchString(v) }

// FromBuildInfo derives a version from Go build information: the main
// module's version unless it is "(devel)", empty, or a pseudo-version of
// a build that knows its VCS revision; else Devel followed by
// "+revision" (12 digits) and "-dirty" for a modified checkout.
func FromBuildInfo(info *debug.BuildInfo) string {
	if info == nil {
		return Devel
	}
	v := info.Main.Version
	known := v != "" && v != "(devel)"
	if known && !pseudoVersion.MatchString(v) {
		return v
	}
	if vcs := fromVCS(info.Settings); vcs != Devel || !known {
		return vcs
	}
	return v // a pseudo-version with no revision beside it: go install module@commit
}

// fromVCS is Devel+revision[-dirty] from the vcs.* build settings, or
// Devel when they name no revision.
func fromVCS(settings []debug.BuildSetting) string {
	var revision string
	var dirty bool
	for _, s := range settings {
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
