package embed

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"workspace-qdrant-mcp/engine/analysis"
)

// BenchmarkBuiltinCodeWords embeds the analysed chunks of a Go source
// file with and without the code words, so their cost shows.
func BenchmarkBuiltinCodeWords(b *testing.B) {
	src, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "net", "http", "server.go"))
	if err != nil {
		b.Skip(err)
	}
	var terms [][]string
	for len(src) > 0 {
		n := min(1500, len(src))
		terms = append(terms, analysis.Terms(string(src[:n])))
		src = src[n:]
	}
	for _, bb := range []struct {
		name string
		e    *Builtin
	}{{"hashing", NewBuiltin(0)}, {"codewords", NewBuiltin(0, WithCodeWords())}} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := bb.e.EmbedTerms(context.Background(), terms); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(terms)), "ns/chunk")
		})
	}
}
