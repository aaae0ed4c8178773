package main

import (
	"context"
	"encoding/json"
	"os"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/rank"
)

// dumpLimit is how many chunks -dump keeps per question.
const dumpLimit = 100

// Dumped is one question's candidates as -dump writes them: every chunk
// the search ranks, with no cap per file and no later-chunk decay, with
// its legs, score and rules, for studying the ranking offline.
type Dumped struct {
	ID, Kind, Query, Repo string
	QueryTerms            []string
	Labels                []Label
	Hits                  []DumpedHit
}

// DumpedHit is one candidate of a Dumped question.
type DumpedHit struct {
	Path                      string
	Start, End                int
	Text, Defines             string
	KeywordRank, SemanticRank int
	KeywordScore              float64
	SemanticScore             float64
	Score                     float64
	Rules                     []string
	Terms                     []string // analysis.Terms of Text
	Facts                     string   // chunk.ScanFacts of Text, as chunk.Facts.Meta formats them
}

// dumpQuestion runs q with no cap per file and appends its candidates to
// *o.dumped.
func dumpQuestion(ctx context.Context, m *engine.Manager, root, repo, mode string, q Question, o options) error {
	rules := rank.AllRules
	if o.ruleSet != nil {
		rules = *o.ruleSet
	}
	rules.OnePerFile = false
	resp, err := m.Search(ctx, engine.SearchRequest{Query: q.Query, Limit: dumpLimit, Mode: mode,
		Tuning: o.tuning, Rules: &rules, MaxPerFile: -1})
	if err != nil {
		return err
	}
	d := Dumped{ID: q.ID, Kind: q.Kind, Query: q.Query, Repo: repo, Labels: q.Labels, QueryTerms: analysis.QueryTerms(q.Query)}
	for _, r := range resp.Results {
		d.Hits = append(d.Hits, DumpedHit{Path: relative(root, r.Path), Start: r.StartLine, End: r.EndLine,
			Text: r.Text, Defines: r.Metadata[rank.MetaDefines],
			KeywordRank: r.KeywordRank, SemanticRank: r.SemanticRank, KeywordScore: r.KeywordScore,
			SemanticScore: r.SemanticScore, Score: r.Score, Rules: r.Rules, Terms: analysis.Terms(r.Text),
			Facts: chunk.ScanFacts(r.Text).Meta()})
	}
	*o.dumped = append(*o.dumped, d)
	return nil
}

// writeDump writes what -dump collected.
func writeDump(path string, ds []Dumped) error {
	data, err := json.Marshal(ds)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
