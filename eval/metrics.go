package main

import (
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Kinds of question.
const (
	KindNatural      = "natural"      // "how does X work"
	KindArchitecture = "architecture" // "where is Y wired"
	KindSymbol       = "symbol"       // an identifier
)

var kinds = []string{KindNatural, KindArchitecture, KindSymbol}

// Label is a place that answers a question: a file relative to the
// repository's workspace, and, when one function or type is meant, its
// lines [first, last].
type Label struct {
	Path  string `json:"path"`
	Lines []int  `json:"lines,omitempty"`
}

// Question is one question of a repository's set.
type Question struct {
	ID     string  `json:"id"`
	Kind   string  `json:"kind"`
	Query  string  `json:"query"`
	Labels []Label `json:"labels"`
}

// QuestionSet is the contents of questions/<repo>.json.
type QuestionSet struct {
	Repo      string     `json:"repo"`
	Questions []Question `json:"questions"`
}

// check reports what is wrong with a question set for the repository
// copied at root: unknown kinds, labels naming no file of the copy, line
// spans outside their file, repeated ids.
func (qs QuestionSet) check(root string) error {
	var problems []string
	ids := map[string]bool{}
	lines := map[string]int{}
	for _, q := range qs.Questions {
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("%s: ", q.ID)+fmt.Sprintf(format, args...))
		}
		if q.ID == "" || ids[q.ID] {
			bad("missing or repeated id")
		}
		ids[q.ID] = true
		if !slices.Contains(kinds, q.Kind) {
			bad("kind %q is not one of %s", q.Kind, strings.Join(kinds, ", "))
		}
		if strings.TrimSpace(q.Query) == "" || len(q.Labels) == 0 {
			bad("needs a query and at least one label")
		}
		for _, l := range q.Labels {
			if l.Path != path.Clean(l.Path) || path.IsAbs(l.Path) || strings.HasPrefix(l.Path, "../") {
				bad("label path %q is not a clean relative path", l.Path)
				continue
			}
			n, ok := lines[l.Path]
			if !ok {
				data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(l.Path)))
				if err != nil {
					bad("label %s: %v", l.Path, err)
					continue
				}
				n = strings.Count(string(data), "\n") + 1
				lines[l.Path] = n
			}
			if l.Lines != nil && (len(l.Lines) != 2 || l.Lines[0] < 1 || l.Lines[1] < l.Lines[0] || l.Lines[1] > n) {
				bad("label %s: lines %v are not [first, last] within the file's %d lines", l.Path, l.Lines, n)
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("questions for %s:\n  %s", qs.Repo, strings.Join(problems, "\n  "))
	}
	return nil
}

// Hit is one search result as the evaluation sees it: a path relative to
// the workspace and the result's lines.
type Hit struct {
	Path       string `json:"path"`
	Start, End int    `json:"-"`
}

// matches reports whether hit h answers label l: the same path and, when
// the label has lines, overlapping lines.
func (l Label) matches(h Hit) bool {
	if l.Path != h.Path {
		return false
	}
	return l.Lines == nil || (h.Start <= l.Lines[1] && h.End >= l.Lines[0])
}

// Scores are one question's metrics over a ranked list of hits.
type Scores struct {
	NDCG   float64 `json:"ndcg10"`
	Recall float64 `json:"recall5"` // share of the labels matched in the top 5
	RR     float64 `json:"rr10"`    // 1/rank of the first relevant hit in the top 10
	Files  int     `json:"files10"` // distinct files in the top 10
	// FileNDCG is NDCG@10 with each label reduced to its file: a
	// question's labelled files, each found by any hit in it, whatever
	// its lines. It shows how much of what NDCG misses is the right file
	// with another of its chunks shown, and reads like an evaluation
	// whose labels are files.
	FileNDCG float64 `json:"ndcg10_files"`
}

// score judges hits against labels. Relevance is binary: a hit is
// relevant when it matches a label no earlier hit matched, so each label
// counts once, at its first matching hit. NDCG@10 divides the DCG of the
// top 10 by the ideal DCG of min(10, labels) relevant hits.
func score(hits []Hit, labels []Label) Scores {
	s := judge(hits, labels)
	s.FileNDCG = judge(hits, byFile(labels)).NDCG
	return s
}

// byFile reduces labels to their distinct files, without lines.
func byFile(labels []Label) []Label {
	var out []Label
	for _, l := range labels {
		if !slices.ContainsFunc(out, func(o Label) bool { return o.Path == l.Path }) {
			out = append(out, Label{Path: l.Path})
		}
	}
	return out
}

// judge is score without FileNDCG.
func judge(hits []Hit, labels []Label) Scores {
	const k = 10
	var s Scores
	used := make([]bool, len(labels))
	files := map[string]bool{}
	dcg := 0.0
	found5 := 0
	for i, h := range hits[:min(len(hits), k)] {
		files[h.Path] = true
		for j, l := range labels {
			if used[j] || !l.matches(h) {
				continue
			}
			used[j] = true
			dcg += 1 / math.Log2(float64(i+2))
			if s.RR == 0 {
				s.RR = 1 / float64(i+1)
			}
			if i < 5 {
				found5++
			}
			break
		}
	}
	ideal := 0.0
	for i := range min(len(labels), k) {
		ideal += 1 / math.Log2(float64(i+2))
	}
	if ideal > 0 {
		s.NDCG = dcg / ideal
	}
	if len(labels) > 0 {
		s.Recall = float64(found5) / float64(min(len(labels), 5))
	}
	s.Files = len(files)
	return s
}
