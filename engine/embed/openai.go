package embed

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// NewOpenAI returns an embedder for any OpenAI-compatible embeddings API:
// OpenAI itself, vLLM, LM Studio, llama.cpp's server,
// text-embeddings-inference, Ollama's /v1 compatibility endpoint.
//
// o.URL is the base URL, the part before /embeddings (for example
// https://api.openai.com/v1 or http://localhost:11434/v1). Each batch is a
// POST of {"model", "input": [texts]} to {URL}/embeddings; the answer's
// data[].embedding are put in order by their index.
//
// The request carries "dimensions" only for OpenAI's text-embedding-3
// models, which can shorten their vectors to any size: other models and
// servers refuse the field or ignore it, so for them embedding.dimensions
// must be the model's native size. o.MaxInputTokens defaults to 8192, the
// limit of OpenAI's embedding models.
func NewOpenAI(o Options) (*Remote, error) {
	return newRemote(openAIWire{model: o.Model, dims: o.Dimensions, sendDims: openAIShortens(o.Model)}, o)
}

// openAIShortens reports whether an OpenAI model accepts the dimensions
// parameter.
func openAIShortens(model string) bool { return strings.HasPrefix(model, "text-embedding-3") }

type openAIWire struct {
	model    string
	dims     int
	sendDims bool
}

func (openAIWire) provider() string           { return "openai" }
func (openAIWire) path() string               { return "/embeddings" }
func (openAIWire) defaultMaxInputTokens() int { return 8192 }

type openAIRequest struct {
	Model      string   `json:"model"`
	Input      []string `json:"input"`
	Dimensions int      `json:"dimensions,omitempty"`
}

func (w openAIWire) request(texts []string) any {
	req := openAIRequest{Model: w.model, Input: texts}
	if w.sendDims {
		req.Dimensions = w.dims
	}
	return req
}

type openAIResponse struct {
	Data []struct {
		Embedding []float32 `json:"embedding"`
		Index     *int      `json:"index"`
	} `json:"data"`
}

func (openAIWire) parse(body []byte, n int) ([][]float32, error) {
	var resp openAIResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("not an embeddings answer: %w", err)
	}
	if len(resp.Data) != n {
		return nil, fmt.Errorf("%d embeddings for %d texts", len(resp.Data), n)
	}
	out := make([][]float32, n)
	for i, d := range resp.Data {
		at := i // servers that omit index answer in order
		if d.Index != nil {
			at = *d.Index
		}
		if at < 0 || at >= n || out[at] != nil {
			return nil, fmt.Errorf("embedding index %d out of range or repeated", at)
		}
		if len(d.Embedding) == 0 {
			return nil, errors.New("an empty embedding (was encoding_format float?)")
		}
		out[at] = d.Embedding
	}
	return out, nil
}

// openAIError is OpenAI's error body; some compatible servers send a bare
// string or {"message"} instead.
type openAIError struct {
	Error   json.RawMessage `json:"error"`
	Message string          `json:"message"`
	Detail  json.RawMessage `json:"detail"`
}

func (openAIWire) errorMessage(body []byte) (msg, code string) {
	var e openAIError
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	var obj struct {
		Message string `json:"message"`
		Code    any    `json:"code"`
		Type    string `json:"type"`
	}
	var s string
	switch {
	case len(e.Error) > 0 && json.Unmarshal(e.Error, &obj) == nil && obj.Message != "":
		if c, ok := obj.Code.(string); ok {
			code = c
		}
		return obj.Message, code
	case len(e.Error) > 0 && json.Unmarshal(e.Error, &s) == nil && s != "":
		return s, ""
	case e.Message != "":
		return e.Message, ""
	case len(e.Detail) > 0: // FastAPI-based servers
		if json.Unmarshal(e.Detail, &s) == nil {
			return s, ""
		}
		return string(e.Detail), ""
	}
	return "", ""
}
