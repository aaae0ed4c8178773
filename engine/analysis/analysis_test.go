package analysis

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerms(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"empty", "", nil},
		{"only separators", " \t\n.,;(){}[]<>!?/\\'\"`~@#$%^&*+=|", nil},
		{"only stop words", "The is a of to AND", nil},
		{"plain word", "duration", []string{"duration"}},
		{"case folded", "DURATION Duration", []string{"duration", "duration"}},
		{"dot splits", "time.ParseDuration", []string{"time", "parse", "duration", "parseduration"}},
		{"camelCase", "parseDuration", []string{"parse", "duration", "parseduration"}},
		{"PascalCase", "ParseDuration", []string{"parse", "duration", "parseduration"}},
		{"acronym first", "HTTPServer", []string{"http", "server", "httpserver"}},
		{"acronym last", "serveHTTP", []string{"serve", "http", "servehttp"}},
		{"acronym middle", "newHTTPClient", []string{"new", "http", "client", "newhttpclient"}},
		{"all caps", "EOF", []string{"eof"}},
		{"acronym plural", "URLs", []string{"url"}},
		{"acronym plural before word", "IDsFor", []string{"ids", "for", "idsfor"}},
		{"digits are parts", "parseJSON2Value", []string{"parse", "json", "2", "value", "parsejson2value"}},
		{"trailing digits", "int64", []string{"int", "64", "int64"}},
		{"digits then acronym", "UTF8String", []string{"utf", "8", "string", "utf8string"}},
		{"leading digits", "3DModel", []string{"3", "d", "model", "3dmodel"}},
		{"snake_case", "parse_duration", []string{"parse", "duration", "parseduration"}},
		{"SCREAMING_SNAKE", "MAX_CHUNK_CHARS", []string{"max", "chunk", "char", "maxchunkchar"}},
		{"underscore runs", "__init__", []string{"init"}},
		{"dunder with parts", "__get_item__", []string{"get", "item", "getitem"}},
		{"underscore then digit", "x_1", []string{"x", "1", "x1"}},
		{"kebab-case", "max-chunk-size", []string{"max", "chunk", "size", "maxchunksiz"}},
		{"hyphen between digits separates", "2024-01-02", []string{"2024", "01", "02"}},
		{"hyphen before digit separates", "x-1", []string{"x", "1"}},
		{"double hyphen separates", "--verbose", []string{"verbose"}},
		{"stop word part kept in whole", "IsValid", []string{"valid", "isvalid"}},
		{"stop word whole dropped", "i_s", nil},
		{"keywords kept", "func if return for this", []string{"func", "if", "return", "for", "this"}},
		{"prose stemmed", "Parsing the durations of queued files",
			[]string{"parse", "duration", "queue", "file"}},
		{"short words not stemmed", "bus was gas", []string{"bus", "gas"}},
		{"contraction", "don't", []string{"don"}},
		{"accented letters", "naïve Café", []string{"naïve", "café"}},
		{"non-Latin script", "日本語 Ελληνικά", []string{"日本語", "ελληνικά"}},
		{"title-case letter splits", "xǅemal", []string{"x", "ǆemal", "xǆemal"}},
		{"letter lowercasing to ASCII", "İstanbul", []string{"istanbul"}},
		{"combining mark separates", "e\u0301t\u00e9", []string{"e", "té"}},
		{"invalid UTF-8 separates", "abc\xffdef\xc3", []string{"abc", "def"}},
		{"non-decimal numbers separate", "x² Ⅻ", []string{"x"}},
		{"code line", `func (s *Server) ListenAndServe(addr string) error {`,
			[]string{"func", "server", "listen", "serve", "listenandserv", "addr", "string", "error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terms(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestAppendTermsAppends(t *testing.T) {
	got := AppendTerms([]string{"keep"}, "ParseDuration")
	want := []string{"keep", "parse", "duration", "parseduration"}
	if !slices.Equal(got, want) {
		t.Errorf("AppendTerms = %q, want %q", got, want)
	}
}

func TestQueryTerms(t *testing.T) {
	tests := []struct {
		q    string
		want []string
	}{
		{"", nil},
		{"the of", nil},
		{"how to parse a Duration", []string{"parse", "duration"}},
		{"parse parsing parsed", []string{"parse"}},
		{"ParseDuration parse_duration", []string{"parse", "duration", "parseduration"}},
	}
	for _, tt := range tests {
		if got := QueryTerms(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("QueryTerms(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestQueriesMeetDocuments checks the point of analysis: the ways people
// write a query share terms with the ways code spells the same thing.
func TestQueriesMeetDocuments(t *testing.T) {
	tests := []struct{ query, doc string }{
		{"parse duration", "func ParseDuration(s string) (Duration, error)"},
		{"ParseDuration", "d, err := time.ParseDuration(v)"},
		{"parseduration", "def parse_duration(text):"},
		{"http server", "type HTTPServer struct{}"},
		{"max chunk chars", "const MAX_CHUNK_CHARS = 1500"},
		{"queued files", "func (q *Queue) File(f string)"},
		{"parsing config", "// parse the configuration; config parses lazily"},
	}
	for _, tt := range tests {
		doc := Terms(tt.doc)
		for _, q := range QueryTerms(tt.query) {
			if !slices.Contains(doc, q) {
				t.Errorf("query %q term %q not among the terms %q of %q", tt.query, q, doc, tt.doc)
			}
		}
	}
}

func TestStemGroups(t *testing.T) {
	// Each group's words share one stem, the first word of the group.
	groups := [][]string{
		{"parse", "parses", "parsed", "parsing"},
		{"file", "files", "filed", "filing"},
		{"type", "types", "typed", "typing"},
		{"state", "states", "stated", "stating"},
		{"query", "queries", "queried", "querying"},
		{"copy", "copies", "copied", "copying"},
		{"run", "runs", "running"},
		{"set", "sets", "setting", "settings"},
		{"add", "adds", "added", "adding"},
		{"use", "uses", "used", "using"},
		{"class", "classes"},
		{"box", "boxes"},
		{"push", "pushes", "pushed", "pushing"},
		{"match", "matches", "matched", "matching"},
		{"cache", "caches", "cached", "caching"},
		{"handl", "handle", "handles", "handled", "handling"},
		{"creat", "create", "creates", "created", "creating"},
		{"release", "releases", "released", "releasing"},
		{"response", "responses"},
		{"value", "values", "valued", "valuing"},
		{"merge", "merges", "merged", "merging"},
		{"solve", "solves", "solved", "solving"},
		{"title", "titles", "titled"},
		{"hope", "hopes", "hoped", "hoping"},
		{"hop", "hops", "hopped", "hopping"},
		{"open", "opens", "opened", "opening"},
		{"focus", "focused", "focusing"},
		{"alias", "aliased"},
		{"emb", "embed", "embeds", "embedded", "embedding"},
		{"engin", "engine", "engines"},
		{"index", "indexes"},
		{"key", "keys"},
		{"play", "plays", "played", "playing"},
		{"cooky", "cookie", "cookies"},
		{"zomby", "zombie", "zombies"},
	}
	for _, g := range groups {
		for _, w := range g[1:] {
			if got := string(stem([]byte(w))); got != g[0] {
				t.Errorf("stem(%q) = %q, want %q", w, got, g[0])
			}
		}
	}
}

func TestStemLeavesAlone(t *testing.T) {
	for _, w := range []string{
		"bus", "string", "thing", "bring", "need", "speed", "status", "this",
		"analysis", "free", "else", "false", "true", "mode", "pipe", "note",
		"time", "code", "theme", "stat", "parser", "ceil", "tie", "lie",
	} {
		if got := string(stem([]byte(w))); got != w {
			t.Errorf("stem(%q) = %q, want it unchanged", w, got)
		}
	}
}

func TestStopWords(t *testing.T) {
	for _, w := range []string{"the", "a", "of", "to", "is", "and", "s", "t", "during"} {
		if !isStopWord([]byte(w)) {
			t.Errorf("isStopWord(%q) = false, want true", w)
		}
	}
	for _, w := range []string{"func", "if", "return", "for", "this", "not", "case", "where", "do", "theme", "x"} {
		if isStopWord([]byte(w)) {
			t.Errorf("isStopWord(%q) = true, want false", w)
		}
	}
}

// checkTerms asserts the documented guarantees of Terms for text.
func checkTerms(t *testing.T, text string) {
	t.Helper()
	for _, term := range Terms(text) {
		if term == "" {
			t.Fatalf("Terms(%q) has an empty term", text)
		}
		if !utf8.ValidString(term) {
			t.Fatalf("Terms(%q) has invalid UTF-8 term %q", text, term)
		}
		if strings.ToLower(term) != term {
			t.Fatalf("Terms(%q) has term %q that is not lowercase", text, term)
		}
		again := Terms(term)
		if mixesLettersAndDigits(term) {
			if !slices.Contains(again, term) {
				t.Fatalf("Terms(%q) = %q lacks %q, a term of %q", term, again, term, text)
			}
		} else if len(again) != 1 || again[0] != term {
			t.Fatalf("Terms(%q) = %q, want [%q], a term of %q", term, again, term, text)
		}
	}
}

func mixesLettersAndDigits(term string) bool {
	first, size := classAt(term, 0)
	for i := size; i < len(term); i += size {
		var c class
		if c, size = classAt(term, i); (c == digit) != (first == digit) {
			return true
		}
	}
	return false
}

func TestTermsGuarantees(t *testing.T) {
	for _, text := range []string{sampleGo, "Queries, copies and releases were processed.", "xǅ1_Ⅻ-ab-2İ"} {
		checkTerms(t, text)
	}
}

func FuzzTerms(f *testing.F) {
	for _, s := range []string{
		"", sampleGo, "time.ParseDuration", "HTTPServer URLs parseJSON2Value",
		"snake_case kebab-case __dunder__", "naïve café 日本語 İstanbul ǅ",
		"abc\xffdef", "running queued files", "x-1 2024-01-02 int64",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkTerms(t, text)
		for _, term := range Terms(text) {
			if isASCIILetters([]byte(term)) {
				if again := string(stem([]byte(term))); again != term {
					t.Fatalf("stem(%q) = %q: stemming is not idempotent", term, again)
				}
			}
		}
	})
}

func BenchmarkTerms(b *testing.B) {
	b.SetBytes(int64(len(sampleGo)))
	b.ReportAllocs()
	var dst []string
	for b.Loop() {
		dst = AppendTerms(dst[:0], sampleGo)
	}
	b.ReportMetric(float64(len(dst)), "terms/op")
}

// sampleGo is about 1.5 KB of Go source, the size of a typical chunk.
const sampleGo = `// ParseDuration parses a duration string.
// A duration string is a possibly signed sequence of
// decimal numbers, each with optional fraction and a unit suffix,
// such as "300ms", "-1.5h" or "2h45m".
// Valid time units are "ns", "us" (or "µs"), "ms", "s", "m", "h".
func ParseDuration(s string) (Duration, error) {
	// [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+
	orig := s
	var d uint64
	neg := false

	// Consume [-+]?
	if s != "" {
		c := s[0]
		if c == '-' || c == '+' {
			neg = c == '-'
			s = s[1:]
		}
	}
	// Special case: if all that is left is "0", this is zero.
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, errors.New("time: invalid duration " + quote(orig))
	}
	for s != "" {
		var (
			v, f  uint64      // integers before, after decimal point
			scale float64 = 1 // value = v + f/scale
		)

		var err error

		// The next character must be [0-9.]
		if !(s[0] == '.' || '0' <= s[0] && s[0] <= '9') {
			return 0, errors.New("time: invalid duration " + quote(orig))
		}
		// Consume [0-9]*
		pl := len(s)
		v, s, err = leadingInt(s)
		if err != nil {
			return 0, errors.New("time: invalid duration " + quote(orig))
		}
		pre := pl != len(s) // whether we consumed anything before a period

		// Consume (\.[0-9]*)?
		post := false
		if s != "" && s[0] == '.' {
			s = s[1:]
			pl := len(s)
			f, scale, s = leadingFraction(s)
			post = pl != len(s)
		}
		if !pre && !post {
			// no digits (e.g. ".s" or "-.s")
			return 0, errors.New("time: invalid duration " + quote(orig))
		}
`
