package static

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ErrUnsupported reports a model or tokenizer this package cannot run.
var ErrUnsupported = errors.New("unsupported model")

// tokenizer is the part of a Hugging Face tokenizer.json that Model2Vec
// models use: the BERT normaliser, the BERT pre-tokeniser and WordPiece,
// with added tokens. It tokenizes without special tokens.
type tokenizer struct {
	lowercase    bool
	stripAccents bool
	cleanText    bool
	chinese      bool
	vocab        map[string]int
	unk          int // -1 when the vocabulary has no unknown token
	prefix       string
	maxWordChars int
	added        []addedToken // longest first
	medianLen    int          // median length in characters of the vocabulary's tokens

	// The ASCII fast path (appendASCII): each byte's class after the
	// normaliser, its lowercase form, the id of each punctuation
	// character (-1: unknown), and the longest vocabulary entry in bytes.
	class   [128]byte
	lower   [128]byte
	punctID [128]int
	maxKey  int
}

// Byte classes of the ASCII fast path.
const (
	classWord  = iota
	classSpace // splits words
	classPunct // a word of its own
	classDrop  // removed by the normaliser
)

// prepareASCII fills in the tables of the ASCII fast path, which must
// agree with normalizeASCII, appendWords and wordPiece.
func (t *tokenizer) prepareASCII() {
	for tok := range t.vocab {
		t.maxKey = max(t.maxKey, len(tok))
	}
	for c := range 128 {
		b := byte(c)
		t.lower[c] = b
		if t.lowercase && b >= 'A' && b <= 'Z' {
			t.lower[c] = b + 'a' - 'A'
		}
		isSpace := b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r' || b == ' '
		switch {
		case isSpace:
			t.class[c] = classSpace
		case t.cleanText && (b < 0x20 || b == 0x7f):
			t.class[c] = classDrop
		case isPunct(rune(b)):
			t.class[c] = classPunct
		default:
			t.class[c] = classWord
		}
		t.punctID[c] = -1
		if id, ok := t.vocab[string(t.lower[c])]; ok && t.maxWordChars >= 1 {
			t.punctID[c] = id
		}
	}
}

type addedToken struct {
	content string
	id      int
}

// readTokenizer reads a tokenizer.json, refusing any component other
// than those tokenizer runs, by name.
func readTokenizer(path string) (*tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Normalizer   *component      `json:"normalizer"`
		PreTokenizer *component      `json:"pre_tokenizer"`
		Model        json.RawMessage `json:"model"`
		AddedTokens  []struct {
			ID      int    `json:"id"`
			Content string `json:"content"`
		} `json:"added_tokens"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrCorrupt, err)
	}
	t := &tokenizer{cleanText: true, chinese: true, lowercase: true, unk: -1, prefix: "##", maxWordChars: 100}
	if n := f.Normalizer; n != nil {
		if n.Type != "BertNormalizer" {
			return nil, fmt.Errorf("%s: normalizer %q: %w (only BertNormalizer)", path, n.Type, ErrUnsupported)
		}
		t.cleanText = n.bool("clean_text", true)
		t.chinese = n.bool("handle_chinese_chars", true)
		t.lowercase = n.bool("lowercase", true)
		// strip_accents null (or absent) means: strip when lowercasing,
		// as BERT does.
		t.stripAccents = n.bool("strip_accents", t.lowercase)
	} else {
		t.lowercase, t.stripAccents, t.cleanText, t.chinese = false, false, false, false
	}
	if p := f.PreTokenizer; p == nil || p.Type != "BertPreTokenizer" {
		name := "none"
		if p != nil {
			name = p.Type
		}
		return nil, fmt.Errorf("%s: pre_tokenizer %q: %w (only BertPreTokenizer)", path, name, ErrUnsupported)
	}
	var m struct {
		Type         string         `json:"type"`
		UnkToken     string         `json:"unk_token"`
		Prefix       *string        `json:"continuing_subword_prefix"`
		MaxWordChars int            `json:"max_input_chars_per_word"`
		Vocab        map[string]int `json:"vocab"`
	}
	if err := json.Unmarshal(f.Model, &m); err != nil {
		return nil, fmt.Errorf("%s: %w: model: %v", path, ErrCorrupt, err)
	}
	if m.Type != "WordPiece" {
		return nil, fmt.Errorf("%s: model %q: %w (only WordPiece)", path, m.Type, ErrUnsupported)
	}
	if len(m.Vocab) == 0 {
		return nil, fmt.Errorf("%s: %w: empty vocabulary", path, ErrCorrupt)
	}
	t.vocab = m.Vocab
	if id, ok := m.Vocab[m.UnkToken]; ok {
		t.unk = id
	}
	if m.Prefix != nil {
		t.prefix = *m.Prefix
	}
	if m.MaxWordChars > 0 {
		t.maxWordChars = m.MaxWordChars
	}
	for _, a := range f.AddedTokens {
		if a.Content != "" {
			t.added = append(t.added, addedToken{a.Content, a.ID})
		}
	}
	sort.SliceStable(t.added, func(i, j int) bool { return len(t.added[i].content) > len(t.added[j].content) })
	lens := make([]int, 0, len(m.Vocab))
	for tok := range m.Vocab {
		lens = append(lens, utf8.RuneCountInString(strings.TrimPrefix(tok, t.prefix)))
	}
	sort.Ints(lens)
	t.medianLen = max(1, lens[len(lens)/2])
	t.prepareASCII()
	return t, nil
}

// component is a tokenizer.json normalizer or pre_tokenizer.
type component struct {
	Type   string
	fields map[string]json.RawMessage
}

func (c *component) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &c.fields); err != nil {
		return err
	}
	return json.Unmarshal(c.fields["type"], &c.Type)
}

// bool returns a boolean field, def when it is absent or null.
func (c *component) bool(name string, def bool) bool {
	var v *bool
	if err := json.Unmarshal(c.fields[name], &v); err != nil || v == nil {
		return def
	}
	return *v
}

// tokenize returns the ids of text's tokens, unknown ones left out, at
// most limit of them.
func (t *tokenizer) tokenize(text string, limit int) []int {
	return t.appendTokens(nil, text, limit)
}

// appendTokens is tokenize appending to ids, which must be empty.
func (t *tokenizer) appendTokens(ids []int, text string, limit int) []int {
	for len(text) > 0 && len(ids) < limit {
		i, a := t.nextAdded(text)
		ids = t.appendWords(ids, text[:i], limit)
		if a == nil || len(ids) >= limit {
			break
		}
		ids = append(ids, a.id)
		text = text[i+len(a.content):]
	}
	return ids[:min(len(ids), limit)]
}

// nextAdded finds the first added token in text and its position, or
// len(text) and nil.
func (t *tokenizer) nextAdded(text string) (int, *addedToken) {
	best, at := len(text), (*addedToken)(nil)
	for i := range t.added {
		if j := strings.Index(text, t.added[i].content); j >= 0 && j < best {
			best, at = j, &t.added[i]
		}
	}
	return best, at
}

// appendWords normalises, pre-tokenises and word-pieces text.
func (t *tokenizer) appendWords(ids []int, text string, limit int) []int {
	if out, ok := t.appendASCII(ids, text, limit); ok {
		return out
	}
	return t.appendRunes(ids, text, limit)
}

// appendRunes is appendWords for any text, rune by rune.
func (t *tokenizer) appendRunes(ids []int, text string, limit int) []int {
	text = t.normalize(text)
	start := -1
	flush := func(end int) {
		if start >= 0 {
			ids = t.wordPiece(ids, text[start:end])
			start = -1
		}
	}
	for i, r := range text {
		if len(ids) >= limit {
			return ids
		}
		switch {
		case unicode.IsSpace(r):
			flush(i)
		case isPunct(r):
			flush(i)
			ids = t.wordPiece(ids, string(r))
		default:
			if start < 0 {
				start = i
			}
		}
	}
	flush(len(text))
	return ids
}

// appendASCII is appendWords for ASCII text in one pass, with the same
// tokens: the normaliser, the pre-tokeniser and WordPiece by table, the
// words built in a buffer and looked up without allocating. ok is false,
// and ids as they were, when text is not ASCII: it is not read to its
// end when the limit is reached first, as then it need not be.
func (t *tokenizer) appendASCII(ids []int, text string, limit int) (_ []int, ok bool) {
	word := make([]byte, 0, 64)
	key := make([]byte, 0, 64)
	n := len(ids)
	for i := 0; i < len(text); i++ {
		if len(ids) >= limit {
			return ids, true
		}
		c := text[i]
		if c >= utf8.RuneSelf {
			return ids[:n], false
		}
		switch t.class[c] {
		case classWord:
			word = append(word, t.lower[c])
		case classSpace:
			ids, key = t.wordPieceASCII(ids, word, key)
			word = word[:0]
		case classPunct:
			ids, key = t.wordPieceASCII(ids, word, key)
			word = word[:0]
			if id := t.punctID[c]; id >= 0 {
				ids = append(ids, id)
			}
		}
	}
	ids, _ = t.wordPieceASCII(ids, word, key)
	return ids, true
}

// wordPieceASCII is wordPiece for an ASCII word (one byte a character);
// key is a buffer for the pieces with their prefix, returned for reuse.
// Pieces longer than the longest vocabulary entry are not looked up.
func (t *tokenizer) wordPieceASCII(ids []int, word, key []byte) ([]int, []byte) {
	if len(word) == 0 || len(word) > t.maxWordChars {
		return ids, key
	}
	n := len(ids)
	for start := 0; start < len(word); {
		found, end := -1, 0
		if start == 0 {
			for end = min(len(word), t.maxKey); end > 0; end-- {
				if id, ok := t.vocab[string(word[:end])]; ok {
					found = id
					break
				}
			}
		} else {
			key = append(key[:0], t.prefix...)
			for end = min(len(word), start+t.maxKey-len(t.prefix)); end > start; end-- {
				key = append(key[:len(t.prefix)], word[start:end]...)
				if id, ok := t.vocab[string(key)]; ok {
					found = id
					break
				}
			}
		}
		if found < 0 {
			return ids[:n], key
		}
		ids = append(ids, found)
		start = end
	}
	return ids, key
}

// normalize applies the BERT normaliser.
func (t *tokenizer) normalize(s string) string {
	if ascii, ok := t.normalizeASCII(s); ok {
		return ascii
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case t.cleanText && (r == 0 || r == 0xfffd || isControl(r)):
			continue
		case t.cleanText && unicode.IsSpace(r):
			b.WriteByte(' ')
		case t.chinese && isCJK(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	s = b.String()
	if t.stripAccents {
		s = stripMarks(norm.NFD.String(s))
	}
	if t.lowercase {
		s = strings.ToLower(s)
	}
	return s
}

// normalizeASCII is normalize for ASCII text, in one pass: no accents to
// strip and no CJK to pad. ok is false for other text.
func (t *tokenizer) normalizeASCII(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return "", false
		case t.cleanText && (c == '\t' || c == '\n' || c == '\r' || c == ' ' || c == '\v' || c == '\f'):
			b = append(b, ' ')
		case t.cleanText && (c < 0x20 || c == 0x7f):
		case t.lowercase && c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

func stripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}

// wordPiece appends the ids of word's pieces, greedily longest first, or
// nothing when the word cannot be split into known pieces (its unknown
// token would be dropped anyway).
func (t *tokenizer) wordPiece(ids []int, word string) []int {
	if utf8.RuneCountInString(word) > t.maxWordChars {
		return ids
	}
	n := len(ids)
	for start := 0; start < len(word); {
		end := len(word)
		found := -1
		for end > start {
			piece := word[start:end]
			if start > 0 {
				piece = t.prefix + piece
			}
			if id, ok := t.vocab[piece]; ok {
				found = id
				break
			}
			_, size := utf8.DecodeLastRuneInString(word[start:end])
			end -= size
		}
		if found < 0 {
			return ids[:n]
		}
		ids = append(ids, found)
		start = end
	}
	return ids
}

// isPunct is BERT's punctuation: ASCII symbols, and Unicode P*.
func isPunct(r rune) bool {
	if r >= 33 && r <= 47 || r >= 58 && r <= 64 || r >= 91 && r <= 96 || r >= 123 && r <= 126 {
		return true
	}
	return unicode.IsPunct(r)
}

func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf)
}

// isCJK is BERT's CJK ideograph test.
func isCJK(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF || r >= 0x20000 && r <= 0x2A6DF ||
		r >= 0x2A700 && r <= 0x2B73F || r >= 0x2B740 && r <= 0x2B81F || r >= 0x2B820 && r <= 0x2CEAF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x2F800 && r <= 0x2FA1F
}
