package rank

import (
	"path"
	"strings"

	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
)

// Satellite is a class of file that surrounds an implementation without
// being it.
type Satellite string

// Satellite classes; "" is implementation.
const (
	Test      Satellite = "test"      // tests and their fixtures
	Example   Satellite = "example"   // examples, samples, demos
	Benchmark Satellite = "benchmark" // benchmarks
	Vendored  Satellite = "vendored"  // third-party code copied in
	Generated Satellite = "generated" // code written by a program
	Docs      Satellite = "docs"      // documentation, changelogs, licences, manual pages
	Build     Satellite = "build"     // build scripts, project files and CI settings
	Editor    Satellite = "editor"    // editor support: Vim and Emacs modes, syntax definitions
	// Declarations are type declarations that stand beside the code they
	// describe: TypeScript's .d.ts, Python's .pyi stubs and OCaml's .mli
	// interfaces.
	Declarations Satellite = "declarations"
	// Translations are a program's messages in other languages: gettext
	// catalogs, XLIFF, .NET resources, iOS strings, Java's message
	// bundles.
	Translation Satellite = "translation"
)

// satelliteDirs maps a directory name to the class of everything below it.
var satelliteDirs = map[string]Satellite{
	"test": Test, "tests": Test, "__tests__": Test, "spec": Test, "specs": Test, "testdata": Test,
	"fixtures": Test, "__fixtures__": Test, "__mocks__": Test, "testutil": Test, "testutils": Test,
	"t": Test, "xt": Test, // Perl's
	"fuzz": Test, "fuzzing": Test, "fuzzers": Test,
	"example": Example, "examples": Example, "_examples": Example, "sample": Example, "samples": Example,
	"demo": Example, "demos": Example, "eg": Example,
	"bench": Benchmark, "benches": Benchmark, "benchmark": Benchmark, "benchmarks": Benchmark,
	"vendor": Vendored, "third_party": Vendored, "third-party": Vendored, "node_modules": Vendored,
	"docs": Docs, "doc": Docs, "documentation": Docs, "site": Docs, "man": Docs, "javadoc": Docs, "vignettes": Docs,
	".github": Build, ".circleci": Build, "cmake": Build, "debian": Build,
}

// docExtensions are prose formats.
var docExtensions = map[string]bool{
	".md": true, ".markdown": true, ".rst": true, ".txt": true, ".adoc": true, ".rdoc": true,
	".pod": true, ".man": true, ".texi": true, ".texinfo": true, ".mld": true, ".org": true, ".asciidoc": true,
	".rmd": true, ".qmd": true, ".rd": true, // R Markdown, Quarto and R's manual pages
	".dxy": true, ".doxy": true, ".doxyfile": true, // Doxygen's settings, mostly comments about documentation
}

// editorExtensions are those of editor support files: Vim scripts, Emacs
// Lisp, TextMate, Sublime and GtkSourceView syntax definitions.
var editorExtensions = map[string]bool{
	".vim": true, ".el": true, ".tmlanguage": true, ".sublime-syntax": true, ".tmpreferences": true, ".tmsnippet": true, ".lang": true,
}

// translationExtensions are those of message catalogs (Translation).
var translationExtensions = map[string]bool{
	".po": true, ".pot": true, ".xlf": true, ".xliff": true, ".resx": true, ".strings": true, ".stringsdict": true,
}

// buildExtensions are those of build scripts and project files.
var buildExtensions = map[string]bool{
	".mk": true, ".cmake": true, ".m4": true, ".csproj": true, ".fsproj": true, ".vbproj": true, ".vcxproj": true,
	".sln": true, ".props": true, ".targets": true, ".nuspec": true, ".gradle": true, ".cabal": true, ".gemspec": true,
	".sbt": true, ".opam": true, ".podspec": true, ".xcconfig": true, ".rockspec": true, ".nimble": true,
	".iss": true, ".nsi": true, ".wxs": true, // Windows installers: Inno Setup, NSIS, WiX
}

// buildNames are the names of build scripts, project files, package
// manifests and CI settings, lower-cased; a name that starts with
// makefile (Makefile.am, Makefile.PL) or dockerfile is one too, and so
// is a dotfile that is not code (.gitignore, .clang-format).
var buildNames = map[string]bool{
	"cmakelists.txt": true, "configure": true, "configure.ac": true, "configure.in": true, "meson.build": true,
	"build": true, "build.bazel": true, "workspace": true, "pom.xml": true, "jenkinsfile": true,
	"build.gradle.kts": true, "settings.gradle.kts": true, "rakefile": true, "gulpfile.js": true, "gruntfile.js": true,
	"package.json": true, "cargo.toml": true, "go.mod": true, "go.sum": true, "pyproject.toml": true, "setup.cfg": true,
	"composer.json": true, "gemfile": true, "cpanfile": true, "dist.ini": true, "meta.json": true, "meta.yml": true,
	"manifest": true, "codecov.yml": true, "build.scala": true, "build.sc": true, "sbt": true, "gradlew": true, "mvnw": true,
	"description": true, "namespace": true, // R's package manifest and its generated exports
	".travis.yml": true, "appveyor.yml": true, ".appveyor.yml": true, ".gitlab-ci.yml": true, "azure-pipelines.yml": true,
	// Other ecosystems' project files and lock files: Clojure, Elixir,
	// Erlang, Haskell, OCaml, Swift and CocoaPods, Zig, and the lock files
	// of package managers.
	"project.clj": true, "deps.edn": true, "build.boot": true, "shadow-cljs.edn": true, "bb.edn": true,
	"mix.exs": true, "mix.lock": true, "rebar.config": true, "rebar.lock": true, "erlang.mk": true,
	"stack.yaml": true, "cabal.project": true, "package.yaml": true, "dune-project": true, "dune": true,
	"package.swift": true, "podfile": true, "podfile.lock": true, "cartfile": true, "build.zig": true, "build.zig.zon": true,
	"cargo.lock": true, "package-lock.json": true, "yarn.lock": true, "pnpm-lock.yaml": true, "poetry.lock": true,
	"pipfile": true, "pipfile.lock": true, "gemfile.lock": true, "composer.lock": true, "go.work": true, "go.work.sum": true,
}

// buildPrefix reports whether a lower-case file name starts as a build
// file's: Makefile.am, GNUmakefile, Dockerfile.dev. Classify leaves code
// so named be (Rake's loaders/makefile.rb reads Makefiles), but for Perl's
// Makefile.PL, which is a build script.
func buildPrefix(lower string) bool {
	return strings.HasPrefix(lower, "makefile") || strings.HasPrefix(lower, "gnumakefile") || strings.HasPrefix(lower, "dockerfile")
}

// manPage reports whether a lower-case file name is a manual page: its
// extension, or the one before .in or .prebuilt (jq.1.prebuilt), is a
// section, a digit and at most three letters (ls.1, Plack.3pm).
func manPage(lower string) bool {
	stem, ext := lower, path.Ext(lower)
	if ext == ".in" || ext == ".prebuilt" {
		stem = strings.TrimSuffix(lower, ext)
		ext = path.Ext(stem)
	}
	if len(ext) < 2 || len(ext) > 5 || ext[1] < '1' || ext[1] > '9' || len(stem) == len(ext) {
		return false
	}
	for i := 2; i < len(ext); i++ {
		if ext[i] < 'a' || ext[i] > 'z' {
			return false
		}
	}
	return true
}

// licenceText reports whether a lower-case file stem and extension are a
// licence's text named after it: epl-v10.html, gpl-3.0.txt, apache-2.0.
func licenceText(stem, ext string) bool {
	if ext != "" && ext != ".txt" && ext != ".html" && ext != ".htm" && ext != ".md" {
		return false
	}
	for _, l := range [...]string{"epl", "gpl", "lgpl", "agpl", "mpl", "apache", "unlicense", "bsd", "mit-license"} {
		if stem == l || strings.HasPrefix(stem, l+"-") || strings.HasPrefix(stem, l+"_") {
			return true
		}
	}
	return false
}

// docsName reports whether a lower-case file name is that of a project's
// documents: README, CHANGELOG, HISTORY, NEWS, CHANGES, LICENSE, COPYING,
// NOTICE, AUTHORS, Doxyfile, with or without an extension. Classify
// leaves code so named be (src/history.rs, news.py).
func docsName(lower string) bool {
	for _, p := range [...]string{"readme", "changelog", "history", "news", "changes", "license", "licence",
		"copying", "notice", "authors", "doxyfile"} {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}

// generatedName reports whether a lower-case file stem is that of a
// parser or lexer generator's or protoc's output, by its stem: y.tab.c, lex.yy.c,
// parser.tab.h, api_pb2.py, api.pb.h.
func generatedName(stem string) bool {
	return strings.HasSuffix(stem, ".tab") || strings.HasSuffix(stem, ".yy") || stem == "lex.yy" ||
		strings.HasSuffix(stem, "_pb2") || strings.HasSuffix(stem, "_pb2_grpc") || strings.HasSuffix(stem, ".pb")
}

// testClass reports whether base, a file's name, names a class of tests
// as xUnit frameworks name them: muParserTest.cpp, ParserTests.swift.
func testClass(base string) bool {
	stem := strings.TrimSuffix(base, path.Ext(base))
	return len(stem) > len("Tests") && (strings.HasSuffix(stem, "Test") || strings.HasSuffix(stem, "Tests"))
}

// Classify returns the satellite class of a workspace-relative path with
// forward slashes, or "" for implementation.
func Classify(rel string) Satellite {
	base := path.Base(rel)
	lower := strings.ToLower(base)
	ext := path.Ext(lower)
	stem := strings.TrimSuffix(lower, ext)
	code := chunk.Structured(chunk.Language(rel)) // a language whose declarations the chunker reads
	switch {
	case strings.HasSuffix(lower, "_test.go") && strings.HasPrefix(lower, "example"),
		strings.HasSuffix(stem, "_example"), strings.HasPrefix(stem, "example_"):
		return Example
	case strings.HasSuffix(lower, "_test.go") && (strings.HasPrefix(lower, "bench") || strings.Contains(lower, "_bench")):
		return Benchmark // Go's benchmarks live in test files: bench_filter_test.go
	case strings.HasSuffix(lower, "_test.go"), strings.HasPrefix(lower, "test_") && ext != ".go",
		(strings.HasSuffix(stem, "_test") || strings.HasSuffix(stem, "_tests")) && ext != ".go", strings.HasSuffix(stem, "_spec"),
		strings.Contains(lower, ".test."), strings.Contains(lower, ".spec."), lower == "conftest.py",
		strings.HasSuffix(base, "Test.java"), strings.HasSuffix(base, "Tests.java"), strings.HasSuffix(base, "Tests.cs"),
		strings.HasSuffix(base, "Test.php"), strings.HasSuffix(base, "Test.kt"), ext == ".t",
		strings.HasSuffix(stem, "_unittest"), strings.HasSuffix(stem, "-test") && code,
		(stem == "test" || stem == "tests" || testClass(base)) && code:
		return Test
	case strings.HasSuffix(stem, "_bench"), strings.HasPrefix(stem, "bench_"), strings.HasSuffix(stem, ".bench"), strings.HasSuffix(stem, "_perftest"):
		return Benchmark
	case generatedName(stem), strings.Contains(stem, "_generated"), strings.HasPrefix(lower, "zz_generated"),
		strings.HasSuffix(stem, ".gen"), strings.HasSuffix(stem, ".generated"):
		return Generated
	case strings.HasSuffix(lower, ".d.ts"), strings.HasSuffix(lower, ".d.cts"), strings.HasSuffix(lower, ".d.mts"), ext == ".pyi", ext == ".mli",
		ext == ".flow":
		return Declarations
	case translationExtensions[ext], ext == ".properties" && strings.Contains(stem, "messages"):
		return Translation
	case editorExtensions[ext]:
		return Editor
	case buildNames[lower], buildExtensions[ext], buildPrefix(lower) && (lower == "makefile.pl" || !code),
		strings.HasPrefix(lower, ".") && !code:
		return Build
	case docExtensions[ext], manPage(lower), licenceText(stem, ext), docsName(lower) && !code:
		if !strings.HasPrefix(lower, "requirements") {
			return Docs
		}
	}
	dirs := strings.Split(path.Dir(rel), "/")
	for i := len(dirs) - 1; i >= 0; i-- {
		if ext == ".pm" && (dirs[i] == "Test" || dirs[i] == "Tests") {
			continue // Perl's Plack::Test, Test::More: modules named Test, not tests
		}
		dir := strings.ToLower(dirs[i])
		c, ok := satelliteDirs[dir]
		if !ok && len(dir) > 1 && dir[0] == '_' {
			c, ok = satelliteDirs[dir[1:]] // Go's tools skip _test, _examples: data and programs beside the package
		}
		if !ok && (strings.HasSuffix(dir, ".dist-info") || strings.HasSuffix(dir, ".egg-info")) {
			c, ok = Build, true // a Python package's metadata: attrs-22.2.0.dist-info/METADATA
		}
		if !ok {
			c, ok = compoundDir(dir)
		}
		switch {
		case !ok:
		case c == Docs && code:
			return "" // code in a doc directory is a package of its own (cobra/doc)
		default:
			return c
		}
	}
	return ""
}

// dirWords map a word of a directory's name of several words
// (_lua5.1-tests, integration_tests, api-docs) to the class of everything
// below it. A name of one word is satelliteDirs' (unittest and testing
// are no tests).
var dirWords = map[string]Satellite{
	"test": Test, "tests": Test, "fixtures": Test,
	"example": Example, "examples": Example, "samples": Example,
	"benchmark": Benchmark, "benchmarks": Benchmark,
	"docs": Docs,
}

// compoundDir returns the class that a word of a lower-case directory
// name of several words gives it, if any.
func compoundDir(name string) (Satellite, bool) {
	words := strings.FieldsFunc(name, func(r rune) bool { return r < 'a' || r > 'z' })
	if len(words) < 2 {
		return "", false
	}
	for _, w := range words {
		if c, ok := dirWords[w]; ok {
			return c, true
		}
	}
	return "", false
}

// satelliteOf returns the class of a chunk of file f: its path's, else
// Generated when the index found that a program wrote the file (a Bison
// parser named parser.c; chunk.GeneratedText), else "".
func satelliteOf(f *fileFacts, c storage.Chunk) Satellite {
	if f != nil && f.satellite != "" {
		return f.satellite
	}
	if chunkFacts.get(c).Generated {
		return Generated
	}
	return ""
}

// askWords are query words that ask for a satellite class by name.
var askWords = map[string]Satellite{
	"test": Test, "tests": Test, "testing": Test, "tested": Test, "spec": Test, "specs": Test,
	"fixture": Test, "fixtures": Test, "mock": Test, "mocks": Test, "unittest": Test,
	"fuzz": Test, "fuzzing": Test, "fuzzer": Test, "fuzzers": Test, "fuzzed": Test,
	"example": Example, "examples": Example, "sample": Example, "samples": Example, "demo": Example,
	"bench": Benchmark, "benchmark": Benchmark, "benchmarks": Benchmark,
	"vendor": Vendored, "vendored": Vendored,
	"generated": Generated, "generate": Generated, "codegen": Generated, "grammar": Generated,
	"typings": Declarations, "declaration": Declarations, "declarations": Declarations, "stub": Declarations, "stubs": Declarations,
	"license": Docs, "licence": Docs,
	"doc": Docs, "docs": Docs, "documentation": Docs, "documented": Docs, "readme": Docs,
	"changelog": Docs, "guide": Docs, "tutorial": Docs, "manual": Docs, "manpage": Docs,
	"build": Build, "builds": Build, "makefile": Build, "cmake": Build, "msbuild": Build, "csproj": Build,
	"project": Build, "projects": Build, "ci": Build, "dockerfile": Build,
	"editor": Editor, "editors": Editor, "vim": Editor, "neovim": Editor, "emacs": Editor, "textmate": Editor,
	"sublime": Editor, "highlighting": Editor,
	"translation": Translation, "translations": Translation, "translated": Translation, "localization": Translation,
	"localisation": Translation, "l10n": Translation, "catalog": Translation, "catalogs": Translation,
}

// asks returns the satellite classes text names. A name that only
// qualifies another word ("Makefile-style dependency files", "a
// test-like harness") asks for nothing, and the docs are not asked for
// by a question about generating them ("which code generates markdown
// documentation", "the documentation generator"): that is code.
func asks(text string) map[Satellite]bool {
	out := map[Satellite]bool{}
	makes := false
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	})
	for _, w := range words {
		parts := strings.Split(w, "-")
		for i, part := range parts {
			if c, ok := askWords[part]; ok && (i+1 == len(parts) || !qualifierSuffix[parts[i+1]]) {
				out[c] = true
			}
			if strings.HasPrefix(part, "generat") {
				makes = true
			}
		}
	}
	if makes {
		delete(out, Docs) // the code that generates docs: cobra's doc/md_docs.go
	}
	return out
}

// qualifierSuffix holds the words that, after a hyphen, make the word
// before them a qualifier of what follows.
var qualifierSuffix = map[string]bool{
	"style": true, "like": true, "ish": true, "compatible": true, "inspired": true, "flavoured": true, "flavored": true,
}

// rule is the rule name a hit of class c reports: "satellite:<class>".
func (c Satellite) rule() string {
	if r, ok := satelliteRules[c]; ok {
		return r
	}
	return RuleSatellite + ":" + string(c)
}

// satelliteRules holds each class's rule name, made once.
var satelliteRules = func() map[Satellite]string {
	m := map[Satellite]string{}
	for _, c := range []Satellite{Prose, Test, Example, Benchmark, Vendored, Generated, Docs, Declarations, Build, Editor, Translation} {
		m[c] = RuleSatellite + ":" + string(c)
	}
	return m
}()

// Prose is the satellite class reported for a chunk of implementation
// that is mostly comments (see Tuning.ProseFactor).
const Prose Satellite = "prose"

// ProseShare is the least share of comment lines that makes a chunk
// prose.
const ProseShare = 0.7

// applyProse multiplies by factor the score of each file chunk of
// implementation (of no satellite class, by byPath) whose lines are
// mostly comments and that declares nothing: a declaration's doc comment
// (sync.Once's, three times the length of its code) is what a question
// about it matches, not a satellite.
func applyProse(hits []Ranked, byPath map[string]*fileFacts, factor float64, slab *ruleSlab) {
	for i := range hits {
		h := &hits[i]
		if h.Chunk.Kind != storage.KindFile || satelliteOf(byPath[h.Chunk.Path], h.Chunk) != "" {
			continue
		}
		if strings.TrimSpace(h.Chunk.Metadata[MetaDefines]) != "" {
			continue
		}
		if chunkFacts.get(h.Chunk).Comments >= ProseShare {
			h.Score *= factor
			slab.add(h, Prose.rule())
		}
	}
}
