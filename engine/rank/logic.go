package rank

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"workspace-qdrant-mcp/engine/storage"
)

// The logic rule: a question ("how does X happen", "what happens when
// Y") is answered by the code that does X, not by the file's header. When
// a file's best chunk is its preamble — imports, constants, a class's doc
// comment and fields — and another of its candidates holds the branches,
// loops and returns that implement something, that other chunk stands
// for the file. The file keeps its place: the chunks of a file trade
// scores, so only which chunk comes first in the file changes.

// logicWord reports whether w is a control-flow keyword, in any of the
// languages the chunker knows (if, for, return... are common to nearly
// all).
func logicWord(w string) bool {
	switch w {
	case "if", "else", "elif", "elsif", "unless",
		"for", "foreach", "while", "until", "loop",
		"switch", "case", "match", "select",
		"return", "yield", "break", "continue", "goto",
		"try", "catch", "except", "rescue", "finally", "raise", "throw",
		"defer", "await":
		return true
	}
	return false
}

// maxLogic caps the keywords counted: past it, a chunk is all logic, and
// a long function does not outweigh a short one that matches better.
const maxLogic = 30

// textFacts is what the logic and prose rules read in a chunk's text.
type textFacts struct {
	logic int     // control-flow keywords in its code lines, up to maxLogic
	prose float64 // the share of its non-blank lines that are comments
}

// logicCount counts the control-flow keywords in the code lines of text,
// up to maxLogic (see scanText).
func logicCount(text string) int { return scanText(text).logic }

// scanText reads text once for its textFacts. Code lines are those that
// are not comments (//, #, /*, * and -- at their start), so that the
// prose of a doc comment ("if the caller ...") counts no keyword.
func scanText(text string) textFacts {
	n, lines, comments := 0, 0, 0
	for i := 0; i < len(text); {
		// At the start of a line: skip its indentation, and the line if
		// it is a comment.
		for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
			i++
		}
		if i < len(text) && text[i] != '\n' {
			lines++
		}
		if commentAt(text, i) {
			comments++
			for i < len(text) && text[i] != '\n' {
				i++
			}
		}
		for i < len(text) && text[i] != '\n' {
			if !wordByte[text[i]] {
				i++
				continue
			}
			j := i + 1
			for j < len(text) && wordByte[text[j]] {
				j++
			}
			if j-i >= 2 && j-i <= 8 && text[i] >= 'a' && text[i] <= 'z' && logicWord(text[i:j]) {
				n++
			}
			i = j
		}
		i++ // the newline
	}
	f := textFacts{logic: min(n, maxLogic)}
	if lines > 0 {
		f.prose = float64(comments) / float64(lines)
	}
	return f
}

// commentAt reports whether a comment starts at text[i].
func commentAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	switch text[i] {
	case '#', '*':
		return true
	case '/':
		return i+1 < len(text) && (text[i+1] == '/' || text[i+1] == '*')
	case '-':
		return i+1 < len(text) && text[i+1] == '-'
	}
	return false
}

// wordByte holds the bytes of identifiers: ASCII letters, digits, _ and
// $, and every byte of a multibyte rune.
var wordByte = func() (t [256]bool) {
	for b := range t {
		t[b] = b == '_' || b == '$' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
	}
	return t
}()

// logicFactor is how much a chunk's logic weighs in choosing the chunk
// that stands for its file: 1 + weight × ln(1 + control-flow keywords).
func logicFactor(c storage.Chunk, weight float64) float64 {
	return 1 + weight*math.Log1p(float64(chunkFacts.get(c).logic))
}

// factsCache keeps scanText by chunk id: an id stands for a chunk's
// document, position and text (storage.Chunk.ID), and the same chunks
// come back query after query. It forgets everything when it holds
// maxPaths entries, which bounds its memory.
type factsCache struct {
	mu sync.Mutex
	m  map[string]textFacts
}

var chunkFacts factsCache

func (c *factsCache) get(ch storage.Chunk) textFacts {
	if ch.ID == "" {
		return scanText(ch.Text)
	}
	c.mu.Lock()
	n, ok := c.m[ch.ID]
	c.mu.Unlock()
	if ok {
		return n
	}
	n = scanText(ch.Text)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxPaths {
		c.m = make(map[string]textFacts)
	}
	c.m[ch.ID] = n
	c.mu.Unlock()
	return n
}

// applyLogic lets, in each file, the candidate with the best score times
// its logic factor stand for the file: it takes the file's best score,
// and the chunk that had it takes its score in exchange. The promoted
// chunk names the rule. weight is positive.
func applyLogic(hits []Ranked, weight float64) {
	byDoc := make(map[string][]int)
	for i := range hits {
		if h := &hits[i]; h.Chunk.Kind == storage.KindFile && h.Score > 0 {
			byDoc[h.Chunk.DocID] = append(byDoc[h.Chunk.DocID], i)
		}
	}
	maxFactor := 1 + weight*math.Log1p(maxLogic)
	for _, idx := range byDoc {
		if len(idx) < 2 {
			continue
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(hits[b].Score, hits[a].Score), cmp.Compare(a, b)) })
		best := idx[0]
		chosen, value := best, hits[best].Score*logicFactor(hits[best].Chunk, weight)
		for _, i := range idx[1:] {
			s := hits[i].Score
			if s*maxFactor <= value {
				break // neither this chunk nor any after it can win
			}
			if v := s * logicFactor(hits[i].Chunk, weight); v > value {
				chosen, value = i, v
			}
		}
		if b, c := &hits[best], &hits[chosen]; c.Score < b.Score {
			b.Score, c.Score = c.Score, b.Score
			c.Rules = append(c.Rules, RuleLogic)
		}
	}
}
