package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/rank"
)

// diagnoseLimit is how many chunks -diagnose asks for, with no cap per
// file, to find where a question's labelled chunk ranks.
const diagnoseLimit = 200

// Diagnosis says, for one question, where its first label stands: the
// rank of its file among the distinct files of the default results
// (fileRank), the rank of the first chunk that matches a label with no
// cap per file (chunkRank), that chunk's rank among its own file's
// chunks (inFile, 1 = the file's best), and each leg's rank of it. A
// rank of 0 means not found.
type Diagnosis struct {
	ID, Kind                    string
	FileRank, ChunkRank, InFile int
	KeywordRank, SemanticRank   int
	BestInFile                  string // lines of the file's best chunk, when it is not the label
}

// diagnose runs q in mode and locates its labels.
func diagnose(ctx context.Context, m *engine.Manager, root, mode string, q Question, o options) (Diagnosis, error) {
	d := Diagnosis{ID: q.ID, Kind: q.Kind}
	resp, err := m.Search(ctx, engine.SearchRequest{Query: q.Query, Limit: 10, Mode: mode,
		Tuning: o.tuning, Rules: o.ruleSet, MaxPerFile: o.perFile})
	if err != nil {
		return d, err
	}
	var files []string
	for _, r := range resp.Results {
		p := relative(root, r.Path)
		if !slices.Contains(files, p) {
			files = append(files, p)
		}
	}
	for i, f := range files {
		if slices.ContainsFunc(q.Labels, func(l Label) bool { return l.Path == f }) {
			d.FileRank = i + 1
			break
		}
	}
	// Without the later-chunk decay, so that a file's chunks keep their
	// order and all of them stay within reach.
	rules := rank.AllRules
	if o.ruleSet != nil {
		rules = *o.ruleSet
	}
	rules.OnePerFile = false
	all, err := m.Search(ctx, engine.SearchRequest{Query: q.Query, Limit: diagnoseLimit, Mode: mode,
		Tuning: o.tuning, Rules: &rules, MaxPerFile: diagnoseLimit})
	if err != nil {
		return d, err
	}
	perFile := map[string]int{}
	best := map[string]string{}
	for i, r := range all.Results {
		h := Hit{Path: relative(root, r.Path), Start: r.StartLine, End: r.EndLine}
		perFile[h.Path]++
		if perFile[h.Path] == 1 {
			best[h.Path] = fmt.Sprintf("%d-%d", h.Start, h.End)
		}
		if slices.ContainsFunc(q.Labels, func(l Label) bool { return l.matches(h) }) {
			d.ChunkRank, d.InFile = i+1, perFile[h.Path]
			d.KeywordRank, d.SemanticRank = r.KeywordRank, r.SemanticRank
			if d.InFile > 1 {
				d.BestInFile = best[h.Path]
			}
			break
		}
	}
	return d, nil
}

// printDiagnoses writes one line per question and a summary of where
// the questions that miss lose their label.
func printDiagnoses(w io.Writer, ds []Diagnosis) {
	var fileTop10, chunkFirst, chunkLater, chunkMissing, fileMissing int
	for _, d := range ds {
		fmt.Fprintf(w, "%-24s %-12s file %3d chunk %3d in-file %2d kw %3d sem %3d best %s\n",
			d.ID, d.Kind, d.FileRank, d.ChunkRank, d.InFile, d.KeywordRank, d.SemanticRank, d.BestInFile)
		switch {
		case d.FileRank == 0:
			fileMissing++
		case d.InFile == 1:
			fileTop10++
			chunkFirst++
		case d.InFile > 1:
			fileTop10++
			chunkLater++
		default:
			fileTop10++
			chunkMissing++
		}
	}
	fmt.Fprintf(w, "%d questions: file not in the top 10: %d; file in the top 10: %d (its best chunk is the label: %d; the label is a later chunk: %d; the label is not among %d chunks: %d)\n",
		len(ds), fileMissing, fileTop10, chunkFirst, chunkLater, diagnoseLimit, chunkMissing)
}
