package chunk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"workspace-qdrant-mcp/internal/digest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenRun is one Split of a golden input, recorded by line ranges.
type goldenRun struct {
	MaxChars     int           `json:"max_chars"`
	OverlapChars int           `json:"overlap_chars"`
	Chunks       []goldenChunk `json:"chunks"`
}

type goldenChunk struct {
	Ordinal   int      `json:"ordinal"`
	StartLine int      `json:"start_line"`
	EndLine   int      `json:"end_line"`
	Chars     int      `json:"chars"`
	FirstLine string   `json:"first_line"` // for reviewing where chunks begin
	Defines   []string `json:"defines,omitempty"`
	Within    string   `json:"within,omitempty"`
}

func TestSplitGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "input", "*"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	optionSets := []Options{{}, {MaxChars: 600, OverlapChars: 100}}
	for _, input := range inputs {
		t.Run(filepath.Base(input), func(t *testing.T) {
			text := readFile(t, input)
			var runs []goldenRun
			for _, opts := range optionSets {
				opts.Language = Language(input)
				chunks := Split(text, opts)
				checkInvariants(t, text, opts, chunks)
				eff := opts.withDefaults()
				runs = append(runs, goldenRun{MaxChars: eff.MaxChars, OverlapChars: eff.OverlapChars, Chunks: toGolden(chunks)})
			}
			got, err := json.MarshalIndent(runs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "golden", filepath.Base(input)+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := readFile(t, golden); string(got) != want {
				t.Errorf("chunks of %s differ from %s (run go test -update to accept):\n%s", input, golden, got)
			}
		})
	}
}

func toGolden(chunks []Chunk) []goldenChunk {
	out := make([]goldenChunk, len(chunks))
	for i, c := range chunks {
		first, _, _ := strings.Cut(c.Text, "\n")
		if len(first) > 60 {
			first = strings.ToValidUTF8(first[:60], "") + "…"
		}
		out[i] = goldenChunk{c.Ordinal, c.StartLine, c.EndLine, len(c.Text), first, c.Defines, c.Within}
	}
	return out
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type span struct{ start, end int }

func spans(chunks []Chunk) []span {
	out := make([]span, len(chunks))
	for i, c := range chunks {
		out[i] = span{c.StartLine, c.EndLine}
	}
	return out
}

func TestSplitEdgeCases(t *testing.T) {
	long := strings.Repeat("é", 40) // 80 bytes
	tests := []struct {
		name string
		text string
		opts Options
		want []span
	}{
		{"empty", "", Options{}, nil},
		{"whitespace only", " \n\t\n\r\n   \n\u00a0\n", Options{}, nil},
		{"one line without newline", "x", Options{}, []span{{1, 1}}},
		{"one line with newline", "x\n", Options{}, []span{{1, 1}}},
		{"trailing blank lines stay", "x\n\n\n", Options{}, []span{{1, 3}}},
		{"leading blank lines stay", "\n\nx", Options{}, []span{{1, 3}}},
		{"CRLF", "a\r\nb\r\n", Options{}, []span{{1, 2}}},
		{"exact fit", "12345\n12345\n", Options{MaxChars: 12}, []span{{1, 2}}},
		{"one byte over", "12345\n12345\n", Options{MaxChars: 11, OverlapChars: -1}, []span{{1, 1}, {2, 2}}},
		{"long line alone", "a\n" + long + "\nb\n", Options{MaxChars: 20, OverlapChars: -1}, []span{{1, 1}, {2, 2}, {3, 3}}},
		{"long line not overlapped", "a\n" + long + "\nb\n", Options{MaxChars: 20, OverlapChars: 10}, []span{{1, 1}, {2, 2}, {3, 3}}},
		{"overlap of whole lines", "aaa\nbbb\nccc\nddd\neee\n", Options{MaxChars: 12, OverlapChars: 4}, []span{{1, 3}, {3, 5}}},
		{"overlap leaves room for a new line", "aaa\nbbb\nccccccccccc\n", Options{MaxChars: 12, OverlapChars: 6}, []span{{1, 2}, {3, 3}}},
		{"blank window skipped", "x\n" + strings.Repeat(" \n", 10) + "y\n", Options{MaxChars: 6, OverlapChars: -1}, []span{{1, 3}, {10, 12}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks := Split(tt.text, tt.opts)
			checkInvariants(t, tt.text, tt.opts, chunks)
			if got := spans(chunks); !slices.Equal(got, tt.want) {
				t.Errorf("Split line ranges = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSplitPrefersSeams(t *testing.T) {
	body := func(n int) string { return strings.Repeat("\tx++\n", n) } // 5 bytes a line
	tests := []struct {
		name string
		text string
		want []span
	}{
		{
			// Lines 1-12 are 63 of the 99 bytes that fit; the declaration at line 13
			// lies within the last 40%, so the window ends before it.
			"before a declaration",
			"func a() {\n" + body(10) + "}\nfunc b() {\n" + body(30) + "}\n",
			[]span{{1, 12}, {13, 30}, {31, 44}},
		},
		{
			"with the comments above a declaration",
			"func a() {\n" + body(10) + "}\n// b does.\n// Really.\nfunc b() {\n" + body(30) + "}\n",
			[]span{{1, 12}, {13, 28}, {29, 46}},
		},
		{
			"after a blank line",
			"{\n" + body(12) + "\n" + body(30) + "}\n",
			[]span{{1, 14}, {15, 34}, {35, 45}},
		},
		{
			"not when the seam is too early",
			"func a() {\n" + body(2) + "}\nfunc b() {\n" + body(40) + "}\n",
			[]span{{1, 18}, {19, 38}, {39, 46}},
		},
		{
			"Markdown headings",
			"# A\n" + strings.Repeat("text\n", 13) + "## B\n" + strings.Repeat("text\n", 30),
			[]span{{1, 14}, {15, 34}, {35, 45}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{MaxChars: 100, OverlapChars: -1}
			chunks := Split(tt.text, opts)
			checkInvariants(t, tt.text, opts, chunks)
			if got := spans(chunks); !slices.Equal(got, tt.want) {
				t.Errorf("Split line ranges = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	tests := []struct{ in, want Options }{
		{Options{}, Options{MaxChars: 1500, OverlapChars: 200}},
		{Options{MaxChars: -1, OverlapChars: -1}, Options{MaxChars: 1500}},
		{Options{MaxChars: 100, OverlapChars: 80}, Options{MaxChars: 100, OverlapChars: 50}},
		{Options{MaxChars: 1, OverlapChars: 0, Language: "go"}, Options{MaxChars: 1, Language: "go"}},
	}
	for _, tt := range tests {
		if got := tt.in.withDefaults(); got != tt.want {
			t.Errorf("%+v.withDefaults() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestSplitInvariantsOnRandomText(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		text := randomText(r, r.IntN(200))
		opts := Options{MaxChars: r.IntN(400) - 20, OverlapChars: r.IntN(300) - 50, Language: testLanguages[r.IntN(len(testLanguages))]}
		checkInvariants(t, text, opts, Split(text, opts))
		if t.Failed() {
			t.Fatalf("case %d: text %q, options %+v", i, text, opts)
		}
	}
}

// randomText returns n lines mixing code, prose, blank and whitespace
// lines, long and multi-byte lines, and CRLF endings.
func randomText(r *rand.Rand, n int) string {
	kinds := []func() string{
		func() string { return "func f() {\n" },
		func() string { return "\treturn x + y // añadir\n" },
		func() string { return "\n" },
		func() string { return "  \t \n" },
		func() string { return "# Heading\n" },
		func() string { return "// comment\n" },
		func() string { return strings.Repeat("日本語", r.IntN(60)) + "\n" },
		func() string { return "line\r\n" },
		func() string { return "}\n" },
		func() string { return "class C {\n" },
		func() string { return "  def m(self):\n" },
		func() string { return "  fn m() {}\n" },
		func() string { return "end\n" },
		func() string { return "@decorator\n" },
		func() string { return "\"\"\" ` /* '\n" },
		func() string { return "  def f(x) do\n" },
		func() string { return "function M.f(a)\n" },
		func() string { return "f :: Int -> Int\n" },
		func() string { return "f x = x\n" },
		func() string { return "sub new {\n" },
		func() string { return "=head1 NAME\n" },
		func() string { return "=cut\n" },
		func() string { return "  @doc \"\"\"\n" },
		func() string { return "let rec g y =\n" },
		func() string { return "(defn h [z]\n" },
		func() string { return "{-\n" },
		func() string { return "-}\n" },
	}
	var b strings.Builder
	for range n {
		b.WriteString(kinds[r.IntN(len(kinds))]())
	}
	if r.IntN(2) == 0 {
		return strings.TrimSuffix(b.String(), "\n")
	}
	return b.String()
}

// testLanguages are the languages whose syntax Split knows, and one it
// does not.
var testLanguages = []string{"", "go", "python", "ruby", "javascript", "typescript", "rust", "php", "java", "c", "kotlin",
	"elixir", "lua", "julia", "haskell", "erlang", "ocaml", "clojure", "perl", "zig", "shell", "r", "objective-c"}

// checkInvariants asserts the documented properties of the chunks of text.
func checkInvariants(t testing.TB, text string, opts Options, chunks []Chunk) {
	t.Helper()
	checkDeclarations(t, text, opts, chunks)
	eff := opts.withDefaults()
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	covered := make([]bool, len(lines))
	for i, c := range chunks {
		if c.Ordinal != i {
			t.Errorf("chunk %d has ordinal %d", i, c.Ordinal)
		}
		if c.StartLine < 1 || c.StartLine > c.EndLine || c.EndLine > len(lines) {
			t.Fatalf("chunk %d has line range %d-%d in a text of %d lines", i, c.StartLine, c.EndLine, len(lines))
		}
		if want := strings.Join(lines[c.StartLine-1:c.EndLine], ""); c.Text != want {
			t.Errorf("chunk %d text %q is not lines %d-%d %q", i, c.Text, c.StartLine, c.EndLine, want)
		}
		if len(c.Text) > eff.MaxChars && c.StartLine != c.EndLine {
			t.Errorf("chunk %d of lines %d-%d has %d bytes, more than %d", i, c.StartLine, c.EndLine, len(c.Text), eff.MaxChars)
		}
		if sum := sha256.Sum256([]byte(c.Text)); c.Hash != hex.EncodeToString(sum[:]) {
			t.Errorf("chunk %d hash %s is not the SHA-256 of its text", i, c.Hash)
		}
		if strings.TrimSpace(c.Text) == "" {
			t.Errorf("chunk %d is blank", i)
		}
		if utf8.ValidString(text) && !utf8.ValidString(c.Text) {
			t.Errorf("chunk %d is not valid UTF-8", i)
		}
		if i > 0 {
			checkSuccession(t, lines, eff, chunks[i-1], c)
		}
		for l := c.StartLine; l <= c.EndLine; l++ {
			covered[l-1] = true
		}
	}
	for i, l := range lines {
		if !covered[i] && strings.TrimSpace(l) != "" {
			t.Errorf("line %d %q is in no chunk", i+1, l)
		}
	}
}

// checkDeclarations asserts that no declaration starts in the middle of
// a chunk without ending in it, and that each chunk lists, sorted and
// once each, the names declared on its lines.
func checkDeclarations(t testing.TB, text string, opts Options, chunks []Chunk) {
	t.Helper()
	text, _ = blankBOM(text)
	ls := splitLines(text)
	st := parseStructure(text, ls, opts.Language)
	for _, c := range chunks {
		if st == nil {
			if c.Defines != nil {
				t.Errorf("chunk %d of text without syntax defines %q", c.Ordinal, c.Defines)
			}
			continue
		}
		for _, u := range st.units {
			if u.start > c.StartLine-1 && u.start < c.EndLine && u.end > c.EndLine {
				t.Errorf("declaration of lines %d-%d starts inside chunk %d (lines %d-%d) but ends after it",
					u.start+1, u.end, c.Ordinal, c.StartLine, c.EndLine)
			}
		}
		var want []string
		for _, n := range st.names {
			if n.line >= c.StartLine-1 && n.line < c.EndLine {
				want = append(want, n.name)
			}
		}
		slices.Sort(want)
		if want = slices.Compact(want); !slices.Equal(c.Defines, want) {
			t.Errorf("chunk %d defines %q, want %q", c.Ordinal, c.Defines, want)
		}
	}
}

// checkSuccession asserts that chunk c advances past prev and repeats at
// most the allowed overlap of it.
func checkSuccession(t testing.TB, lines []string, opts Options, prev, c Chunk) {
	t.Helper()
	if c.StartLine <= prev.StartLine || c.EndLine <= prev.EndLine {
		t.Errorf("chunk %d (lines %d-%d) does not advance past chunk %d (lines %d-%d)",
			c.Ordinal, c.StartLine, c.EndLine, prev.Ordinal, prev.StartLine, prev.EndLine)
	}
	if c.StartLine <= prev.EndLine {
		if n := len(strings.Join(lines[c.StartLine-1:prev.EndLine], "")); n > opts.OverlapChars {
			t.Errorf("chunk %d repeats %d bytes of chunk %d, more than %d", c.Ordinal, n, prev.Ordinal, opts.OverlapChars)
		}
	}
}

func TestSplitDeterministic(t *testing.T) {
	text := readFile(t, filepath.Join("testdata", "input", "limiter.go"))
	if a, b := Split(text, Options{Language: "go"}), Split(text, Options{Language: "go"}); !reflect.DeepEqual(a, b) {
		t.Error("two Splits of the same text differ")
	}
}

func TestChunkID(t *testing.T) {
	c := Chunk{Ordinal: 3, StartLine: 10, EndLine: 20, Text: "x", Hash: digest.HexSHA256("x")}
	id := ChunkID("file:/a.go", c)
	if len(id) != 32 {
		t.Fatalf("ChunkID = %q, want 32 hex digits", id)
	}
	if _, err := hex.DecodeString(id); err != nil {
		t.Fatalf("ChunkID = %q is not hex: %v", id, err)
	}
	sum := sha256.Sum256([]byte("file:/a.go\x003\x00" + c.Hash))
	if want := hex.EncodeToString(sum[:])[:32]; id != want {
		t.Errorf("ChunkID = %s, want %s", id, want)
	}
	moved := c
	moved.StartLine, moved.EndLine = 11, 21 // line numbers are not part of the id
	if ChunkID("file:/a.go", moved) != id {
		t.Error("ChunkID depends on line numbers")
	}
	for name, other := range map[string]string{
		"doc":     ChunkID("file:/b.go", c),
		"ordinal": ChunkID("file:/a.go", Chunk{Ordinal: 4, Hash: c.Hash}),
		"content": ChunkID("file:/a.go", Chunk{Ordinal: 3, Hash: digest.HexSHA256("y")}),
	} {
		if other == id {
			t.Errorf("ChunkID ignores the %s", name)
		}
	}
}

func TestLanguage(t *testing.T) {
	tests := map[string]string{
		"main.go": "go", "/src/app/Server.GO": "go", "lib/x.py": "python",
		"a.js": "javascript", "a.mjs": "javascript", "a.tsx": "typescript", "a.ts": "typescript",
		"lib.rs": "rust", "x.c": "c", "x.h": "c", "x.cpp": "cpp", "x.hpp": "cpp",
		"A.java": "java", "a.rb": "ruby", "run.sh": "shell", "README.md": "markdown",
		"c.yaml": "yaml", "c.yml": "yaml", "p.json": "json", "Cargo.toml": "toml",
		"i.html": "html", "s.css": "css", "q.sql": "sql", "Makefile": "makefile",
		"Dockerfile": "dockerfile", "Dockerfile.dev": "dockerfile", "go.mod": "gomod",
		"notes.txt": "text", "image.png": "", "noext": "", "": "", ".gitignore": "",
	}
	for path, want := range tests {
		if got := Language(path); got != want {
			t.Errorf("Language(%q) = %q, want %q", path, got, want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("", 0, 0)
	f.Add("a\nb\nc", 2, 1)
	f.Add("func a() {\n\tx++\n}\n\nfunc b() {}\n", 20, 5)
	f.Add("é\r\n\n  \n"+strings.Repeat("日本", 30)+"\nz", 10, 3)
	f.Add("# T\ntext\n## U\nmore text\n", 9, -1)
	f.Add("class A {\n  foo() {\n    x();\n  }\n}\n", 12, 4)
	f.Add("@d\ndef f():\n    '''\n}\n'''\n    pass\n", 15, 3)
	f.Add("x = '\\\n/* \"\"\" --[[ '\\'' 'é\n", 7, 1)
	f.Fuzz(func(t *testing.T, text string, maxChars, overlap int) {
		lang := testLanguages[uint(maxChars+overlap)%uint(len(testLanguages))]
		opts := Options{MaxChars: maxChars % 5000, OverlapChars: overlap % 5000, Language: lang}
		chunks := Split(text, opts)
		checkInvariants(t, text, opts, chunks)
		for i, f := range FileFacts(text, lang, chunks) {
			if f.Logic < 0 || f.Logic > MaxLogic || f.Comments < 0 || f.Comments > 1 {
				t.Errorf("chunk %d: FileFacts = %+v", i, f)
			}
		}
	})
}

// BenchmarkSplit splits a large Go file by lines alone (the rules of
// Split before Version 2) and by its syntax.
func BenchmarkSplit(b *testing.B) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skipf("go env GOROOT: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "src", "net", "http", "server.go")
	src, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("no large Go file to split: %v", err)
	}
	text := string(src)
	for _, lang := range []string{"", "go"} {
		b.Run("language="+lang, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			var chunks []Chunk
			for b.Loop() {
				chunks = Split(text, Options{Language: lang})
			}
			b.ReportMetric(float64(len(chunks)), "chunks/op")
		})
	}
}

// BenchmarkSplitBraces splits the fixtures of the languages whose
// declarations Split finds by patterns and braces (Java, JavaScript, PHP,
// Rust, TypeScript): their cost is the declaration patterns tried on
// each line.
func BenchmarkSplitBraces(b *testing.B) {
	var texts, langs []string
	size := 0
	for _, name := range []string{"Inventory.java", "app.js", "shapes.php", "shapes.rs", "widgets.ts"} {
		data, err := os.ReadFile(filepath.Join("testdata", "input", name))
		if err != nil {
			b.Fatal(err)
		}
		texts, langs = append(texts, string(data)), append(langs, Language(name))
		size += len(data)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for i, text := range texts {
			Split(text, Options{Language: langs[i]})
		}
	}
}
