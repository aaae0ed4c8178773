package hfhub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"workspace-qdrant-mcp/internal/hfhub/hubtest"
)

const commit = hubtest.Commit

func newFakeHub(t *testing.T, files map[string]string) *hubtest.Hub {
	bs := map[string][]byte{}
	for k, v := range files {
		bs[k] = []byte(v)
	}
	return hubtest.Serve(t, "org/model", bs)
}

func testHub(t *testing.T, f *hubtest.Hub) Hub {
	return Hub{Endpoint: f.URL(), Cache: t.TempDir(), Client: f.Server.Client()}
}

func TestFetchLayoutAndReuse(t *testing.T) {
	f := newFakeHub(t, map[string]string{"tokenizer.json": "{}", "sub/model.safetensors": "weights"})
	h := testHub(t, f)
	ctx := context.Background()
	for _, file := range []string{"tokenizer.json", "sub/model.safetensors"} {
		path, got, err := h.Fetch(ctx, "org/model", "main", file)
		if err != nil {
			t.Fatal(err)
		}
		if got != commit || path != filepath.Join(h.Cache, "models--org--model", "snapshots", commit, filepath.FromSlash(file)) {
			t.Errorf("%s: path %s, commit %s", file, path, got)
		}
		data, err := os.ReadFile(path)
		if err != nil || (file == "tokenizer.json") != (string(data) == "{}") {
			t.Errorf("%s holds %q, %v", file, data, err)
		}
		if fi, err := os.Lstat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode()&os.ModeSymlink == 0) {
			t.Errorf("%s is not a link into blobs: %v", path, fi.Mode())
		}
	}
	ref, _ := os.ReadFile(filepath.Join(h.Cache, "models--org--model", "refs", "main"))
	if string(ref) != commit {
		t.Errorf("refs/main = %q", ref)
	}
	sum := sha256.Sum256([]byte("weights"))
	if _, err := os.Stat(filepath.Join(h.Cache, "models--org--model", "blobs", hex.EncodeToString(sum[:]))); err != nil {
		t.Errorf("the large file's blob is not named by its sha256: %v", err)
	}

	before := f.Requests.Load()
	for _, file := range []string{"tokenizer.json", "sub/model.safetensors"} {
		if _, _, err := h.Fetch(ctx, "org/model", "main", file); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.Requests.Load() - before; n != 0 {
		t.Errorf("fetching cached files made %d requests, want none", n)
	}
	h.Offline = true
	if _, _, err := h.Fetch(ctx, "org/model", "main", "tokenizer.json"); err != nil {
		t.Errorf("offline with the file cached: %v", err)
	}
	if _, _, err := h.Fetch(ctx, "org/model", "main", "other.json"); !errors.Is(err, ErrOffline) {
		t.Errorf("offline without the file: %v, want ErrOffline", err)
	}
}

func TestFetchRefuses(t *testing.T) {
	f := newFakeHub(t, map[string]string{"model.safetensors": "weights"})
	f.Lie.Store(true)
	h := testHub(t, f)
	ctx := context.Background()
	_, _, err := h.Fetch(ctx, "org/model", "main", "model.safetensors")
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("a wrong checksum: %v, want ErrChecksum", err)
	}
	blobs, _ := os.ReadDir(filepath.Join(h.Cache, "models--org--model", "blobs"))
	for _, b := range blobs {
		if !strings.HasSuffix(b.Name(), ".lock") {
			t.Errorf("a refused download left %s", b.Name())
		}
	}
	if _, _, err := h.Fetch(ctx, "org/model", "main", "missing.json"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing file: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"../x", "/etc/passwd"} {
		if _, _, err := h.Fetch(ctx, "org/model", "main", bad); err == nil {
			t.Errorf("file %q was accepted", bad)
		}
	}
	if _, _, err := h.Fetch(ctx, "justaname", "main", "x"); err == nil || !strings.Contains(err.Error(), "owner/name") {
		t.Errorf("a repository id without owner: %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv("HF_ENDPOINT", "http://127.0.0.1:9/")
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_HOME", "/tmp/hfhome")
	t.Setenv("HF_HUB_OFFLINE", "1")
	t.Setenv("HF_TOKEN", "hf_x")
	h := FromEnv()
	if h.Endpoint != "http://127.0.0.1:9" || h.Cache != filepath.Join("/tmp/hfhome", "hub") || !h.Offline || h.Token != "hf_x" {
		t.Errorf("FromEnv = %+v", h)
	}
	t.Setenv("HF_HUB_CACHE", "/tmp/cache")
	if h := FromEnv(); h.Cache != "/tmp/cache" {
		t.Errorf("HF_HUB_CACHE ignored: %s", h.Cache)
	}
}

// A test binary never reaches the real hub, nor reads the developer's
// cache, whatever the configuration asks: without HF_ENDPOINT the Hub is
// offline, without HF_HUB_CACHE or HF_HOME it has no cache.
func TestFromEnvUnderTest(t *testing.T) {
	t.Setenv("HF_ENDPOINT", "")
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_HOME", "")
	h := FromEnv()
	if h.Endpoint != DefaultEndpoint || !h.Offline || h.Cache != "" {
		t.Fatalf("FromEnv in a test binary = %+v, want offline and no cache", h)
	}
	if _, _, ok := h.Cached("org/model", "main", "config.json"); ok {
		t.Error("a Hub without a cache found a cached file")
	}
	if _, _, err := h.Fetch(t.Context(), "org/model", "main", "config.json"); !errors.Is(err, ErrNoCache) {
		t.Errorf("Fetch without a cache: %v, want ErrNoCache", err)
	}
	t.Setenv("HF_ENDPOINT", "http://127.0.0.1:9")
	if h := FromEnv(); h.Offline {
		t.Error("a loopback HF_ENDPOINT is offline in a test binary")
	}
}
