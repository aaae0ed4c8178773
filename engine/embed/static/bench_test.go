package static

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode"

	"workspace-qdrant-mcp/engine/embed/static/statictest"
	"workspace-qdrant-mcp/internal/half"
)

// BenchmarkEmbed embeds 1.5 kB chunks of Go source (net/http/server.go)
// with a model of potion-code's shape: every word of the file in the
// vocabulary with the letters as word pieces, 256 dimensions. Report
// chunks/s: go test -run '^$' -bench Embed ./engine/embed/static
func BenchmarkEmbed(b *testing.B) {
	src, words := goSource(b)
	for c := 'a'; c <= 'z'; c++ {
		words = append(words, "##"+string(c))
	}
	dir := b.TempDir()
	files := statictest.Files(words, nil)
	// statictest writes 8 dimensions; widen the table to 256 by writing
	// a model of its shape here.
	rows := len(words) + 2
	emb := make([]float32, rows*256)
	for i := range emb {
		emb[i] = float32(i%97) / 97
	}
	files["model.safetensors"] = statictest.Safetensors(map[string]statictest.Tensor{"embeddings": statictest.F32([]int{rows, 256}, emb)})
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	m, err := Load(dir, "bench")
	if err != nil {
		b.Fatal(err)
	}
	var chunks []string
	for text := string(src); len(text) > 1500; text = text[1500:] {
		chunks = append(chunks, text[:1500])
	}
	// kernel: as the CPU allows (F16C rows on amd64); go: the Go loop.
	for _, k := range []struct {
		name string
		on   bool
	}{{"kernel", true}, {"go", false}} {
		b.Run(k.name, func(b *testing.B) {
			defer half.SetAccelerated(k.on)()
			n := 0
			for b.Loop() {
				if _, err := m.Embed(context.Background(), chunks); err != nil {
					b.Fatal(err)
				}
				n += len(chunks)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "chunks/s")
		})
	}
}

// goSource returns GOROOT's net/http/server.go and its distinct words,
// lowercased, in order; it skips the test without GOROOT's source.
func goSource(tb testing.TB) (src []byte, words []string) {
	src, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "net", "http", "server.go"))
	if err != nil {
		tb.Skip("no GOROOT source:", err)
	}
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(string(src)), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return src, words
}
