package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// PPMI by hand: counts [[4, 0], [1, 3]], context smoothing 1 (none).
// Row sums 4 and 4, column probabilities 5/8 and 3/8:
// pmi(0,0) = ln(4 / (4·5/8)) = ln 1.6; pmi(1,0) = ln(1/(4·5/8)) < 0, left
// out; pmi(1,1) = ln(3 / (4·3/8)) = ln 2.
func TestPPMIByHand(t *testing.T) {
	a := ppmi([]float32{4, 0, 1, 3}, 2, 2, 1)
	if !slices.Equal(a.start, []int{0, 1, 2}) || !slices.Equal(a.col, []int32{0, 1}) {
		t.Fatalf("structure: start %v, columns %v; want [0 1 2], [0 1]", a.start, a.col)
	}
	if math.Abs(float64(a.val[0])-math.Log(1.6)) > 1e-6 || math.Abs(float64(a.val[1])-math.Log(2)) > 1e-6 {
		t.Errorf("values %v, want [ln 1.6, ln 2]", a.val)
	}
}

// The randomized SVD of a diagonal matrix finds its largest values and
// their axes (to 10⁻⁴: power iterations converge, they do not solve).
func TestRandomizedSVDDiagonal(t *testing.T) {
	diag := []float32{1, 5, 3, 0.5, 2, 4}
	a := &csr{rows: len(diag), cols: len(diag), start: make([]int, len(diag)+1)}
	for i, d := range diag {
		a.col = append(a.col, int32(i))
		a.val = append(a.val, d)
		a.start[i+1] = i + 1
	}
	u, sv, err := randomizedSVD(a, 2, 3, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(sv[0]-5) > 1e-4 || math.Abs(sv[1]-4) > 1e-4 {
		t.Errorf("singular values %v, want 5, 4", sv)
	}
	// The first left singular vector is ±e1 (the 5), the second ±e5.
	if math.Abs(math.Abs(u.At(1, 0))-1) > 1e-4 || math.Abs(math.Abs(u.At(5, 1))-1) > 1e-4 {
		t.Errorf("U columns %v, %v; want ±e1, ±e5", u.ColView(0), u.ColView(1))
	}
}

// Co-occurrence counts pairs within the window, weighted 1/distance, and
// never across files.
func TestCooccurWindowAndFiles(t *testing.T) {
	c := &corpus{ids: map[string]uint32{}, seen: map[[32]byte]bool{}}
	c.add("alpha beta gamma", scripting)
	c.add("gamma alpha", scripting)
	rows := []uint32{c.ids["alpha"], c.ids["beta"], c.ids["gamma"]}
	m := c.cooccur(rows, rows, 2)
	at := func(r, k int) float32 { return m[r*3+k] }
	// alpha–beta: distance 1 in file 1; alpha–gamma: 2 in file 1, 1 in
	// file 2 (1/2 + 1); beta–gamma: 1.
	if at(0, 1) != 1 || at(0, 2) != 1.5 || at(1, 2) != 1 || at(2, 0) != 1.5 || at(0, 0) != 0 {
		t.Errorf("matrix %v", m)
	}
}

func TestManifest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.txt")
	text := "# sources\ngo github.com/BurntSushi/toml v1.5.0\nnpm @babel/core 7.0.0 # scoped\n\ndeb ruby-thor 1.2.1-1\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, err := readManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{"/c/gomod/github.com/!burnt!sushi/toml@v1.5.0", "/c/npm/@babel_core@7.0.0", "/c/deb/ruby-thor_1.2.1-1"}
	if len(srcs) != 3 {
		t.Fatalf("%d sources, want 3", len(srcs))
	}
	for i, s := range srcs {
		if got := filepath.ToSlash(s.dir("/c")); got != dirs[i] {
			t.Errorf("source %d dir %s, want %s", i, got, dirs[i])
		}
	}
	if err := os.WriteFile(path, []byte("pip requests 2.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readManifest(path); err == nil {
		t.Error("a pip line was accepted")
	}
}

// Comment blocks are tied to the code lines after them, up to a blank
// line or the next comment; docstrings to their def line and the body.
func TestCommentBlocks(t *testing.T) {
	tests := []struct {
		name, text string
		maxCode    int
		want       []commentBlock
	}{
		{"go doc comment", "package x\n\n// ClientIP returns the true address\n// behind load balancers.\nfunc ClientIP() string {\n\treturn xff\n}\n\nvar y = 1\n", 8,
			[]commentBlock{{"// ClientIP returns the true address\n// behind load balancers.", "func ClientIP() string {\n\treturn xff\n}"}}},
		{"block comment, then a comment ends the code", "/**\n * Hidden input.\n */\nfunction readSecret() {\n  // echo off\n  tty.setRawMode()\n}\n", 8,
			[]commentBlock{{"/**\n * Hidden input.\n */", "function readSecret() {"}, {"  // echo off", "  tty.setRawMode()\n}"}}},
		{"python docstring", "def suggest(word):\n    \"\"\"Close matches of a\n    mistyped command.\"\"\"\n    return levenshtein(word)\n", 8,
			[]commentBlock{{"    \"\"\"Close matches of a\n    mistyped command.\"\"\"", "def suggest(word):\n    return levenshtein(word)"}}},
		{"one-line docstring, ruby comment", "class A:\n    '''An a.'''\n# frob it\ndef frob(): pass\n", 8,
			[]commentBlock{{"    '''An a.'''", "class A:"}, {"# frob it", "def frob(): pass"}}},
		{"at most maxCode lines", "# frob it\ndef frob():\n    x = 1\n    return x\n", 2,
			[]commentBlock{{"# frob it", "def frob():\n    x = 1"}}},
		{"licence, attribute, comment without code", "// Copyright 2020 The Authors.\npackage x\n#[derive(Debug)]\nstruct S;\n\n// trailing\n", 8,
			nil},
	}
	for _, tt := range tests {
		if got := commentBlocks(tt.text, scripting, tt.maxCode); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Tying a comment to its code adds weight/√(C·D) to every pair of a
// comment term and a code term, both ways, and nothing within a side.
func TestTieComments(t *testing.T) {
	c := &corpus{ids: map[string]uint32{}, seen: map[[32]byte]bool{}, codeLines: 8}
	c.add("// invisible secret\nfunc hidden() {}\n", scripting)
	ids := func(ts ...string) []uint32 {
		var out []uint32
		for _, s := range ts {
			id, ok := c.ids[s]
			if !ok {
				t.Fatalf("no term %q in %v", s, c.terms)
			}
			out = append(out, id)
		}
		return out
	}
	rows := ids("invisibl", "secret", "func", "hidden")
	m := make([]float32, len(rows)*len(rows))
	c.tieComments(m, rows, rows, 2)
	at := func(r, k int) float32 { return m[r*len(rows)+k] }
	w := float32(2 / math.Sqrt(4)) // 2 comment terms × 2 code terms
	for _, p := range [][2]int{{0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 0}, {3, 1}} {
		if got := at(p[0], p[1]); got != w {
			t.Errorf("%s–%s: %v, want %v", c.terms[rows[p[0]]], c.terms[rows[p[1]]], got, w)
		}
	}
	for _, p := range [][2]int{{0, 1}, {2, 3}, {0, 0}} {
		if got := at(p[0], p[1]); got != 0 {
			t.Errorf("%s–%s within one side: %v, want 0", c.terms[rows[p[0]]], c.terms[rows[p[1]]], got)
		}
	}
}

// Each language's comment marks make blocks, tied to the code after them,
// and the marks of one language are code in another: C's (*fp)() call,
// --i and #include, Lua's --[[ block that is not a -- line.
func TestCommentBlocksByLanguage(t *testing.T) {
	tests := []struct {
		ext, text string
		want      []commentBlock
	}{
		{".hs", "-- | Parse the options\n-- of a command line.\nexecParser :: ParserInfo a -> IO a\nexecParser = undefined\n",
			[]commentBlock{{"-- | Parse the options\n-- of a command line.", "execParser :: ParserInfo a -> IO a\nexecParser = undefined"}}},
		{".hs", "{-| Run a parser,\n    failing on error. -}\nrun :: P a -> a\n",
			[]commentBlock{{"{-| Run a parser,\n    failing on error. -}", "run :: P a -> a"}}},
		{".lua", "--[[ Install a rock\n  from its spec. ]]\nfunction install(spec)\nend\n-- remove it\nlocal function remove() end\n",
			[]commentBlock{{"--[[ Install a rock\n  from its spec. ]]", "function install(spec)\nend"}, {"-- remove it", "local function remove() end"}}},
		{".ml", "(** [eval t] evaluates the term\n    [t]. *)\nlet eval t = t\n",
			[]commentBlock{{"(** [eval t] evaluates the term\n    [t]. *)", "let eval t = t"}}},
		{".mli", "(* one line *)\nval run : unit -> unit\n",
			[]commentBlock{{"(* one line *)", "val run : unit -> unit"}}},
		{".erl", "%% @doc Start the listener\n%% on a port.\nstart(Port) ->\n    ok.\n",
			[]commentBlock{{"%% @doc Start the listener\n%% on a port.", "start(Port) ->\n    ok."}}},
		{".clj", ";; Put a value on the channel,\n;; parking if it is full.\n(defn put! [ch v]\n  (offer ch v))\n",
			[]commentBlock{{";; Put a value on the channel,\n;; parking if it is full.", "(defn put! [ch v]\n  (offer ch v))"}}},
		{".pm", "=head2 to_app\n\nReturn the PSGI application.\n\n=cut\n\nsub to_app {\n    my $self = shift;\n}\n",
			[]commentBlock{{"=head2 to_app\n\nReturn the PSGI application.\n\n=cut", "sub to_app {\n    my $self = shift;\n}"}}},
		{".pl", "# Read the config file.\nsub read_config { }\n",
			[]commentBlock{{"# Read the config file.", "sub read_config { }"}}},
		{".ex", "  @doc \"\"\"\n  Splits a string\n  on whitespace.\n  \"\"\"\n  def split(s), do: s\n",
			[]commentBlock{{"  @doc \"\"\"\n  Splits a string\n  on whitespace.\n  \"\"\"", "  def split(s), do: s"}}},
		{".cs", "/// <summary>Serializes the object to JSON.</summary>\npublic static string SerializeObject(object value)\n",
			[]commentBlock{{"/// <summary>Serializes the object to JSON.</summary>", "public static string SerializeObject(object value)"}}},
		{".java", "/**\n * Parse HTML into a Document.\n */\npublic static Document parse(String html) {\n",
			[]commentBlock{{"/**\n * Parse HTML into a Document.\n */", "public static Document parse(String html) {"}}},
		{".c", "/* Copy the string. */\n#include <string.h>\n(*fp)(x);\n--i;\n",
			[]commentBlock{{"/* Copy the string. */", "#include <string.h>\n(*fp)(x);\n--i;"}}},
		{".jl", "\"\"\"\n    solve(A, b)\n\nSolve the linear system.\n\"\"\"\nfunction solve(A, b)\n",
			[]commentBlock{{"\"\"\"\n    solve(A, b)\n\nSolve the linear system.\n\"\"\"", "function solve(A, b)"}}},
		// A blank line after a comment ends it, but for Perl's POD.
		{".java", "// detached\n\nclass A {}\n", nil},
	}
	for _, tt := range tests {
		syn, ok := sourceSyntax[tt.ext]
		if !ok {
			t.Fatalf("%s is not a source kind", tt.ext)
		}
		if got := commentBlocks(tt.text, syn, 8); !slices.Equal(got, tt.want) {
			t.Errorf("%s %q:\ngot  %q\nwant %q", tt.ext, tt.text, got, tt.want)
		}
	}
}

// The evaluation's languages are all read.
func TestSourceKinds(t *testing.T) {
	for _, ext := range []string{".go", ".py", ".java", ".kt", ".scala", ".c", ".h", ".cpp", ".hpp", ".cs", ".hs",
		".ml", ".mli", ".ex", ".exs", ".erl", ".hrl", ".pm", ".pl", ".lua", ".clj", ".cljs", ".cljc",
		".swift", ".dart", ".zig", ".jl"} {
		if _, ok := sourceSyntax[ext]; !ok {
			t.Errorf("%s files are not read", ext)
		}
	}
}

// A debsrc line names the tarball and its SHA-256, and is fetched under
// debsrc/; one without a 64-digit checksum is refused.
func TestManifestDebsrc(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.txt")
	sum := "3ba940b97571c866923f0409678033d33b5a98758dfc174fad8397ed908bc4d9"
	if err := os.WriteFile(path, []byte("debsrc jq 1.6-2.1 jq_1.6.orig.tar.gz "+sum+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, err := readManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	want := source{kind: "debsrc", name: "jq", version: "1.6-2.1", file: "jq_1.6.orig.tar.gz", sha256: sum}
	if len(srcs) != 1 || srcs[0] != want {
		t.Fatalf("sources %+v, want %+v", srcs, want)
	}
	if got := filepath.ToSlash(srcs[0].dir("/c")); got != "/c/debsrc/jq_1.6-2.1" {
		t.Errorf("dir %s, want /c/debsrc/jq_1.6-2.1", got)
	}
	for _, bad := range []string{"debsrc jq 1.6-2.1 jq_1.6.orig.tar.gz\n", "debsrc jq 1.6-2.1 jq_1.6.orig.tar.gz 3ba9\n", "deb jq 1.6-2.1 jq_1.6.orig.tar.gz " + sum + "\n"} {
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readManifest(path); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// The corpus reads the new languages' files, with their comment blocks,
// and nothing that is not source.
func TestReadLanguages(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"Parse.hs":   "-- | Parse the options of a command line.\nexecParser :: IO ()\n",
		"notes.txt":  "-- | not source\nplain words\n",
		"Writer.cs":  "/// Serializes the object.\npublic string SerializeObject() {}\n",
		"cmd.ml":     "(* Suggest a spelling. *)\nlet suggest w = w\n",
		"chan.clj":   ";; Put a value.\n(defn put! [ch v] v)\n",
		"server.erl": "%% Start the listener.\nstart(Port) -> ok.\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := newCorpus(sourceSyntax, 8)
	if err := c.read(dir); err != nil {
		t.Fatal(err)
	}
	if c.files != 5 {
		t.Errorf("%d files read, want 5 (not notes.txt)", c.files)
	}
	if _, ok := c.ids["plain"]; ok {
		t.Error("notes.txt was read")
	}
	seps := 0 // a block is its comment's ids, sep, its code's ids, sep
	for _, id := range c.blocks {
		if id == sep {
			seps++
		}
	}
	if seps != 2*5 {
		t.Errorf("%d comment blocks, want one for each of the 5 files", seps/2)
	}
}

// -manifest names several files, comma-separated: their sources in
// order, the first file's first. A missing file or an empty list is an
// error.
func TestManifests(t *testing.T) {
	dir := t.TempDir()
	first, more := filepath.Join(dir, "manifest.txt"), filepath.Join(dir, "manifest-more.txt")
	if err := os.WriteFile(first, []byte("go github.com/BurntSushi/toml v1.5.0\ndeb ruby-thor 1.2.1-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := "3ba940b97571c866923f0409678033d33b5a98758dfc174fad8397ed908bc4d9"
	if err := os.WriteFile(more, []byte("# more\ndebsrc jq 1.6-2.1 jq_1.6.orig.tar.gz "+sum+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, err := readManifests(first + "," + more)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range srcs {
		names = append(names, s.name)
	}
	if want := []string{"github.com/BurntSushi/toml", "ruby-thor", "jq"}; !slices.Equal(names, want) {
		t.Errorf("sources %v, want %v", names, want)
	}
	if srcs, err := readManifests(first); err != nil || len(srcs) != 2 {
		t.Errorf("one file: %d sources, %v; want 2", len(srcs), err)
	}
	for _, bad := range []string{first + "," + filepath.Join(dir, "missing.txt"), "", ","} {
		if _, err := readManifests(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// writeFiles writes text files under dir, making their directories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Train reads the sources the manifest lists, in its order, and nothing
// else the corpus directory holds (another manifest's sources, fetched
// into the same directory); a listed source not fetched is an error.
func TestReadSourcesListedOnly(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"npm/left-pad@1.3.0/index.js":       "module.exports = leftpad\n",
		"deb/ruby-thor_1.2.1-1/lib/thor.rb": "class Thor\nend\n",
		"npm/unlisted@2.0.0/index.js":       "module.exports = unlisted\n",
		"debsrc/jq_1.6-2.1/src/main.py":     "def jqmain(): pass\n",
	})
	srcs := []source{{kind: "deb", name: "ruby-thor", version: "1.2.1-1"}, {kind: "npm", name: "left-pad", version: "1.3.0"}}
	c := newCorpus(languageKindsMust(t, "first"), 8)
	if err := c.readSources(root, srcs); err != nil {
		t.Fatal(err)
	}
	if c.files != 2 {
		t.Errorf("%d files read, want 2", c.files)
	}
	for _, term := range []string{"unlist", "jqmain"} {
		if _, ok := c.ids[term]; ok {
			t.Errorf("%q read: an unlisted source", term)
		}
	}
	// The manifest's order: thor's file, then left-pad's.
	if got := c.terms[c.seq[0]]; got != "class" {
		t.Errorf("first term %q, want class (ruby-thor, listed first)", got)
	}
	c = newCorpus(languageKindsMust(t, "first"), 8)
	if err := c.readSources(root, append(srcs, source{kind: "npm", name: "absent", version: "1.0.0"})); err == nil {
		t.Error("a listed source that is not fetched was not reported")
	}
}

func languageKindsMust(t *testing.T, languages string) map[string]syntax {
	t.Helper()
	kinds, err := languageKinds(languages)
	if err != nil {
		t.Fatal(err)
	}
	return kinds
}

// -languages first reads the first 7 languages' files only (a .java file
// of a Python package is left out, as the shipped table left it out);
// all reads it too; anything else is refused.
func TestLanguages(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"pkg/client.py":        "# Fetch the page.\ndef fetch(url): pass\n",
		"pkg/java/Client.java": "// Send the request.\npublic void sendrequest() {}\n",
		"pkg/ext/speedup.c":    "/* Hash a key. */\nint hashkey(void);\n",
	})
	read := func(languages string) *corpus {
		c := newCorpus(languageKindsMust(t, languages), 8)
		if err := c.read(dir); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := read("first")
	if c.files != 1 {
		t.Errorf("first: %d files read, want 1 (client.py)", c.files)
	}
	for _, term := range []string{"sendrequest", "hashkey"} {
		if _, ok := c.ids[term]; ok {
			t.Errorf("first: %q read", term)
		}
	}
	c = read("all")
	if c.files != 3 {
		t.Errorf("all: %d files read, want 3", c.files)
	}
	for _, term := range []string{"sendrequest", "hashkey"} {
		if _, ok := c.ids[term]; !ok {
			t.Errorf("all: %q not read", term)
		}
	}
	first := languageKindsMust(t, "first")
	for _, ext := range []string{".go", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts", ".py", ".rs", ".rb", ".php"} {
		if _, ok := first[ext]; !ok {
			t.Errorf("first: %s not read", ext)
		}
	}
	if len(first) != 13 {
		t.Errorf("first: %d kinds, want 13", len(first))
	}
	if _, err := languageKinds("some"); err == nil {
		t.Error("-languages some was accepted")
	}
}
