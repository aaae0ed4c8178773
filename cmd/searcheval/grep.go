package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// grepStopWords are common English function and question words, dropped
// from the grep baseline's query words.
var grepStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be
		because been before being below between both but by can could did do does doing down during each
		few for from further had has have having he her here hers herself him himself his how i if in into
		is it its itself just me more most my myself no nor not now of off on once only or other our ours
		out over own same she should so some such than that the their theirs them themselves then there
		these they this those through to too under until up very was we were what when where which while
		who whom why will with would you your yours`) {
		grepStopWords[w] = true
	}
}

// isWordByte reports whether b is part of a word as ripgrep's -w sees it.
func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// grepWords returns the distinct lowercased words of a query without stop
// words, in order.
func grepWords(q string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return r >= 0x80 || !isWordByte(byte(r)) }) {
		if !grepStopWords[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// rankByTFIDF ranks files by Σ over words of (1+ln tf)·ln(n/df), where tf
// is the word's count in the file and df the number of files holding it;
// ties go by path.
func rankByTFIDF(counts map[string]map[string]int, n int) []string {
	score := map[string]float64{}
	for _, files := range counts {
		idf := math.Log(float64(n) / float64(len(files)))
		for f, tf := range files {
			score[f] += (1 + math.Log(float64(tf))) * idf
		}
	}
	files := make([]string, 0, len(score))
	for f := range score {
		files = append(files, f)
	}
	slices.SortFunc(files, func(a, b string) int { return cmp.Or(cmp.Compare(score[b], score[a]), strings.Compare(a, b)) })
	return files
}

// grepper counts query words in the corpus files, with ripgrep or, when
// it is missing, a Go scan that counts the same way.
type grepper struct {
	root  string
	files map[string]bool // the indexed files, relative to root
	rg    string          // path of rg, "" for the Go scan
}

// search returns the files ranked for q, relative to the root, and the
// time it took.
func (g *grepper) search(q string) ([]string, time.Duration, error) {
	words := grepWords(q)
	begin := time.Now()
	if len(words) == 0 {
		return nil, time.Since(begin), nil
	}
	var counts map[string]map[string]int
	var err error
	if g.rg != "" {
		counts, err = g.ripgrep(words)
	} else {
		counts, err = g.scan(words)
	}
	if err != nil {
		return nil, 0, err
	}
	ranked := rankByTFIDF(counts, len(g.files))
	return ranked, time.Since(begin), nil
}

// ripgrep counts every whole-word, case-insensitive match of the words in
// one rg run over the corpus, keeping the indexed files only.
func (g *grepper) ripgrep(words []string) (map[string]map[string]int, error) {
	args := []string{"--no-config", "--no-ignore", "-i", "-w", "-F", "-o", "--no-heading", "--with-filename", "--no-line-number"}
	for _, w := range words {
		args = append(args, "-e", w)
	}
	args = append(args, ".")
	cmd := exec.Command(g.rg, args...)
	cmd.Dir = g.root
	out, err := cmd.Output()
	if err != nil && !(isExit(err, 1) && len(out) == 0) { // 1: no match
		return nil, fmt.Errorf("rg: %w", err)
	}
	counts := map[string]map[string]int{}
	for line := range bytes.Lines(out) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		i := bytes.LastIndexByte(line, ':')
		if i < 0 {
			continue
		}
		file := strings.TrimPrefix(string(line[:i]), "./")
		if !g.files[file] {
			continue
		}
		w := strings.ToLower(string(line[i+1:]))
		if counts[w] == nil {
			counts[w] = map[string]int{}
		}
		counts[w][file]++
	}
	return counts, nil
}

func isExit(err error, code int) bool {
	ee, ok := err.(*exec.ExitError)
	return ok && ee.ExitCode() == code
}

// scan is ripgrep's count in Go: every file is read and its words
// (runs of letters, digits and underscores) compared, lowercased, with
// the query words.
func (g *grepper) scan(words []string) (map[string]map[string]int, error) {
	want := map[string]bool{}
	for _, w := range words {
		want[w] = true
	}
	counts := map[string]map[string]int{}
	for file := range g.files {
		f, err := os.Open(filepath.Join(g.root, file))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		sc.Split(scanWords)
		for sc.Scan() {
			if w := strings.ToLower(sc.Text()); want[w] {
				if counts[w] == nil {
					counts[w] = map[string]int{}
				}
				counts[w][file]++
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	return counts, nil
}

// scanWords is a bufio.SplitFunc returning runs of word bytes.
func scanWords(data []byte, atEOF bool) (int, []byte, error) {
	start := 0
	for start < len(data) && !isWordByte(data[start]) {
		start++
	}
	for i := start; i < len(data); i++ {
		if !isWordByte(data[i]) {
			return i + 1, data[start:i], nil
		}
	}
	if atEOF && start < len(data) {
		return len(data), data[start:], nil
	}
	if atEOF {
		return len(data), nil, nil
	}
	return start, nil, nil
}
