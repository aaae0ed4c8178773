package ingest_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/ingest"
)

// A script without an extension is read in the language of its #! line:
// its functions are declarations that symbol search finds, and its
// chunks carry that language for the search filter.
func TestScriptWithoutExtension(t *testing.T) {
	root, data := newDirs(t)
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\nset -e\n\n")
	for _, name := range []string{"resolve_version", "install_shims", "print_usage"} {
		b.WriteString(name + "() {\n")
		for i := range 12 {
			b.WriteString("  echo \"" + name + " step " + strings.Repeat("x", i) + "\"\n")
		}
		b.WriteString("}\n\n")
	}
	b.WriteString("resolve_version \"$@\"\n")
	script := writeFile(t, root, "libexec/tool-install", b.String())
	plain := writeFile(t, root, "NOTES", "resolve_version() {\n  not a script\n}\n")
	cfg := testConfig(t, root, data)
	cfg.Workspace.ChunkChars = 400

	e := startEnv(t, cfg)
	e.waitSettled()
	defines := strings.Fields(strings.Join(e.definesOf(script), " "))
	slices.Sort(defines)
	if want := []string{"install_shims", "print_usage", "resolve_version"}; !slices.Equal(defines, want) {
		t.Errorf("the script's chunks define %q, want %q", defines, want)
	}
	d, err := e.store.GetDocument(context.Background(), ingest.FileDocID(script))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Chunks {
		if c.Language != "shell" {
			t.Errorf("chunk %d of the script has language %q, want shell", c.Ordinal, c.Language)
		}
	}
	if got := strings.Join(e.definesOf(plain), ""); got != "" {
		t.Errorf("a text file without a #! line defines %q; it is no script", got)
	}
}
