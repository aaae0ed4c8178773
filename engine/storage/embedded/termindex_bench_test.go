package embedded

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"workspace-qdrant-mcp/internal/benchcorpus"
)

// BenchmarkTermIndexBuild adds the chunks of up to 60 MB of GOROOT's Go
// files to a keyword index, their terms analysed and numbered
// beforehand, as a full index does under the write lock; gc-ns is what
// a full collection costs with the index built and live, heap-MB the
// live heap then (the index, the numbered terms and the texts).
func BenchmarkTermIndexBuild(b *testing.B) {
	src, err := benchcorpus.GorootSrc()
	if err != nil {
		b.Skip(err)
	}
	var texts []string
	size := 0
	_ = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || size > 60<<20 || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		size += len(data)
		for s := string(data); len(s) > 0; {
			n := min(len(s), 1500)
			texts, s = append(texts, s[:n]), s[n:]
		}
		return nil
	})
	dict := newTermDict()
	analyze := termAnalyzer(nil)
	docs := make([]docTerms, len(texts))
	for i, t := range texts {
		docs[i] = analyze(t)
		dict.number(&docs[i])
	}
	b.ResetTimer()
	var ti *termIndex
	for b.Loop() {
		ti = newTermIndex(dict)
		for i, d := range docs {
			ti.add(int64(i), d)
		}
	}
	b.StopTimer()
	runtime.GC()
	t0 := time.Now()
	const gcs = 5
	for range gcs {
		runtime.GC()
	}
	b.ReportMetric(float64(time.Since(t0).Nanoseconds())/gcs, "gc-ns")
	b.ReportMetric(float64(len(docs)), "chunks")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
	runtime.KeepAlive(ti)
}
