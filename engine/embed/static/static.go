// Package static runs static embedding models in the Model2Vec format:
// a table of token vectors distilled from a transformer, so that
// embedding a text is tokenizing it, looking its tokens up, averaging
// and normalising. It is pure Go and needs no network once the model's
// files are on disk (see internal/hfhub for getting them).
//
//	m, err := static.Load(dir, "minishlab/potion-code-16M@<commit>")
//	vecs, err := m.Embed(ctx, texts)
//
// A model directory holds config.json, tokenizer.json and
// model.safetensors, or the sentence-transformers layout with the model
// under 0_StaticEmbedding/ (tensor embedding.weight). The embedding table
// is kept in memory as float16, or as int8 when the file stores int8: at
// most two bytes per value.
//
// Concurrency: Embed may be called from many goroutines at once.
package static

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"workspace-qdrant-mcp/engine/embed"
	"workspace-qdrant-mcp/internal/half"
)

// Encoding bounds, as Model2Vec sets them.
const (
	maxTokens = 512
	// a text is cut to maxTokens × the median token length, in
	// characters, before tokenizing: no more could be kept.
)

// Model is a loaded static embedding model; it implements
// embed.Embedder.
type Model struct {
	name      string
	dims      int
	rows      int
	half      []uint16  // rows × dims float16, or nil
	quant     []int8    // rows × dims int8, or nil
	weights   []float32 // per token id, or nil
	mapping   []int     // token id → row, or nil
	normalize bool
	tok       *tokenizer
	ids       int       // 1 + the largest token id
	scratch   sync.Pool // *counter
}

// counter counts a text's tokens by id: counts is zero between uses.
type counter struct {
	counts   []int32
	distinct []int
	ids      []int
}

// Load reads the model in dir. name identifies it in Info (a hub id and
// the commit it resolved to, so that a new commit re-embeds the index).
func Load(dir, name string) (*Model, error) {
	layout := dir
	if _, err := os.Stat(filepath.Join(dir, "model.safetensors")); errors.Is(err, os.ErrNotExist) {
		layout = filepath.Join(dir, "0_StaticEmbedding")
	}
	m := &Model{name: name, normalize: true}
	if err := m.readConfig(dir, layout); err != nil {
		return nil, err
	}
	tok, err := readTokenizer(filepath.Join(layout, "tokenizer.json"))
	if err != nil {
		return nil, fmt.Errorf("load tokenizer: %w", err)
	}
	m.tok = tok
	for _, id := range tok.vocab {
		m.ids = max(m.ids, id+1)
	}
	for _, a := range tok.added {
		m.ids = max(m.ids, a.id+1)
	}
	tensors, err := readSafetensors(filepath.Join(layout, "model.safetensors"))
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if err := m.setTables(tensors, len(tok.vocab)); err != nil {
		return nil, fmt.Errorf("load model %s: %w", layout, err)
	}
	return m, nil
}

// readConfig reads normalize from config.json (Model2Vec) when there is
// one. A missing key means true: Model2Vec normalises unless told not to.
func (m *Model) readConfig(dirs ...string) error {
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(d, "config.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		var c struct {
			Normalize *bool `json:"normalize"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("%s: %w: %v", filepath.Join(d, "config.json"), ErrCorrupt, err)
		}
		if c.Normalize != nil {
			m.normalize = *c.Normalize
		}
		return nil
	}
	return nil
}

// setTables takes the embedding table and the optional per-token weights
// and token → row mapping from the model's tensors.
func (m *Model) setTables(ts map[string]tensor, vocab int) error {
	emb, ok := ts["embeddings"]
	if !ok {
		emb, ok = ts["embedding.weight"]
	}
	if !ok {
		return fmt.Errorf("%w: no tensor embeddings (or embedding.weight)", ErrCorrupt)
	}
	if len(emb.shape) != 2 || emb.shape[0] == 0 || emb.shape[1] == 0 {
		return fmt.Errorf("%w: embeddings have shape %v, want [rows, dims]", ErrCorrupt, emb.shape)
	}
	m.rows, m.dims = emb.shape[0], emb.shape[1]
	switch emb.dtype {
	case "I8":
		m.quant = make([]int8, len(emb.data))
		for i, b := range emb.data {
			m.quant[i] = int8(b)
		}
	case "F32", "F16", "BF16":
		m.half = make([]uint16, m.rows*m.dims)
		for i := range m.half {
			m.half[i] = half.FromFloat32(emb.float(i))
		}
	default:
		return fmt.Errorf("%w: embeddings of dtype %s", ErrUnsupported, emb.dtype)
	}
	if w, ok := ts["weights"]; ok {
		m.weights = w.floats()
	}
	if mp, ok := ts["mapping"]; ok {
		ids, ok := mp.ints()
		if !ok {
			return fmt.Errorf("%w: mapping of dtype %s, want I32 or I64", ErrCorrupt, mp.dtype)
		}
		for _, r := range ids {
			if r < 0 || r >= m.rows {
				return fmt.Errorf("%w: mapping points at row %d of %d", ErrCorrupt, r, m.rows)
			}
		}
		m.mapping = ids
	} else if m.rows < vocab {
		return fmt.Errorf("%w: %d rows for a vocabulary of %d tokens and no mapping", ErrCorrupt, m.rows, vocab)
	}
	return nil
}

// Info describes the model.
func (m *Model) Info() embed.Info {
	return embed.Info{Provider: "static", Model: m.name, Dimensions: m.dims}
}

// parallelMin is the least number of texts Embed shares among cores.
const parallelMin = 16

// Embed returns one vector per text. A text with no known token gets a
// zero vector, which matches nothing: its cosine with any query is 0.
// A large batch is shared among GOMAXPROCS goroutines, all ended when
// Embed returns.
func (m *Model) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	workers := min(runtime.GOMAXPROCS(0), len(texts)/parallelMin)
	if workers <= 1 {
		for i, t := range texts {
			if i%64 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			out[i] = m.encode(t)
		}
		return out, nil
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(texts) || ctx.Err() != nil {
					return
				}
				out[i] = m.encode(texts[i])
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Empty reports whether text has no known token, so its vector is zero.
func (m *Model) Empty(text string) bool { return len(m.tokens(text)) == 0 }

func (m *Model) tokens(text string) []int { return m.appendTokens(nil, text) }

// appendTokens appends text's token ids to ids, which must be empty.
func (m *Model) appendTokens(ids []int, text string) []int {
	if limit := maxTokens * m.tok.medianLen; len(text) > limit {
		text = cutRunes(text, limit)
	}
	return m.tok.appendTokens(ids, text, maxTokens)
}

// cutRunes returns text's first n characters.
func cutRunes(text string, n int) string {
	for i := range text {
		if n == 0 {
			return text[:i]
		}
		n--
	}
	return text
}

func (m *Model) encode(text string) []float32 {
	v := make([]float32, m.dims)
	// Each distinct token's row is added once, times its count, in the
	// order of the ids: code repeats its tokens.
	c, _ := m.scratch.Get().(*counter)
	if c == nil {
		c = &counter{counts: make([]int32, m.ids)}
	}
	defer m.scratch.Put(c)
	c.distinct = c.distinct[:0]
	c.ids = m.appendTokens(c.ids[:0], text)
	for _, id := range c.ids {
		if id < 0 || id >= len(c.counts) {
			continue // no such token: the tokenizer gives none
		}
		if c.counts[id] == 0 {
			c.distinct = append(c.distinct, id)
		}
		c.counts[id]++
	}
	slices.Sort(c.distinct)
	n := 0
	for _, id := range c.distinct {
		count := int(c.counts[id])
		c.counts[id] = 0
		row := id
		if m.mapping != nil {
			if id >= len(m.mapping) {
				continue
			}
			row = m.mapping[id]
		}
		if row < 0 || row >= m.rows {
			continue
		}
		w := float32(count)
		if m.weights != nil && id < len(m.weights) {
			w *= m.weights[id]
		}
		base := row * m.dims
		if m.half != nil {
			half.AddScaled(v, m.half[base:base+m.dims], w)
		} else {
			addQuant(v, m.quant[base:base+m.dims], w)
		}
		n += count
	}
	if n == 0 {
		return v
	}
	for j := range v {
		v[j] /= float32(n)
	}
	if m.normalize {
		var sum float64
		for _, x := range v {
			sum += float64(x) * float64(x)
		}
		if sum > 0 {
			s := float32(1 / math.Sqrt(sum))
			for j := range v {
				v[j] *= s
			}
		}
	}
	return v
}

// addQuant adds w × row (int8) to v, which is as long.
func addQuant(v []float32, row []int8, w float32) {
	v = v[:len(row)]
	for j, q := range row {
		v[j] += w * float32(q)
	}
}
