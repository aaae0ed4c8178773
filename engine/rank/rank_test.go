package rank

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
)

func hit(id string, kr int, ks float64, sr int, ss float64) storage.Hit {
	return storage.Hit{Chunk: storage.Chunk{ID: id, DocID: id, Kind: storage.KindFile}, KeywordRank: kr, KeywordScore: ks, SemanticRank: sr, SemanticScore: ss}
}

// fourHits are the candidates of the fusion tests, then more: a and d in
// both legs, b only in the keyword leg, c only in the semantic one.
func fourHits(more ...storage.Hit) []storage.Hit {
	return append([]storage.Hit{
		hit("a", 1, 9, 3, 0.5),
		hit("b", 2, 5, 0, 0),
		hit("c", 0, 0, 1, 0.8),
		hit("d", 3, 1, 2, 0.6),
	}, more...)
}

// The fused score is Σ w/(60+rank) over the legs; a leg's threshold drops
// its candidates below it and renumbers the rest before fusion.
func TestFusion(t *testing.T) {
	hits := fourHits()
	plain := Options{Mode: storage.ModeHybrid, Tuning: Tuning{Fusion: FusionRRF, KeywordWeight: 1, SemanticWeight: 1}}
	got := Rank(hits, ParseQuery("x"), plain)
	want := map[string]float64{"a": 1.0/61 + 1.0/63, "b": 1.0 / 62, "c": 1.0 / 61, "d": 1.0/63 + 1.0/62}
	order := []string{"a", "d", "c", "b"}
	for i, h := range got {
		if h.Chunk.ID != order[i] || math.Abs(h.Score-want[h.Chunk.ID]) > 1e-12 || len(h.Rules) != 0 {
			t.Errorf("rank %d: %s %v %v, want %s %v and no rules", i+1, h.Chunk.ID, h.Score, h.Rules, order[i], want[order[i]])
		}
	}

	// Keyword threshold 4 drops d from the keyword leg; semantic
	// threshold 0.55 drops a from the semantic leg and makes d second.
	kw, sem := 4.0, 0.55
	o := plain
	o.MinKeyword, o.MinSemantic = &kw, &sem
	ranks := map[string][2]int{}
	for _, h := range Rank(hits, ParseQuery("x"), o) {
		ranks[h.Chunk.ID] = [2]int{h.KeywordRank, h.SemanticRank}
	}
	wantRanks := map[string][2]int{"a": {1, 0}, "b": {2, 0}, "c": {0, 1}, "d": {0, 2}}
	if fmt.Sprint(ranks) != fmt.Sprint(wantRanks) {
		t.Errorf("ranks after thresholds %v, want %v", ranks, wantRanks)
	}
}

// Score fusion divides each leg's scores by the leg's best among the
// candidates, weighs them and divides by 61; it keeps the distance between
// candidates that ranks lose: b, far behind a on BM25 but second, is
// worth about half of a's keyword part, not 61/62 of it.
func TestScoreFusion(t *testing.T) {
	hits := fourHits(hit("e", 4, 1, 0, 0), hit("f", 0, 0, 4, -0.2))
	o := Options{Mode: storage.ModeHybrid, Tuning: Tuning{Fusion: FusionScore, KeywordWeight: 1, SemanticWeight: 0.5}}
	got := Rank(hits, ParseQuery("x"), o)
	want := map[string]float64{
		"a": (1 + 0.5*0.5/0.8) / 61, "b": 5.0 / 9 / 61, "c": 0.5 / 61,
		"d": (1.0/9 + 0.5*0.6/0.8) / 61, "e": 1.0 / 9 / 61, "f": 0, // a negative cosine counts as 0
	}
	order := []string{"a", "b", "c", "d", "e", "f"}
	for i, h := range got {
		if h.Chunk.ID != order[i] || math.Abs(h.Score-want[h.Chunk.ID]) > 1e-12 {
			t.Errorf("rank %d: %s %v, want %s %v", i+1, h.Chunk.ID, h.Score, order[i], want[order[i]])
		}
	}
}

// The path bonus adds PathWeight × (share of query terms in the path)/61.
func TestPathRule(t *testing.T) {
	hits := []storage.Hit{hit("x", 1, 1, 0, 0), hit("y", 1, 1, 0, 0)}
	hits[0].Chunk.Path, hits[1].Chunk.Path = "/ws/net/http/cookie.go", "/ws/net/http/server.go"
	o := Options{Mode: storage.ModeKeyword, Roots: []string{"/ws"}, Rules: Rules{Paths: true}, Tuning: Tuning{Fusion: FusionRRF, KeywordWeight: 1, PathWeight: 2}}
	got := Rank(hits, ParseQuery("parse cookie"), o)
	if got[0].Chunk.ID != "x" || math.Abs(got[0].Score-(1.0/61+2*0.5/61)) > 1e-12 || math.Abs(got[1].Score-1.0/62) > 1e-12 {
		t.Errorf("path bonus: %s %v, %s %v", got[0].Chunk.ID, got[0].Score, got[1].Chunk.ID, got[1].Score)
	}
	if fmt.Sprint(got[0].Rules) != "[path]" || len(got[1].Rules) != 0 {
		t.Errorf("rules %v and %v, want [path] and none", got[0].Rules, got[1].Rules)
	}
}

// A path term that begins a query term, as file names abbreviate, counts
// half: command_win.go for "windows"; two letters (go) are too few, and
// a path term longer than the query's (windowsill) is no abbreviation.
func TestPathAbbreviation(t *testing.T) {
	o := Options{Mode: storage.ModeKeyword, Roots: []string{"/ws"}, Rules: Rules{Paths: true}, Tuning: Tuning{Fusion: FusionRRF, KeywordWeight: 1, PathWeight: 2}}
	for _, tc := range []struct {
		path  string
		share float64
	}{
		{"/ws/command_win.go", 0.5 * 0.5},
		{"/ws/windows/command.go", 1 * 0.5},
		{"/ws/go/command.go", 0},
		{"/ws/windowsill.go", 0},
	} {
		hits := []storage.Hit{hit("x", 1, 1, 0, 0)}
		hits[0].Chunk.Path = tc.path
		got := Rank(hits, ParseQuery("windows golang"), o)
		if want := 1.0/61 + 2*tc.share/61; math.Abs(got[0].Score-want) > 1e-12 {
			t.Errorf("%s: score %v, want %v (path share %v)", tc.path, got[0].Score, want, tc.share)
		}
	}
}

// A path term glued from two words that each begin (or are) a different
// query term counts half for each: strbuf.c for "string buffer", bufio
// for "buffered io" only when both halves have three letters or more.
// One half alone (strbuf.c for "string length") or one query term
// beginning both halves gives nothing.
func TestPathGluedWords(t *testing.T) {
	o := Options{Mode: storage.ModeKeyword, Roots: []string{"/ws"}, Rules: Rules{Paths: true}, Tuning: Tuning{Fusion: FusionRRF, KeywordWeight: 1, PathWeight: 2}}
	for _, tc := range []struct {
		path, query string
		share       float64
	}{
		{"/ws/lib/strbuf.c", "growable string buffer", 2 * 0.5 / 3},
		{"/ws/lib/strbuf.c", "string length", 0},
		{"/ws/src/tasklist.go", "task lists", 2 * 0.5 / 2},
		{"/ws/bufio/scan.go", "buffered io", 0},  // io is two letters
		{"/ws/lib/strstr.c", "string search", 0}, // both halves begin "string"
	} {
		hits := []storage.Hit{hit("x", 1, 1, 0, 0)}
		hits[0].Chunk.Path = tc.path
		got := Rank(hits, ParseQuery(tc.query), o)
		if want := 1.0/61 + 2*tc.share/61; math.Abs(got[0].Score-want) > 1e-12 {
			t.Errorf("%s for %q: score %v, want %v (path share %v)", tc.path, tc.query, got[0].Score, want, tc.share)
		}
	}
}

func TestParseQuery(t *testing.T) {
	for _, tt := range []struct {
		text, kind, symbol, qualifier string
	}{
		{"HTTPAdapter", KindSymbol, "HTTPAdapter", ""},
		{"oauth2.0_token", KindSymbol, "0_token", "oauth2"}, // R: one name, defined as a whole
		{"version 2.0", KindQuestion, "", ""},
		{"Context.JSON", KindSymbol, "JSON", "Context"},
		{"Value::as_str", KindSymbol, "as_str", "Value"},
		{"Rack::Utils::escape", KindSymbol, "escape", "Utils"},
		{"Request#params", KindSymbol, "params", "Request"},
		{`FastRoute\simpleDispatcher`, KindSymbol, "simpleDispatcher", "FastRoute"}, // PHP's namespaces
		{`\App\Models\User`, KindSymbol, "User", "Models"},
		{"from_str()", KindSymbol, "from_str", ""},
		{"$emit", KindSymbol, "emit", ""},
		{"execute!", KindSymbol, "execute", ""},                 // a Rust macro
		{"lager_config:get", KindSymbol, "get", "lager_config"}, // Erlang's module:function
		{"ready!", KindSymbol, "ready", ""},
		{"tokio::select!", KindSymbol, "select", "tokio"},
		{"Launcher#restart!", KindSymbol, "restart!", "Launcher"}, // Ruby's methods end with ! and ?
		{"Conn.halted?", KindSymbol, "halted?", "Conn"},
		{"HTTPAdapter?", KindSymbol, "HTTPAdapter", ""},
		{"struct jq_state", KindSymbol, "jq_state", ""},
		{"class Rack::Builder", KindSymbol, "Builder", "Rack"},
		{"data Parser", KindSymbol, "Parser", ""},
		{"class of service", KindQuestion, "", ""},
		{"how does the router match a wildcard", KindQuestion, "", ""},
		{"parse duration", KindQuestion, "", ""},
		{"func (c *Context) JSON(code int, obj any)", KindSymbol, "JSON", "Context"}, // a pasted signature
		{"func (t *Tree[K, V]) Put", KindSymbol, "Put", "Tree"},
		{"pub fn from_str(s: &str) -> Result<Value>", KindSymbol, "from_str", ""},
		{"def merge(self, other):", KindSymbol, "merge", ""},
		{"the Engine.ServeHTTP method", KindSymbol, "ServeHTTP", "Engine"},
		{"where is parse_args defined?", KindSymbol, "parse_args", ""},
		{"ServeHTTP function", KindSymbol, "ServeHTTP", ""},
		{"the Parser class", KindSymbol, "Parser", ""},
		{"where is the parser defined", KindQuestion, "", ""}, // a word, not a name
		{"where is the Parser", KindQuestion, "", ""},
		{"method of payment", KindQuestion, "", ""},
		{"how does ServeHTTP route requests", KindQuestion, "", ""},
		{"defstruct", KindSymbol, "defstruct", ""},
		{"define", KindSymbol, "define", ""},
		// A method after its class, as Objective-C's messages name it.
		{"AIRMap takeSnapshotWithConfig", KindSymbol, "takeSnapshotWithConfig", "AIRMap"},
		{"-[AIRMap takeSnapshotWithConfig:success:]", KindSymbol, "takeSnapshotWithConfig", "AIRMap"},
		{"[NSString stringWithFormat:]", KindSymbol, "stringWithFormat", "NSString"},
		{"RCTConvert MKCoordinateRegion", KindSymbol, "MKCoordinateRegion", "RCTConvert"},
		{"Parse duration", KindQuestion, "", ""},
		{"HTTP server", KindQuestion, "", ""},
		{"GitHub Actions", KindQuestion, "", ""},
	} {
		q := ParseQuery(tt.text)
		if q.Kind != tt.kind || q.Symbol != tt.symbol || q.Qualifier != tt.qualifier {
			t.Errorf("ParseQuery(%q) = %s %q %q, want %s %q %q", tt.text, q.Kind, q.Symbol, q.Qualifier, tt.kind, tt.symbol, tt.qualifier)
		}
	}
	for text, want := range map[string]string{
		"where is the retry policy implemented?":                             "[retry policy]",
		"what happens when a for loop times out":                             "[loop time out]",
		"which component of the library is responsible for the retry policy": "[retry policy]",
		"where": "[where]", // nothing else: searched as it is
		"Where": "[where]", // a symbol query keeps its words
	} {
		if q := ParseQuery(text); fmt.Sprint(q.Terms) != want {
			t.Errorf("ParseQuery(%q).Terms = %v (searching %q), want %s", text, q.Terms, q.Search, want)
		}
	}
	if q := ParseQuery("how do I parse a duration string"); fmt.Sprint(q.Compounds) != "[parseduration durationstring parsedurationstring]" {
		t.Errorf("compounds %v", q.Compounds)
	}
	if q := ParseQuery("where are the tests for the docs"); !q.Asks[Test] || !q.Asks[Docs] || q.Asks[Example] {
		t.Errorf("asks %v, want test and docs", q.Asks)
	}
}

func TestFileNames(t *testing.T) {
	for sym, want := range map[string]string{
		"HTTPAdapter": "[HTTPAdapter httpadapter http_adapter http-adapter HttpAdapter]",
		"from_str":    "[from_str from-str FromStr]",
		"Router":      "[Router router]",
		"a*b":         "[]",
	} {
		if got := fmt.Sprint(FileNames(sym)); got != want {
			t.Errorf("FileNames(%q) = %s, want %s", sym, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	for rel, want := range map[string]Satellite{
		"context.go": "", "context_test.go": Test, "example_test.go": Example, "internal/testing/sched.ts": "",
		"tests/test_api.py": Test, "test_api.py": Test, "src/foo.spec.ts": Test, "spec/rack/mock_spec.rb": Test,
		"examples/basic/main.go": Example, "benches/parse.rs": Benchmark, "api.pb.go": Generated,
		"vendor/x/y.go": Vendored, "README.md": Docs, "docs/guide.rst": Docs, "CHANGELOG": Docs,
		"doc.go": "", "requirements.txt": "", "lib/rack/builder.rb": "", "doc/man_docs.go": "", "docs/conf.html": Docs,
		"index.d.ts": Declarations, "types/index.d.cts": Declarations, "os.pyi": Declarations, "src/cmdliner.mli": Declarations, "epl-v10.html": Docs, "doc/tutorial.mld": Docs, "gpl-3.0.txt": Docs, "mpl.go": "", "LICENSE.txt": Docs, "COPYING": Docs,
		"_lua5.1-tests/literals.lua": Test, "integration_tests/run.py": Test, "go-examples/x.go": Example, "api-docs/a.html": Docs,
		"Lib/unittest/case.py": "", "src/testing/testing.go": "", "test-utils-lib/x.js": Test, "contest/solve.py": "",
		"metrics-clojure-graphite/project.clj": Build, "mix.exs": Build, "rebar.config": Build, "Package.swift": Build, "Cargo.lock": Build,
		"lib/foo.opam": Build, "src/project.clj.go": "",
		"lib/Plack/Test/MockHTTP.pm": "", "lib/Test/More.pm": "", "t/Test/helper.pm": Test, "Lib/test/test_os.py": Test,
		// Code named like a project's documents is code; Go's benchmarks live in test files.
		"src/history.rs": "", "news.py": "", "lib/changes.rb": "", "HISTORY.md": Docs, "History": Docs, "NEWS": Docs, "AUTHORS": Docs,
		"bench_filter_test.go": Benchmark, "traversal_bench_test.go": Benchmark, "filter_test.go": Test,
		// test_ names a test in C and Ruby as in Python, not in Go (Go's are _test.go).
		"test_postprocessor.c": Test, "test/test_helper.rb": Test, "test_util.go": "",
		// Google's C++ unit tests and perf tests, a module or program named
		// test, and the directories Go's tools skip (_test, _examples).
		"snappy_unittest.cc": Test, "src/clparser_perftest.cc": Benchmark, "test.c": Test, "src/thread_pool/test.rs": Test,
		"tests.rs": Test, "test.txt": Docs, "_test/spec.json": Test, "_examples/main.go": Example, "_tools/go-inline": "",
		// xUnit's test classes in any language, hyphenated test files, Debian's packaging.
		"src/muParserTest.cpp": Test, "Sources/ParserTests.swift": Test, "snappy-test.cc": Test, "src/fish_tests.cpp": Test, "Latest.go": "", "Contest.cpp": "",
		"debian/patches/fix.patch": Build, "debian/rules": Build,
		// Message catalogs, Flow's type declarations, installers, Go's workspace sums.
		"locale/pl_PL/LC_MESSAGES/humanize.po": Translation, "po/app.pot": Translation, "Base.lproj/Localizable.strings": Translation,
		"view/About.resx": Translation, "resources/codenarc-base-messages.properties": Translation, "app.properties": "",
		"types/index.js.flow": Declarations, "win32/expat.iss": Build, "go.work.sum": Build,
		// Code named like a build file reads build files; Perl's Makefile.PL is one.
		"fuzz/fuzz_targets/parse.rs": Test, "lib/rake/loaders/makefile.rb": "", "Makefile.PL": Build, "Makefile.am": Build, "GNUmakefile": Build, "Dockerfile.dev": Build,
	} {
		if got := Classify(rel); got != want {
			t.Errorf("Classify(%q) = %q, want %q", rel, got, want)
		}
	}
}

// A directory whose name starts with two dots ("..cache") is inside the
// root that holds it, not its parent.
func TestDotDotDirectoryIsInside(t *testing.T) {
	root := filepath.FromSlash("/ws/proj")
	roots := []string{filepath.FromSlash("/ws/other"), root}
	for p, want := range map[string]string{
		"/ws/proj/..cache/a.go": "..cache/a.go",
		"/ws/proj/...go":        "...go",
		"/ws/proj/a/../b.go":    "b.go",
		"/ws/proj2/a.go":        "/ws/proj2/a.go",
	} {
		if got := Relative(filepath.FromSlash(filepath.Clean(p)), roots); filepath.ToSlash(got) != want {
			t.Errorf("Relative(%s) = %q, want %q", p, got, want)
		}
	}
}

// foldEqual agrees with comparing fold's result.
func TestFoldEqual(t *testing.T) {
	names := []string{"", "HTTPAdapter", "http_adapter", "http-adapter", "$scope", "Scope", "ServeHTTP", "serve_http_x", "Größe", "grösse", "GRÖSSE", "a_", "_"}
	for _, a := range names {
		for _, b := range names {
			if got, want := foldEqual(a, fold(b)), fold(a) == fold(b); got != want {
				t.Errorf("foldEqual(%q, fold(%q)) = %v, want %v", a, b, got, want)
			}
		}
	}
}

// TestSortRankedMatchesStableSort checks the in-place permutation of
// sortRanked against a stable sort of a copy, over orders with many
// ties, so that every cycle shape is met.
func TestSortRankedMatchesStableSort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for n := range 60 {
		rs := make([]Ranked, n)
		for i := range rs {
			rs[i].Score = float64(rnd.IntN(5))
			rs[i].Chunk.ID = fmt.Sprint(rnd.IntN(4))
			rs[i].Rules = []string{fmt.Sprint(i)} // which input it was
		}
		want := slices.Clone(rs)
		slices.SortStableFunc(want, func(a, b Ranked) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Chunk.ID, b.Chunk.ID))
		})
		sortRanked(rs)
		for i := range rs {
			if rs[i].Rules[0] != want[i].Rules[0] {
				t.Fatalf("n=%d: place %d holds input %s, want %s", n, i, rs[i].Rules[0], want[i].Rules[0])
			}
		}
	}
}

// Perl's tests, manual pages, generators' output and build files are
// satellites too; names that only resemble them are not.
func TestClassifyMore(t *testing.T) {
	for rel, want := range map[string]Satellite{
		"t/Plack-Request/uri.t": Test, "xt/author/pod.t": Test, "lib/Plack/Request.pm": "", "script/plackup": "",
		"README": Docs, "jq.1.prebuilt": Docs, "doc/ls.1": Docs, "Plack.3pm": Docs, "lib/Plack.pod": Docs,
		"src/YAJL.dxy": Docs, "Doxyfile": Docs, "docs/Doxyfile.in": Docs, "api.doxy": Docs, // Doxygen settings
		"man/jq.1.in": Docs, "python3.11": "", "src/jv.c": "",
		"y.tab.c": Generated, "lex.yy.c": Generated, "src/parser.tab.h": Generated, "api_pb2.py": Generated,
		"api.pb.h": Generated, "src/parser.y": "", "src/lexer.l": "",
		"Newtonsoft.Json.csproj": Build, "Newtonsoft.Json.sln": Build, "Makefile": Build, "Makefile.am": Build,
		"Makefile.PL": Build, "CMakeLists.txt": Build, "m4/ax_compare_version.m4": Build, ".travis.yml": Build,
		".github/workflows/ci.yml": Build, "Dockerfile": Build, "build.gradle.kts": Build, "src/build.rs": "",
		"config.yml": "", "lib/build.ex": "", ".gitignore": Build, ".clang-format": Build, ".eslintrc.js": "",
		"package.json": Build, "optparse-applicative.cabal": Build, "go.mod": Build, "Rakefile": Build,
		"cmake/pch.h.in": Build, "src/main/javadoc/overview.html": Docs, "eg/dot-psgi/cgi.psgi": Example,
		"lib/package.go": "", "src/manifest.rs": "",
		"attrs-22.2.0.dist-info/METADATA": Build, "requests.egg-info/PKG-INFO": Build, "src/info/dist.py": "",
		"project/build.scala": Build, "build.sbt": Build, "project/plugins.sbt": Build, "sbt": Build, "project/Parser.scala": "",
		"DESCRIPTION": Build, "NAMESPACE": Build, "R/description.R": "",
		"vignettes/quickstart.Rmd": Docs, "man/GET.Rd": Docs, "report.qmd": Docs, "vignettes/setup.R": "",
		"misc/ninja.vim": Editor, "misc/ninja-mode.el": Editor, "editors/Stylus.tmbundle/Syntaxes/Stylus.tmLanguage": Editor,
		"editors/gedit/styl.lang": Editor, "lib/editor.js": "",
	} {
		if got := Classify(rel); got != want {
			t.Errorf("Classify(%q) = %q, want %q", rel, got, want)
		}
	}
}

// A query that names a build or a project keeps build files in place;
// "manual" asks for the docs, a grammar for a parser generator's output;
// a class name that only qualifies another word asks for nothing, nor
// do the docs' names in a question about generating them.
func TestAsksMore(t *testing.T) {
	for text, want := range map[string]Satellite{
		"which project file lists the sources": Build, "how is the build configured": Build,
		"which code reads the Makefile-style .d dependency files": "", "a test-like harness for plugins": "",
		"the Makefile's install target": Build, "where are the unit-tests of the lexer": Test, "the docs-only build": Docs,
		"which code generates markdown documentation for commands": "", "where is the documentation generator": "",
		"the manual of the command line": Docs, "where is the request built": "",
		"where is the grammar of the language defined":                           Generated,
		"where are the German translations of 'a moment'":                        Translation,
		"where is the fuzzing entry point that feeds random bytes to the reader": Test,
	} {
		got := asks(text)
		if want == "" && len(got) != 0 || want != "" && !got[want] {
			t.Errorf("asks(%q) = %v, want %q", text, got, want)
		}
	}
}

// A chunk of a file that the index found written by a program (its facts
// say "generated") is of the generated class, whatever its path; its
// path's class comes first; and as a satellite it is not also prose.
func TestSatelliteOfGeneratedFile(t *testing.T) {
	parser := storage.Chunk{ID: "parser.c:1", DocID: "parser.c", Kind: storage.KindFile, Path: "/ws/src/parser.c",
		StartLine: 1, EndLine: 4, Text: "/* A Bison parser, made by GNU Bison 3.0.4.  */\n/* Bison implementation */\n/* for Yacc-like parsers */\nint yyparse;\n",
		Metadata: map[string]string{chunk.MetaFacts: "0 0.75 generated", MetaDefines: ""}}
	plain := parser
	plain.Metadata = map[string]string{chunk.MetaFacts: "0 0.75", MetaDefines: ""}
	for _, tc := range []struct {
		name string
		f    *fileFacts
		c    storage.Chunk
		want Satellite
	}{
		{"generated", &fileFacts{rel: "src/parser.c"}, parser, Generated},
		{"no file facts", nil, parser, Generated},
		{"written by hand", &fileFacts{rel: "src/parser.c"}, plain, ""},
		{"path first", &fileFacts{rel: "tests/parser.c", satellite: Test}, parser, Test},
	} {
		if got := satelliteOf(tc.f, tc.c); got != tc.want {
			t.Errorf("%s: satelliteOf = %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		c     storage.Chunk
		prose bool
	}{{parser, false}, {plain, true}} {
		got := Rank([]storage.Hit{{Chunk: tc.c, KeywordScore: 3, KeywordRank: 1}}, ParseQuery("how does the parser recover from an error"), fixtureOptions)
		if isProse := slices.Contains(got[0].Rules, Prose.rule()); isProse != tc.prose {
			t.Errorf("facts %q: ranked as prose %v, want %v (%v)", tc.c.Metadata[chunk.MetaFacts], isProse, tc.prose, got[0].Rules)
		}
	}
}

// For a question that asks where something is, the file bonus counts
// LocateFileFactor: a short file named for the place asked about is not
// outvoted by a long file whose many chunks each match a little; for a
// question that asks how, the long file's coherence still counts fully.
func TestLocateFileFactor(t *testing.T) {
	hitsOf := func(doc string, scores ...float64) []storage.Hit {
		var hs []storage.Hit
		for i, s := range scores {
			hs = append(hs, storage.Hit{Chunk: storage.Chunk{ID: fmt.Sprint(doc, ":", i), DocID: doc, Kind: storage.KindFile,
				Path: "/ws/" + doc, Ordinal: i + 1, StartLine: i*10 + 1, EndLine: i*10 + 9, Text: "x",
				Metadata: map[string]string{MetaDefines: "", chunk.MetaFacts: "3 0"}}, KeywordScore: s})
		}
		return hs
	}
	hits := append(hitsOf("checks.go", 5.5, 5, 5, 5), hitsOf("table.go", 8)...)
	for i := range hits {
		hits[i].KeywordRank = i + 1
	}
	first := func(question string, factor float64) string {
		o := fixtureOptions
		o.Tuning.LocateFileFactor = factor
		return Rank(hits, ParseQuery(question), o)[0].Chunk.DocID
	}
	where := "where is the registry of lint rules kept"
	if got := first(where, DefaultTuning.LocateFileFactor); got != "table.go" {
		t.Errorf("%q: first %s, want table.go", where, got)
	}
	if got := first(where, 1); got != "checks.go" {
		t.Errorf("%q with the file bonus in full: first %s; the fixture needs checks.go first", where, got)
	}
	how := "how does the linter run every rule over a file"
	if got := first(how, DefaultTuning.LocateFileFactor); got != "checks.go" {
		t.Errorf("%q: first %s, want checks.go", how, got)
	}
}
