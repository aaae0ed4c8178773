package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"workspace-qdrant-mcp/engine/analysis"
)

// skipDirs are left out of the corpus: other projects' code bundled in a
// package (pip vendors requests, an evaluation repository; setuptools a
// copy of the Python standard library's distutils), and version control.
var skipDirs = map[string]bool{
	"node_modules": true, ".git": true, "vendor": true, "_vendor": true,
	"vendored": true, "_distutils": true, "third_party": true,
}

// maxFileBytes skips big files: bundles (react-dom ships many near copies
// of one build), tables, generated data.
const maxFileBytes = 256 << 10

// corpus holds every read file's terms as ids into a growing dictionary,
// files separated by sep.
type corpus struct {
	// kinds maps the extensions of the files read to their comment
	// syntax (languageKinds); other files are left out.
	kinds  map[string]syntax
	ids    map[string]uint32
	terms  []string
	counts []uint64
	seq    []uint32
	blocks []uint32 // comment blocks: comment ids, sep, code ids, sep (addBlocks)
	// codeLines is how many code lines after a comment addBlocks ties
	// to it; 0 records no blocks.
	codeLines int
	files     int
	bytes     int64
	seen      map[[32]byte]bool
}

const sep = math.MaxUint32

// newCorpus returns an empty corpus that reads the files of kinds and
// ties comment blocks to codeLines code lines after them (0: none).
func newCorpus(kinds map[string]syntax, codeLines int) *corpus {
	return &corpus{kinds: kinds, ids: map[string]uint32{}, seen: map[[32]byte]bool{}, codeLines: codeLines}
}

// languageKinds returns the file kinds that -languages names: "first",
// the corpus's first 7 languages (Go, JavaScript, TypeScript, Python,
// Rust, Ruby, PHP), whose files alone made the shipped table, or "all",
// those and the evaluation's other languages (C, C++, Java, Kotlin,
// Scala, C#, Haskell, OCaml, Erlang, Elixir, Perl, Lua, Clojure, …).
func languageKinds(languages string) (map[string]syntax, error) {
	switch languages {
	case "first":
		kinds := map[string]syntax{}
		for ext, syn := range sourceSyntax {
			if firstLanguages[ext] {
				kinds[ext] = syn
			}
		}
		return kinds, nil
	case "all":
		return sourceSyntax, nil
	}
	return nil, fmt.Errorf("-languages %q: want first or all", languages)
}

// readSources reads the sources' directories under root, in the order
// of the list, each once: only the sources listed, however many more
// the directory holds.
func (c *corpus) readSources(root string, srcs []source) error {
	done := map[string]bool{}
	for _, s := range srcs {
		dir := s.dir(root)
		if done[dir] {
			continue
		}
		done[dir] = true
		if err := c.read(dir); err != nil {
			return fmt.Errorf("%s %s@%s (fetch it first): %w", s.kind, s.name, s.version, err)
		}
	}
	return nil
}

// read walks root and analyses every source file once. Exact duplicates,
// minified and generated files are skipped.
func (c *corpus) read(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		syn, ok := c.kinds[filepath.Ext(path)]
		if !ok || strings.Contains(d.Name(), ".min.") || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read corpus file: %w", err)
		}
		if len(b) > maxFileBytes || minified(b) || generated(b) {
			return nil
		}
		h := sha256.Sum256(b)
		if c.seen[h] {
			return nil
		}
		c.seen[h] = true
		c.add(string(b), syn)
		if c.files%20000 == 0 {
			log.Printf("%d files, %d MB, %d tokens, %d distinct terms", c.files, c.bytes>>20, len(c.seq), len(c.terms))
		}
		return nil
	})
}

// add counts the terms of a file's text, and records its comment blocks
// in syntax syn.
func (c *corpus) add(text string, syn syntax) {
	c.files++
	c.bytes += int64(len(text))
	for _, t := range analysis.Terms(text) {
		id, ok := c.ids[t]
		if !ok {
			id = uint32(len(c.terms))
			c.ids[t] = id
			c.terms = append(c.terms, strings.Clone(t))
			c.counts = append(c.counts, 0)
		}
		c.counts[id]++
		c.seq = append(c.seq, id)
	}
	c.seq = append(c.seq, sep)
	if c.codeLines > 0 {
		c.addBlocks(text, syn)
	}
}

// minified reports a file whose lines average more than 300 bytes.
func minified(b []byte) bool {
	return len(b) > 4096 && len(b)/(bytes.Count(b, []byte{'\n'})+1) > 300
}

// generated reports a file that says it is generated in its head.
func generated(b []byte) bool {
	head := b[:min(len(b), 1024)]
	return bytes.Contains(head, []byte("Code generated")) || bytes.Contains(head, []byte("DO NOT EDIT")) ||
		bytes.Contains(head, []byte("@generated"))
}

func ascii(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// vocab returns the ids of the n most frequent terms, most frequent first,
// leaving out digit-only terms, which carry no meaning across code bases,
// and non-ASCII ones (locale tables and test strings in the corpus; the
// vocabulary of code and its comments is ASCII).
func (c *corpus) vocab(n int) []uint32 {
	ids := make([]uint32, 0, len(c.terms))
	for i, t := range c.terms {
		if strings.Trim(t, "0123456789") == "" || !ascii(t) {
			continue
		}
		ids = append(ids, uint32(i))
	}
	slices.SortFunc(ids, func(a, b uint32) int {
		if c.counts[a] != c.counts[b] {
			if c.counts[a] > c.counts[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(c.terms[a], c.terms[b])
	})
	return ids[:min(n, len(ids))]
}

// cooccur counts, for the rows (targets) and columns (contexts) given as
// corpus ids, how often each pair falls within window terms of each other
// in one file, weighted 1/distance. The result is dense, rows × cols.
func (c *corpus) cooccur(rows, cols []uint32, window int) []float32 {
	row, col := c.positions(rows, cols)
	nc := len(cols)
	m := make([]float32, len(rows)*nc)
	inv := make([]float32, window+1)
	for d := 1; d <= window; d++ {
		inv[d] = 1 / float32(d)
	}
	seq := c.seq
	for i, id := range seq {
		if id == sep {
			continue
		}
		r := row[id]
		if r < 0 {
			continue
		}
		base := m[int(r)*nc : (int(r)+1)*nc]
		for d := 1; d <= window; d++ {
			if i-d >= 0 {
				if o := seq[i-d]; o == sep {
					break
				} else if k := col[o]; k >= 0 {
					base[k] += inv[d]
				}
			}
		}
		for d := 1; d <= window; d++ {
			if i+d < len(seq) {
				if o := seq[i+d]; o == sep {
					break
				} else if k := col[o]; k >= 0 {
					base[k] += inv[d]
				}
			}
		}
	}
	return m
}

// positions maps every corpus id to its row and column in the matrix, -1
// where it is none.
func (c *corpus) positions(rows, cols []uint32) (row, col []int32) {
	row = make([]int32, len(c.terms))
	col = make([]int32, len(c.terms))
	for i := range row {
		row[i], col[i] = -1, -1
	}
	for i, id := range rows {
		row[id] = int32(i)
	}
	for i, id := range cols {
		col[id] = int32(i)
	}
	return row, col
}
