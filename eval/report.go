package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// macro averages f over the results that keep selects: the mean of each
// repository's mean, so a repository with many questions weighs no more
// than one with few. ok is false when nothing was selected.
func macro(rs []Result, keep func(Result) bool, f func(Result) float64) (float64, bool) {
	sum, n := map[string]float64{}, map[string]int{}
	var order []string
	for _, r := range rs {
		if !keep(r) {
			continue
		}
		if n[r.Repo] == 0 {
			order = append(order, r.Repo)
		}
		sum[r.Repo] += f(r)
		n[r.Repo]++
	}
	if len(order) == 0 {
		return 0, false
	}
	total := 0.0
	for _, repo := range order {
		total += sum[repo] / float64(n[repo])
	}
	return total / float64(len(order)), true
}

func cell(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.3f", v)
}

func ndcg(r Result) float64 { return r.NDCG }

// report prints the means per mode, per language and per repository.
func report(w io.Writer, rs []Result, modes []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "%d questions, %d repositories\n\n", countQuestions(rs), len(distinct(rs, func(r Result) string { return r.Repo })))
	fmt.Fprintln(tw, "mode\tNDCG@10\tnatural\tarchitecture\tsymbol\trecall@5\tMRR@10\tfiles@10\tp50 ms\tp95 ms\t")
	for _, m := range modes {
		inMode := func(r Result) bool { return r.Mode == m }
		row := []string{m}
		v, ok := macro(rs, inMode, ndcg)
		row = append(row, cell(v, ok))
		for _, k := range kinds {
			v, ok := macro(rs, func(r Result) bool { return inMode(r) && r.Kind == k }, ndcg)
			row = append(row, cell(v, ok))
		}
		for _, f := range []func(Result) float64{
			func(r Result) float64 { return r.Recall },
			func(r Result) float64 { return r.RR },
			func(r Result) float64 { return float64(r.Files) },
		} {
			v, ok := macro(rs, inMode, f)
			row = append(row, cell(v, ok))
		}
		took := collect(rs, inMode, func(r Result) float64 { return r.TookMS })
		row = append(row, fmt.Sprintf("%.1f", percentile(took, 50)), fmt.Sprintf("%.1f", percentile(took, 95)))
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	for _, m := range modes {
		// The same NDCG with labels reduced to their files.
		inMode := func(r Result) bool { return r.Mode == m }
		fileNDCG := func(r Result) float64 { return r.FileNDCG }
		row := []string{m + ", files"}
		v, ok := macro(rs, inMode, fileNDCG)
		row = append(row, cell(v, ok))
		for _, k := range kinds {
			v, ok := macro(rs, func(r Result) bool { return inMode(r) && r.Kind == k }, fileNDCG)
			row = append(row, cell(v, ok))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t\t\t\t\t\t\t")
	}
	tw.Flush()

	for _, group := range []struct {
		name string
		key  func(Result) string
	}{{"language", func(r Result) string { return r.Language }}, {"repository", func(r Result) string { return r.Repo }}} {
		fmt.Fprintf(w, "\nNDCG@10 per %s\n", group.name)
		header := group.name + "\tquestions"
		for _, m := range modes {
			header += "\t" + m
		}
		header += "\thybrid natural\thybrid architecture\thybrid symbol\t"
		fmt.Fprintln(tw, header)
		for _, g := range distinct(rs, group.key) {
			in := func(r Result) bool { return group.key(r) == g }
			row := []string{g, fmt.Sprint(countQuestions(filter(rs, in)))}
			for _, m := range modes {
				v, ok := macro(rs, func(r Result) bool { return in(r) && r.Mode == m }, ndcg)
				row = append(row, cell(v, ok))
			}
			for _, k := range kinds {
				v, ok := macro(rs, func(r Result) bool { return in(r) && r.Mode == "hybrid" && r.Kind == k }, ndcg)
				row = append(row, cell(v, ok))
			}
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		tw.Flush()
	}
}

// compare lists the questions whose NDCG@10 changed against the baseline,
// per mode: by label, then by file (FileNDCG), which reads like an
// evaluation whose labels are files.
func compare(w io.Writer, base, now []Result) {
	old := map[resultKey]Scores{}
	for _, r := range base {
		old[resultKey{r.ID, r.Mode}] = r.Scores
	}
	for _, m := range distinct(now, func(r Result) string { return r.Mode }) {
		compareBy(w, m, m, now, old, func(s Scores) float64 { return s.NDCG })
		compareBy(w, m, m+", files", now, old, func(s Scores) float64 { return s.FileNDCG })
	}
}

// resultKey names one question's result in one mode.
type resultKey struct{ id, mode string }

// compareBy writes, under title, the questions of mode whose score
// changed against old, won then lost, largest change first.
func compareBy(w io.Writer, mode, title string, now []Result, old map[resultKey]Scores, score func(Scores) float64) {
	type change struct {
		r     Result
		delta float64
	}
	var won, lost []change
	same, missing := 0, 0
	for _, r := range now {
		if r.Mode != mode {
			continue
		}
		b, ok := old[resultKey{r.ID, mode}]
		switch d := score(r.Scores) - score(b); {
		case !ok:
			missing++
		case d > 1e-9:
			won = append(won, change{r, d})
		case d < -1e-9:
			lost = append(lost, change{r, d})
		default:
			same++
		}
	}
	fmt.Fprintf(w, "\n%s against the baseline: %d won, %d lost, %d unchanged, %d new\n", title, len(won), len(lost), same, missing)
	for _, list := range [][]change{won, lost} {
		slices.SortFunc(list, func(a, b change) int { return cmp.Compare(b.delta*b.delta, a.delta*a.delta) })
		for _, c := range list {
			fmt.Fprintf(w, "  %+.3f  %-28s %s\n", c.delta, c.r.ID, c.r.Kind)
		}
	}
}

func countQuestions(rs []Result) int {
	return len(distinct(rs, func(r Result) string { return r.ID }))
}

func distinct(rs []Result, key func(Result) string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rs {
		if k := key(r); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func filter(rs []Result, keep func(Result) bool) []Result {
	var out []Result
	for _, r := range rs {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func collect(rs []Result, keep func(Result) bool, f func(Result) float64) []float64 {
	var out []float64
	for _, r := range rs {
		if keep(r) {
			out = append(out, f(r))
		}
	}
	return out
}

// percentile returns the p-th percentile (nearest rank) of xs.
func percentile(xs []float64, p int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}
