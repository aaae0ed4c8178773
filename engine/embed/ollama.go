package embed

import (
	"encoding/json"
	"errors"
	"fmt"
)

// NewOllama returns an embedder for Ollama's native API.
//
// o.URL is the server root (for example http://localhost:11434). Each
// batch is a POST of {"model", "input": [texts], "truncate": true} to
// {URL}/api/embed, answered by {"embeddings": [[...], ...]} in order.
// "truncate" is Ollama's default, stated so that a text longer than the
// model's context is cut by the server too, never refused; the embedder
// already cuts texts longer than o.MaxInputTokens (default 2048, the
// context of nomic-embed-text). Ollama has no API key, but one is sent
// when set, for a proxy in front of it.
func NewOllama(o Options) (*Remote, error) {
	return newRemote(ollamaWire{model: o.Model}, o)
}

type ollamaWire struct{ model string }

func (ollamaWire) provider() string           { return "ollama" }
func (ollamaWire) path() string               { return "/api/embed" }
func (ollamaWire) defaultMaxInputTokens() int { return 2048 }

type ollamaRequest struct {
	Model    string   `json:"model"`
	Input    []string `json:"input"`
	Truncate bool     `json:"truncate"`
}

func (w ollamaWire) request(texts []string) any {
	return ollamaRequest{Model: w.model, Input: texts, Truncate: true}
}

func (ollamaWire) parse(body []byte, n int) ([][]float32, error) {
	var resp struct {
		Embeddings [][]float32 `json:"embeddings"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("not an embeddings answer: %w", err)
	}
	if len(resp.Embeddings) != n {
		return nil, fmt.Errorf("%d embeddings for %d texts (is this Ollama 0.3.4 or later, with /api/embed?)", len(resp.Embeddings), n)
	}
	for _, e := range resp.Embeddings {
		if len(e) == 0 {
			return nil, errors.New("an empty embedding")
		}
	}
	return resp.Embeddings, nil
}

func (ollamaWire) errorMessage(body []byte) (msg, code string) {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	return e.Error, ""
}
