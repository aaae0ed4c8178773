package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// parseEmbedding parses a configuration made of an embedding section
// (indented YAML lines) and an empty workspace.
func parseEmbedding(t *testing.T, section string) (Config, error) {
	t.Helper()
	doc := fmt.Sprintf("workspace:\n  roots: []\nstorage:\n  data_dir: %q\nembedding:\n%s", t.TempDir(), section)
	return Parse([]byte(doc))
}

func TestEmbeddingDefaults(t *testing.T) {
	cfg, err := parseEmbedding(t, "  provider: builtin\n")
	if err != nil {
		t.Fatal(err)
	}
	e := cfg.Embedding
	if e.Provider != "builtin" || e.Dimensions != 384 || e.BatchSize != 64 || e.Timeout.D() != 30*time.Second || e.Concurrency != 2 || e.Remote() {
		t.Errorf("embedding defaults = %+v", e)
	}
}

func TestEmbeddingRemote(t *testing.T) {
	t.Setenv("WQM_TEST_EMBED_KEY", "sk-test-secret")
	for _, tt := range []struct {
		provider   string
		wantTokens int
	}{{"openai", 8192}, {"ollama", 2048}} {
		t.Run(tt.provider, func(t *testing.T) {
			cfg, err := parseEmbedding(t, fmt.Sprintf(`  provider: %s
  url: http://localhost:11434/v1
  model: some-model
  dimensions: 768
  api_key_env: WQM_TEST_EMBED_KEY
  batch_size: 16
  timeout: 5s
  concurrency: 4
`, tt.provider))
			if err != nil {
				t.Fatal(err)
			}
			e := cfg.Embedding
			if !e.Remote() || e.MaxInputTokens != tt.wantTokens || e.BatchSize != 16 || e.Timeout.D() != 5*time.Second || e.Concurrency != 4 || e.Dimensions != 768 {
				t.Errorf("embedding = %+v, want max_input_tokens %d by default", e, tt.wantTokens)
			}
			// Validating again keeps the filled-in default.
			if err := cfg.Validate(); err != nil || cfg.Embedding.MaxInputTokens != tt.wantTokens {
				t.Errorf("second Validate: %v, max_input_tokens %d", err, cfg.Embedding.MaxInputTokens)
			}
		})
	}
	cfg, err := parseEmbedding(t, "  provider: ollama\n  url: http://localhost:11434\n  model: nomic-embed-text\n  max_input_tokens: 512\n")
	if err != nil || cfg.Embedding.MaxInputTokens != 512 || cfg.Embedding.APIKeyEnv != "" {
		t.Errorf("explicit max_input_tokens: %v %+v", err, cfg.Embedding)
	}
}

// auto is the default provider: the default static model at main, with a
// bounded download.
func TestEmbeddingAutoDefault(t *testing.T) {
	cfg, err := parseEmbedding(t, "  dimensions: 384\n")
	if err != nil {
		t.Fatal(err)
	}
	e := cfg.Embedding
	if e.Provider != "auto" || e.Model != DefaultStaticModel || e.Revision != "main" || e.DownloadTimeout.D() != 20*time.Second || e.Remote() {
		t.Errorf("default embedding = %+v, want auto, %s at main, download_timeout 20s", e, DefaultStaticModel)
	}
	cfg, err = parseEmbedding(t, "  provider: auto\n  model_path: /models/m\n  download_timeout: 3s\n")
	if err != nil || cfg.Embedding.ModelPath != "/models/m" || cfg.Embedding.DownloadTimeout.D() != 3*time.Second {
		t.Errorf("auto with model_path: %v, %+v", err, cfg.Embedding)
	}
}

// The builtin provider ignores the remote-only keys, so that switching
// back to it is a one-line change.
func TestEmbeddingBuiltinIgnoresRemoteKeys(t *testing.T) {
	if _, err := parseEmbedding(t, "  provider: builtin\n  url: not a url\n  api_key_env: WQM_SURELY_UNSET_VARIABLE\n  batch_size: 0\n"); err != nil {
		t.Errorf("builtin with remote keys: %v", err)
	}
}

func TestEmbeddingBad(t *testing.T) {
	t.Setenv("WQM_TEST_EMPTY_KEY", "")
	tests := []struct {
		name, section string
		want          []string
		notWant       string
	}{
		{"unknown provider", "  provider: cohere\n", []string{`embedding.provider: unknown provider "cohere" (want auto, builtin, static, openai or ollama)`}, ""},
		{"missing url and model", "  provider: openai\n", []string{
			"embedding.url: must be set for provider openai (e.g. https://api.openai.com/v1)",
			"embedding.model: must be set for provider openai",
		}, ""},
		{"bad url", "  provider: ollama\n  url: localhost:11434\n  model: m\n", []string{`embedding.url: "localhost:11434" is not an http:// or https:// URL`}, ""},
		{"empty key variable", "  provider: openai\n  url: https://api.openai.com/v1\n  model: m\n  api_key_env: WQM_TEST_EMPTY_KEY\n",
			[]string{"embedding.api_key_env: environment variable WQM_TEST_EMPTY_KEY is not set or empty"}, ""},
		{"key pasted as the variable name", "  provider: openai\n  url: https://api.openai.com/v1\n  model: m\n  api_key_env: sk-proj-abc123\n",
			[]string{"embedding.api_key_env: must be the name of an environment variable"}, "sk-proj-abc123"},
		{"auto download timeout", "  provider: auto\n  download_timeout: 0s\n", []string{"embedding.download_timeout: must be a positive duration"}, ""},
		{"auto model not a hub id", "  provider: auto\n  model: potion\n", []string{`embedding.model: must be a hub repository id, owner/name`}, ""},
		{"ranges", "  provider: openai\n  url: http://x\n  model: m\n  batch_size: 0\n  max_input_tokens: 5\n  timeout: 0s\n  concurrency: 0\n  dimensions: 4\n", []string{
			"embedding.batch_size: must be between 1 and 2048, got 0",
			"embedding.max_input_tokens: must be at least 16",
			"embedding.timeout: must be a positive duration",
			"embedding.concurrency: must be between 1 and 64, got 0",
			"embedding.dimensions: must be between 8 and 8192, got 4",
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseEmbedding(t, tt.section)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error %q repeats %q", err, tt.notWant)
			}
		})
	}
}
