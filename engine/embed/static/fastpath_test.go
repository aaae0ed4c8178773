package static

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/embed/static/statictest"
)

// The ASCII fast path gives the tokens of the rune-by-rune path, for
// every setting of the normaliser, on Go source and on crafted text:
// control characters inside words, punctuation runs, words longer than
// any vocabulary entry or than max_input_chars_per_word, and limits
// reached mid-word.
func TestASCIIFastPathAgrees(t *testing.T) {
	src, words := goSource(t)
	words = append(words[:min(len(words), 3000)], "##ing", "##er", "##s", "##http", "(", ".", "{", "}", "=", "Handler")
	dir := t.TempDir()
	if err := statictest.Write(dir, words, nil); err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"", " ", "ab\x01cd\x7fef GH\tij\r\nKL\vmn\fop", "han\x01dler Serve\x7fr\x00s", "((({{}}))).", "serveHTTPing servers handlering",
		strings.Repeat("x", 150) + " http", "Server" + strings.Repeat("s", 120), "\x00\x1f\x7f",
		"ServeHTTP(w ResponseWriter, r *Request) { h.ServeHTTP(w, r) }",
	}
	for s := string(src); len(s) > 0; s = s[min(len(s), 997):] {
		texts = append(texts, s[:min(len(s), 1500)])
	}
	for _, lower := range []bool{true, false} {
		for _, clean := range []bool{true, false} {
			tok, err := readTokenizer(filepath.Join(dir, "tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			tok.lowercase, tok.cleanText, tok.maxWordChars = lower, clean, 100
			tok.prepareASCII()
			for _, text := range texts {
				for _, limit := range []int{3, 512} {
					fast, slow := tok.appendWords(nil, text, limit), tok.appendRunes(nil, text, limit)
					fast, slow = fast[:min(len(fast), limit)], slow[:min(len(slow), limit)]
					if !slices.Equal(fast, slow) {
						t.Fatalf("lowercase %v clean_text %v limit %d, %q:\nfast %v\nslow %v", lower, clean, limit, text, fast, slow)
					}
				}
			}
		}
	}
}
