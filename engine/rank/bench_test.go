package rank

import (
	"fmt"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
)

// benchHits are 200 candidates as a hybrid search's two legs return
// them: chunks of 1.5 kB of Go from 40 files, with their defines lists
// as the chunker writes them.
func benchHits() []storage.Hit {
	var body strings.Builder
	for i := range 30 {
		fmt.Fprintf(&body, "\tresult%d := handleRequest(ctx, req, timeout) // serve the request\n", i)
	}
	hits := make([]storage.Hit, 200)
	for i := range hits {
		c := storage.Chunk{
			ID: fmt.Sprint("c", i), DocID: fmt.Sprint("d", i%40), Kind: storage.KindFile,
			Path: fmt.Sprintf("/ws/pkg%d/server/handler%d.go", i%7, i%40), StartLine: i*40 + 1, EndLine: i*40 + 40,
			Text: fmt.Sprintf("// Serve%d handles one connection.\nfunc (s *Server) Serve%d(ctx context.Context) error {\n%s}\n", i, i, body.String()),
		}
		c.Metadata = map[string]string{MetaDefines: fmt.Sprintf("Server.Serve%d", i)}
		hits[i] = storage.Hit{Chunk: c, KeywordRank: i/2 + 1, SemanticRank: 200 - i}
	}
	return hits
}

// BenchmarkRank is the ranking's share of a search's time, per query
// kind: go test -bench Rank ./engine/rank
func BenchmarkRank(b *testing.B) {
	hits := benchHits()
	o := Options{Mode: storage.ModeHybrid, Roots: []string{"/ws"}, Rules: AllRules, Tuning: DefaultTuning}
	for _, text := range []string{"ServeHTTP", "Server.Serve17", "how does the server handle a request timeout"} {
		q := ParseQuery(text)
		b.Run(q.Kind+"/"+text, func(b *testing.B) {
			for b.Loop() {
				Rank(hits, q, o)
			}
		})
	}
	b.Run("question without logic", func(b *testing.B) {
		q := ParseQuery("how does the server handle a request timeout")
		noLogic := o
		noLogic.Rules.Logic = false
		for b.Loop() {
			Rank(hits, q, noLogic)
		}
	})
	b.Run("plain fusion", func(b *testing.B) {
		q := ParseQuery("how does the server handle a request timeout")
		plain := o
		plain.Rules = Rules{}
		for b.Loop() {
			Rank(hits, q, plain)
		}
	})
}

// BenchmarkLogicCount is the logic rule's cost for one chunk met for the
// first time (later queries find its count in a cache): one of
// benchHits' chunks, 2.3 kB of Go.
func BenchmarkLogicCount(b *testing.B) {
	text := benchHits()[0].Chunk.Text
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		chunk.ScanFacts(text)
	}
}
