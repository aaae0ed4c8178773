package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// parseStorage parses a storage section over the defaults, with no
// workspace root.
func parseStorage(t *testing.T, storage string) (Config, error) {
	t.Helper()
	text := fmt.Sprintf("workspace:\n  roots: []\nstorage:\n  data_dir: %s\n%s", t.TempDir(), storage)
	return Parse([]byte(text))
}

func TestQdrantGood(t *testing.T) {
	t.Setenv("WQM_TEST_QDRANT_KEY", "k3y")
	cfg, err := parseStorage(t, `  backend: qdrant
  qdrant:
    url: https://xyz.cloud.qdrant.io:6334
    api_key_env: WQM_TEST_QDRANT_KEY
    tls: true
    timeout: 3s
    collection_prefix: team-a_
`)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	q := cfg.Storage.Qdrant
	if q.URL != "https://xyz.cloud.qdrant.io:6334" || !q.TLS || q.Timeout.D() != 3*time.Second || q.CollectionPrefix != "team-a_" {
		t.Errorf("storage.qdrant = %+v", q)
	}
	if q.Key() != "k3y" {
		t.Errorf("Key() = %q, want the variable's value", q.Key())
	}
}

func TestQdrantDefaults(t *testing.T) {
	cfg, err := parseStorage(t, "  backend: qdrant\n")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	q := cfg.Storage.Qdrant
	if q.URL != "localhost:6334" || q.Timeout.D() != 10*time.Second || q.CollectionPrefix != "wqm_" || q.TLS || q.Key() != "" {
		t.Errorf("defaults = %+v", q)
	}
}

func TestQdrantBad(t *testing.T) {
	t.Setenv("WQM_TEST_EMPTY", "")
	for name, tc := range map[string]struct{ storage, want string }{
		"url scheme":     {"    url: ftp://host:6334\n", "storage.qdrant.url"},
		"url port":       {"    url: host:99999\n", "storage.qdrant.url"},
		"url empty":      {"    url: \"\"\n", "storage.qdrant.url"},
		"both keys":      {"    api_key: abc\n    api_key_env: HOME\n", "storage.qdrant.api_key: set api_key or api_key_env"},
		"key in env key": {"    api_key_env: sk-123.456\n", "storage.qdrant.api_key_env: must be the name"},
		"env unset":      {"    api_key_env: WQM_TEST_EMPTY\n", "WQM_TEST_EMPTY is not set"},
		"timeout":        {"    timeout: 0s\n", "storage.qdrant.timeout"},
		"prefix":         {"    collection_prefix: a/b\n", "storage.qdrant.collection_prefix"},
	} {
		_, err := parseStorage(t, "  backend: qdrant\n  qdrant:\n"+tc.storage)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "sk-123.456") {
			t.Errorf("%s: the error echoes what may be a key: %v", name, err)
		}
	}
	// Bad qdrant keys do not matter to the embedded backend.
	if _, err := parseStorage(t, "  backend: embedded\n  qdrant:\n    url: ftp://x\n"); err != nil {
		t.Errorf("embedded with a bad qdrant url: %v", err)
	}
}

func TestSecretNeverShown(t *testing.T) {
	cfg, err := parseStorage(t, "  backend: qdrant\n  qdrant:\n    api_key: topsecret\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Qdrant.Key() != "topsecret" {
		t.Fatalf("Key() = %q", cfg.Storage.Qdrant.Key())
	}
	j, _ := json.Marshal(cfg)
	y, _ := yaml.Marshal(cfg)
	for name, text := range map[string]string{
		"%v": fmt.Sprintf("%v", cfg), "%+v": fmt.Sprintf("%+v", cfg), "%#v": fmt.Sprintf("%#v", cfg),
		"json": string(j), "yaml": string(y),
	} {
		if strings.Contains(text, "topsecret") {
			t.Errorf("%s shows the API key", name)
		}
	}
}
