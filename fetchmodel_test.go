package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/embed/static/statictest"
	"workspace-qdrant-mcp/internal/hfhub/hubtest"
)

// -fetch-model downloads the configured static model from HF_ENDPOINT
// into the hub cache, says where on stderr (never stdout), and exits;
// once cached, it works offline with no request; offline without the
// model it fails and says why.
func TestFetchModel(t *testing.T) {
	hub := hubtest.Serve(t, "org/tiny", statictest.Files([]string{"car", "automobile"}, map[string]string{"automobile": "car"}))
	cache := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("embedding:\n  provider: static\n  model: org/tiny\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HF_ENDPOINT", hub.URL())
	t.Setenv("HF_HUB_CACHE", cache)
	t.Setenv("HF_HUB_OFFLINE", "")
	fetch := func() (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run([]string{"-config", cfg, "-fetch-model"}, strings.NewReader(""), &stdout, &stderr, nil)
		return code, stdout.String(), stderr.String()
	}
	code, stdout, stderr := fetch()
	snapshot := filepath.Join(cache, "models--org--tiny", "snapshots", hubtest.Commit)
	if code != exitOK || stdout != "" || !strings.Contains(stderr, snapshot) || !strings.Contains(stderr, "8 dimensions") {
		t.Fatalf("-fetch-model = %d, stdout %q, stderr %q; want 0, nothing on stdout, the snapshot %s", code, stdout, stderr, snapshot)
	}
	for _, f := range []string{"config.json", "tokenizer.json", "model.safetensors"} {
		if _, err := os.Stat(filepath.Join(snapshot, f)); err != nil {
			t.Errorf("%s not in the snapshot: %v", f, err)
		}
	}

	t.Setenv("HF_HUB_OFFLINE", "1")
	before := hub.Requests.Load()
	if code, _, stderr := fetch(); code != exitOK || hub.Requests.Load() != before {
		t.Errorf("offline with the model cached: %d, %d requests, %q", code, hub.Requests.Load()-before, stderr)
	}
	t.Setenv("HF_HUB_CACHE", t.TempDir())
	if code, _, stderr := fetch(); code == exitOK || !strings.Contains(stderr, "HF_HUB_OFFLINE") {
		t.Errorf("offline without the model: %d, %q; want a failure naming HF_HUB_OFFLINE", code, stderr)
	}
}
