package rank

import (
	"math"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// For Owner.member, the member defined in Owner ranks above a top-level
// function of the same name whose file is named after the qualifier:
// Runner.run finds the method, not run() of runners.py, which says
// "runner" and "run" more often.
func TestDefinitionOwnerBeforePath(t *testing.T) {
	o := fixtureOptions
	hits := fixtureHits(t, "runners.py", "Runner.run")
	if !strings.Contains(hits[0].Chunk.Text, "def run(main") {
		t.Fatalf("the fixture's keyword leg should put the top-level run first: %s", hits[0].Chunk.ID)
	}
	got := Rank(hits, ParseQuery("Runner.run"), o)
	if !strings.Contains(got[0].Chunk.Text, "def run(self, coro)") || !slices.Contains(got[0].Rules, RuleDefinition) {
		t.Errorf("first %s %v, want the method Runner.run, named by the definition rule", got[0].Chunk.ID, got[0].Rules)
	}
}

// For a symbol query, each chunk of a file that defines the symbol is an
// answer: Enum.reduce's two arities both stand undecayed, the second
// named by the overload rule, while a chunk that only calls reduce decays
// as a later chunk of its file.
func TestOverloadsNotDecayed(t *testing.T) {
	hits := fixtureHits(t, "enum.ex", "Enum.reduce")
	got := Rank(hits, ParseQuery("Enum.reduce"), fixtureOptions)
	var defs, overloads int
	for _, r := range got {
		switch {
		case strings.Contains(r.Chunk.Text, "def reduce("):
			defs++
			if slices.Contains(r.Rules, RuleLaterChunk) {
				t.Errorf("%s defines reduce but decayed as a later chunk: %v", r.Chunk.ID, r.Rules)
			}
			if slices.Contains(r.Rules, RuleOverload) {
				overloads++
			}
		case strings.Contains(r.Chunk.Text, "def sum("):
			if !slices.Contains(r.Rules, RuleLaterChunk) {
				t.Errorf("%s only calls reduce but is not decayed: %v", r.Chunk.ID, r.Rules)
			}
		}
	}
	if defs != 2 || overloads != 1 {
		t.Errorf("%d chunks define reduce, %d of them as overloads; want 2 and 1", defs, overloads)
	}
	if q := ParseQuery("how does reduce work"); q.Kind == KindSymbol {
		t.Fatal("a question parsed as a symbol")
	}
	for _, r := range Rank(hits, ParseQuery("how does reduce fold the accumulator"), fixtureOptions) {
		if slices.Contains(r.Rules, RuleOverload) {
			t.Errorf("a question's chunk %s named as an overload", r.Chunk.ID)
		}
	}
}

// For a type's name, the type's declaration ranks above its constructors
// defined out of the class, though both legs rank them first and their
// file holds more matches (C++'s ParserBase::ParserBase, twice, in
// muParserBase.cpp, and the class in muParserBase.h).
func TestDefinitionTypeBeforeConstructor(t *testing.T) {
	var hits []storage.Hit
	for i, id := range []string{"ctor", "copy", "class", "use"} {
		h := hit(id, i+1, 12-float64(i), i+1, 0.6-float64(i)/10)
		h.Chunk.Path, h.Chunk.DocID, h.Chunk.Metadata = "/ws/src/muParserBase.cpp", "cpp", map[string]string{MetaDefines: "ParserBase.ParserBase"}
		hits = append(hits, h)
	}
	hits[2].Chunk.Path, hits[2].Chunk.DocID, hits[2].Chunk.Metadata[MetaDefines] = "/ws/include/muParserBase.h", "h", "ParserBase"
	hits[3].Chunk.Metadata[MetaDefines] = "ParserBase.Eval"
	got := Rank(hits, ParseQuery("ParserBase"), fixtureOptions)
	if got[0].Chunk.ID != "class" {
		t.Errorf("first %s (%v %v), then %s (%v %v); want the class first", got[0].Chunk.ID, got[0].Score, got[0].Rules, got[1].Chunk.ID, got[1].Score, got[1].Rules)
	}
	// A member of that name that is no constructor still counts as one.
	if d := definition(ParseQuery("Render"), map[string]string{MetaDefines: "HTML.Render"}, "", ""); d != defineMember {
		t.Errorf("HTML.Render for Render: %v, want %v", d, defineMember)
	}
}

// A question's compound lifts the chunks that define it, a member only
// when few types do: "parse duration" lifts ParseDuration, and "find
// executable" findExecutable in each of four platforms' files, but "web
// view" none of three types' webView(_:…) delegate methods.
func TestCompoundOfFewTypes(t *testing.T) {
	var hits []storage.Hit
	add := func(id, defines string) {
		h := hit(id, len(hits)+1, 10, len(hits)+1, 0.5)
		h.Chunk.Path, h.Chunk.Metadata = "/ws/"+id, map[string]string{MetaDefines: defines}
		hits = append(hits, h)
	}
	add("Bridge.swift", "CAPBridgeViewController.webView")
	add("Delegation.swift", "WebViewDelegationHandler.webView")
	add("Assets.swift", "WebViewAssetHandler.webView")
	add("time.go", "ParseDuration")
	for _, f := range []string{"lp_unix.go", "lp_windows.go", "lp_plan9.go", "lp_wasm.go"} {
		add(f, "findExecutable LookPath")
	}
	for _, tc := range []struct {
		query string
		want  []string // the ids lifted by the definition rule, sorted
	}{
		{"how does it parse duration strings", []string{"time.go"}},
		{"how is the web view configured", nil},
		{"how does it find executable files", []string{"lp_plan9.go", "lp_unix.go", "lp_wasm.go", "lp_windows.go"}},
	} {
		var lifted []string
		for _, r := range Rank(hits, ParseQuery(tc.query), fixtureOptions) {
			if slices.Contains(r.Rules, RuleDefinition) {
				lifted = append(lifted, r.Chunk.ID)
			}
		}
		slices.Sort(lifted)
		if !slices.Equal(lifted, tc.want) {
			t.Errorf("%q lifted %v, want %v", tc.query, lifted, tc.want)
		}
	}
}

// A name that matches the symbol only up to case counts less when the
// query's capital says type and the name is a member's in lower case
// (RuleSet, RuleSetBuilder.ruleset), unless the query is all lower case.
func TestDefinitionRecased(t *testing.T) {
	for _, tc := range []struct {
		query, defines string
		want           float64
	}{
		{"RuleSet", "RuleSet", defineExact},
		{"RuleSet", "RuleSetBuilder.ruleset", defineRecased * defineMember},
		{"ruleset", "RuleSetBuilder.ruleset", defineExact * defineMember},
		{"ruleset", "RuleSet", defineFolded},
		{"rule_set", "RuleSet", defineFolded},
		{"HttpAdapter", "HTTPAdapter", defineFolded},
	} {
		if got := definition(ParseQuery(tc.query), map[string]string{MetaDefines: tc.defines}, "", ""); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("definition(%q, %q) = %v, want %v", tc.query, tc.defines, got, tc.want)
		}
	}
}

// rankFirst ranks hits for query with the fixture's options and fails
// unless the hit with id want is first, saying why it should be.
func rankFirst(t *testing.T, hits []storage.Hit, query, want, why string) {
	t.Helper()
	got := Rank(hits, ParseQuery(query), fixtureOptions)
	if got[0].Chunk.ID != want {
		t.Errorf("first %s (%v %v), then %s (%v %v); want %s", got[0].Chunk.ID, got[0].Score, got[0].Rules, got[1].Chunk.ID, got[1].Score, got[1].Rules, why)
	}
}

// For an unqualified symbol, a file whose name holds only a word of it
// (retry.py for Retrying) counts half of one named after it, so the
// class's definition outranks that file's first chunk, which both legs
// put first.
func TestDefinitionBeforePathWord(t *testing.T) {
	named, def := hit("named", 1, 12, 1, 0.6), hit("def", 6, 7, 6, 0.4)
	named.Chunk.Path, named.Chunk.Metadata = "/ws/tenacity/retry.py", map[string]string{MetaDefines: "retry_base"}
	def.Chunk.Path, def.Chunk.Metadata = "/ws/tenacity/__init__.py", map[string]string{MetaDefines: "Retrying"}
	rankFirst(t, []storage.Hit{named, def}, "Retrying", "def", "the definition first")
	if s := pathShare(&pathInfo{rel: "tenacity/retrying.py", terms: []string{"tenac", "retri", "py"}}, ParseQuery("Retrying")); s != 1 {
		t.Errorf("a file named after the symbol: path share %v, want 1", s)
	}
}

// A type's definition outranks a file named after it that defines the
// name only up to case (immer.ts: const immer = new Immer()), its own
// file holding the name as a word (immerClass.ts), though the keyword
// leg puts the namesake first: a path named after the symbol and a
// definition up to case must weigh less than the exact definition and a
// path word.
func TestDefinitionBeforeRecasedNamesake(t *testing.T) {
	named, def := hit("named", 1, 8, 2, 0.4), hit("def", 2, 6, 1, 0.5)
	named.Chunk.Path, named.Chunk.Metadata = "/ws/src/immer.ts", map[string]string{MetaDefines: "immer produce"}
	def.Chunk.Path, def.Chunk.Metadata = "/ws/src/core/immerClass.ts", map[string]string{MetaDefines: "Immer"}
	rankFirst(t, []storage.Hit{named, def}, "Immer", "def", "the class's definition first")
}

// For Owner.member, the member defined in Owner ranks above a top-level
// function of the same name whose chunk only uses the qualifier
// (sender.js's createFrame calls new WebsocketFrameSend(…)), though the
// legs put it first: a qualifier in the text alone says less than one
// in the path.
func TestDefinitionOwnerBeforeNamedInText(t *testing.T) {
	used, member := hit("used", 1, 10, 1, 0.7), hit("member", 8, 1.5, 47, 0.1)
	used.Chunk.Path, used.Chunk.Metadata = "/ws/lib/web/websocket/sender.js", map[string]string{MetaDefines: "SendQueue.run createFrame toBuffer"}
	used.Chunk.Text = "function createFrame (data, hint) {\n  return new WebsocketFrameSend(toBuffer(data, hint)).createFrame(hint)\n}\n"
	member.Chunk.Path, member.Chunk.Metadata = "/ws/lib/web/websocket/frame.js", map[string]string{MetaDefines: "WebsocketFrameSend WebsocketFrameSend.createFrame"}
	rankFirst(t, []storage.Hit{used, member}, "WebsocketFrameSend.createFrame", "member", "the member in its owner first")
}

// For a symbol query, a chunk that defines the symbol ranks above every
// chunk that does not: in testdata, zipent.c is named after struct
// zipent and says "zipent" nine times, which the path rule and BM25
// reward more than the definition rule rewards archive.h, where the
// struct is defined; definitionsFirst puts the definition first. With
// the definition rule off, zipent.c is first.
func TestDefinitionsFirst(t *testing.T) {
	for _, query := range []string{"zipent", "struct zipent"} {
		hits := fixturesHits(t, "zipent", "zipent.c", "archive.h")
		off := fixtureOptions
		off.Rules.Definitions = false
		if plain := Rank(hits, ParseQuery(query), off); plain[0].Chunk.DocID != "zipent.c" {
			t.Fatalf("%q, definition rule off: first %s, want zipent.c for the fixture to mean anything", query, plain[0].Chunk.ID)
		}
		got := Rank(hits, ParseQuery(query), fixtureOptions)
		if got[0].Chunk.DocID != "archive.h" || !slices.Contains(got[0].Rules, RuleDefinition) {
			t.Errorf("%q: first %s %v, want archive.h's definition", query, got[0].Chunk.ID, got[0].Rules)
		}
	}
}
