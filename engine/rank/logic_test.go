package rank

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/ingest/chunk"
	"workspace-qdrant-mcp/engine/storage"
)

// For a question, the chunk of a file that holds its logic stands for
// the file: in testdata/limiter.go, the package's doc comment and error
// values say "requests wait in a queue" more often than Acquire, which
// does it, yet Acquire comes first and takes the file's best score. With
// the rule off, or for a symbol query, the header stays first.
func TestLogicRule(t *testing.T) {
	o := fixtureOptions
	question := "how do extra requests wait in a queue"
	hits := fixtureHits(t, "limiter.go", question)
	if len(hits) < 2 || !strings.Contains(hits[0].Chunk.Text, "package limiter") {
		t.Fatalf("the fixture's keyword leg should put the header first among several chunks: %d hits", len(hits))
	}

	off := o
	off.Rules.Logic = false
	plain := Rank(hits, ParseQuery(question), off)
	if !strings.Contains(plain[0].Chunk.Text, "package limiter") || slices.Contains(plain[0].Rules, RuleLogic) {
		t.Fatalf("without the rule the header should be first: %s %v", plain[0].Chunk.ID, plain[0].Rules)
	}

	got := Rank(hits, ParseQuery(question), o)
	if !strings.Contains(got[0].Chunk.Text, "func (l *Limiter) Acquire") || !slices.Contains(got[0].Rules, RuleLogic) {
		t.Errorf("first %s %v, want Acquire, named by the rule", got[0].Chunk.ID, got[0].Rules)
	}
	if got[0].Score != plain[0].Score {
		t.Errorf("Acquire scores %v, want the file's best score %v", got[0].Score, plain[0].Score)
	}
	for _, h := range got[1:] {
		if slices.Contains(h.Rules, RuleLogic) {
			t.Errorf("%s names the rule, but only the chunk that stands for the file should", h.Chunk.ID)
		}
	}

	sym := Rank(fixtureHits(t, "limiter.go", "ErrQueueFull"), ParseQuery("ErrQueueFull"), o)
	for _, h := range sym {
		if slices.Contains(h.Rules, RuleLogic) {
			t.Errorf("symbol query: %s names the logic rule", h.Chunk.ID)
		}
	}
}

// For a question, a file's first chunk counts HeaderFactor of its score
// in choosing the chunk that stands for the file: in testdata/throttle.go
// the package comment and two wrappers say "caps the calls in flight and
// lets extra calls wait" more often than ThrottleWithOpts, which does
// it, and more than its branches make up for; at 0.7 the implementation
// stands for the file, at the file's best score. At 1 the header stays.
func TestHeaderFactor(t *testing.T) {
	question := "how can I cap the calls in flight and let extra ones wait"
	hits := fixturesHits(t, question, "throttle.go", "limiter.go", "backoff.go")
	if hits[0].Chunk.ID != "throttle.go:1" {
		t.Fatalf("the fixture's keyword leg should put throttle.go's header first: %s", hits[0].Chunk.ID)
	}
	off := fixtureOptions
	off.Tuning.HeaderFactor = 1
	plain := Rank(hits, ParseQuery(question), off)
	if plain[0].Chunk.ID != "throttle.go:1" {
		t.Fatalf("with header_factor 1 the header should stand for the file: %s %v", plain[0].Chunk.ID, plain[0].Rules)
	}
	got := Rank(hits, ParseQuery(question), fixtureOptions)
	if !strings.Contains(got[0].Chunk.Text, "func ThrottleWithOpts") || !slices.Contains(got[0].Rules, RuleLogic) || got[0].Score != plain[0].Score {
		t.Errorf("first %s %v %v, want ThrottleWithOpts named by the logic rule at the file's score %v", got[0].Chunk.ID, got[0].Rules, got[0].Score, plain[0].Score)
	}
	if sym := Rank(fixtureHits(t, "throttle.go", "Throttle"), ParseQuery("Throttle"), fixtureOptions); sym[0].Chunk.ID != "throttle.go:1" {
		t.Errorf("symbol query Throttle: first %s, want the header, which defines it", sym[0].Chunk.ID)
	}
}

// For a question, a chunk of code that is mostly comments ranks below
// code, like documentation: retrydoc.go's package comment says "retry
// waits between attempts" more often than backoff.go, which computes
// the wait, yet backoff.go comes first. With the satellite rule off (and
// the logic rule, whose declarations part lowers a file without control
// flow too), or when the question asks for the docs, the package comment
// stays first.
func TestProseRule(t *testing.T) {
	question := "how long does a retry wait between attempts"
	hits := fixturesFirst(t, question, "retrydoc.go", "retrydoc.go", "backoff.go")
	got := Rank(hits, ParseQuery(question), fixtureOptions)
	if got[0].Chunk.DocID != "backoff.go" || !slices.Contains(got[1].Rules, RuleSatellite+":"+string(Prose)) {
		t.Errorf("got %s then %s %v, want backoff.go, then the package comment named satellite:prose", got[0].Chunk.ID, got[1].Chunk.ID, got[1].Rules)
	}
	off := fixtureOptions
	off.Rules.Satellites, off.Rules.Logic = false, false
	if got := Rank(hits, ParseQuery(question), off); got[0].Chunk.DocID != "retrydoc.go" {
		t.Errorf("with the satellite and logic rules off, first %s, want retrydoc.go", got[0].Chunk.ID)
	}
	docs := question + " in the docs"
	if got := Rank(fixturesHits(t, docs, "retrydoc.go", "backoff.go"), ParseQuery(docs), fixtureOptions); got[0].Chunk.DocID != "retrydoc.go" {
		t.Errorf("asking for the docs, first %s, want retrydoc.go", got[0].Chunk.ID)
	}
}

// A declaration's doc comment is not prose: a chunk that is mostly the
// doc comment of the method it declares keeps its full score for a
// question about it; the same text declaring nothing counts as prose.
func TestProseSparesDeclarations(t *testing.T) {
	const do = `// Do calls f if and only if Do is called
// for the first time for this Once.
//
// Given a Once, the function runs once,
// even when Do is called many times and
// from many goroutines; later calls
// return at once without running it.
//
// No call to Do returns until the one
// call to f returns. If f calls Do on
// the same Once, it deadlocks. If f
// panics, Do considers it returned.
func (o *Once) Do(f func()) {
	if !o.done.Load() {
		o.doSlow(f)
	}
}
`
	question := "how does a function run only one time"
	for _, tc := range []struct {
		defines string
		prose   bool
	}{{"Once.Do", false}, {"", true}} {
		hits := []storage.Hit{{Chunk: storage.Chunk{
			ID: "once.go:10:" + tc.defines, DocID: "once.go", Kind: storage.KindFile, Path: "/ws/once.go",
			StartLine: 10, EndLine: 22, Text: do, Metadata: map[string]string{MetaDefines: tc.defines},
		}, KeywordScore: 3, KeywordRank: 1}}
		if chunkFacts.get(hits[0].Chunk).Comments < ProseShare {
			t.Fatalf("the chunk should be mostly comments")
		}
		got := Rank(hits, ParseQuery(question), fixtureOptions)
		if isProse := slices.Contains(got[0].Rules, RuleSatellite+":"+string(Prose)); isProse != tc.prose {
			t.Errorf("defining %q: ranked as prose %v, want %v (%v)", tc.defines, isProse, tc.prose, got[0].Rules)
		}
	}
}

// The rules read a chunk's facts from its metadata when the search left
// its text in the store: the logic rule picks the same chunk with and
// without the texts.
func TestFactsFromMetadata(t *testing.T) {
	question := "how do extra requests wait in a queue"
	hits := fixtureHits(t, "limiter.go", question)
	want := Rank(hits, ParseQuery(question), fixtureOptions)[0]
	bare := slices.Clone(hits)
	for i := range bare {
		h := &bare[i]
		meta := maps.Clone(h.Chunk.Metadata)
		meta[chunk.MetaFacts] = chunk.ScanFacts(h.Chunk.Text).Meta()
		h.Chunk.Metadata, h.Chunk.Text = meta, ""
		h.Chunk.ID += ":bare" // not the facts cached for the chunk with text
	}
	got := Rank(bare, ParseQuery(question), fixtureOptions)[0]
	if got.Chunk.ID != want.Chunk.ID+":bare" || !slices.Equal(got.Rules, want.Rules) {
		t.Errorf("without texts first %s %v, want %s %v", got.Chunk.ID, got.Rules, want.Chunk.ID, want.Rules)
	}
}

// For a question that asks how something works, a file none of whose
// candidates holds control flow only declares what another does: in
// testdata, bucket.h's comments say "refill", "tokens" and "request" far
// more often than bucket.c, which refills the bucket, so the keyword leg
// puts the header first. The rule puts bucket.c first and names itself on
// the header's chunks. A question that asks where something is, a symbol
// query and the logic rule turned off leave the header first.
func TestDeclarationsRule(t *testing.T) {
	question := "how does a request refill the bucket's tokens"
	hits := fixturesFirst(t, question, "bucket.h", "bucket.h", "bucket.c")
	got := Rank(hits, ParseQuery(question), fixtureOptions)
	if got[0].Chunk.DocID != "bucket.c" {
		t.Errorf("%q: first %s %v, want bucket.c", question, got[0].Chunk.ID, got[0].Rules)
	}
	for _, h := range got {
		if want := h.Chunk.DocID == "bucket.h"; slices.Contains(h.Rules, RuleDeclarations) != want {
			t.Errorf("%s names the declarations rule: %v, want %v", h.Chunk.ID, h.Rules, want)
		}
	}

	off := fixtureOptions
	off.Rules.Logic = false
	if plain := Rank(hits, ParseQuery(question), off); plain[0].Chunk.DocID != "bucket.h" {
		t.Errorf("logic rule off: first %s, want bucket.h", plain[0].Chunk.ID)
	}
	where := "where are the tokens of a request's bucket kept between refills"
	if loc := Rank(fixturesHits(t, where, "bucket.h", "bucket.c"), ParseQuery(where), fixtureOptions); loc[0].Chunk.DocID != "bucket.h" || slices.Contains(loc[0].Rules, RuleDeclarations) {
		t.Errorf("%q: first %s %v, want bucket.h, not lowered", where, loc[0].Chunk.ID, loc[0].Rules)
	}
	if sym := Rank(fixturesHits(t, "bucket_refill", "bucket.h", "bucket.c"), ParseQuery("bucket_refill"), fixtureOptions); slices.ContainsFunc(sym, func(h Ranked) bool { return slices.Contains(h.Rules, RuleDeclarations) }) {
		t.Errorf("symbol query bucket_refill: the declarations rule moved a hit")
	}
}

// A question that asks for an interface finds the chunk that declares
// it above a backend that names the same words more often; the rule
// leaves questions that do not ask for one, and is off with the
// definition rule or at weight 0.
func TestContractRule(t *testing.T) {
	question := "where is the interface every blob store backend implements"
	hits := fixturesFirst(t, question, "memstore.go", "blobstore.go", "memstore.go")
	got := Rank(hits, ParseQuery(question), fixtureOptions)
	if got[0].Chunk.DocID != "blobstore.go" || !slices.Contains(got[0].Rules, RuleContract) {
		t.Errorf("%q: first %s %v, want blobstore.go by the contract rule", question, got[0].Chunk.ID, got[0].Rules)
	}
	for _, h := range got {
		if slices.Contains(h.Rules, RuleContract) && h.Chunk.DocID != "blobstore.go" {
			t.Errorf("%s names the contract rule: %v", h.Chunk.ID, h.Rules)
		}
	}

	off := fixtureOptions
	off.Tuning.ContractWeight = 0
	if plain := Rank(hits, ParseQuery(question), off); plain[0].Chunk.DocID != "memstore.go" {
		t.Errorf("contract weight 0: first %s, want memstore.go", plain[0].Chunk.ID)
	}
	off = fixtureOptions
	off.Rules.Definitions = false
	if plain := Rank(hits, ParseQuery(question), off); plain[0].Chunk.DocID != "memstore.go" {
		t.Errorf("definition rule off: first %s, want memstore.go", plain[0].Chunk.ID)
	}
	other := "where is every blob store backend kept"
	for _, h := range Rank(fixturesHits(t, other, "blobstore.go", "memstore.go"), ParseQuery(other), fixtureOptions) {
		if slices.Contains(h.Rules, RuleContract) {
			t.Errorf("%q: %s names the contract rule", other, h.Chunk.ID)
		}
	}
}

// ParseQuery tells what a question asks: how something works (AsksHow:
// it starts with how, what, when or why, or has six words or more, and
// does not start with where or which), and whether for a contract
// (AsksContract: an interface, trait, contract or base class, not one of
// a list nor a C interface).
func TestQueryAsks(t *testing.T) {
	for _, tc := range []struct {
		query         string
		how, contract bool
	}{
		{"how does the router match a path", true, false},
		{"What happens when the queue is full", true, false},
		{"in a pool, what happens to an idle connection", true, false},
		{"where is the router wired", false, false},
		{"Which file declares the limits", false, false},
		{"journal replay checkpoint", false, false},
		{"Context.JSON", false, false},
		{"Store.Put", false, false},
		{"where is the interface every blob store implements", false, true},
		{"which trait does a new kind of configuration source implement", false, true},
		{"where is the contract declared that every storage adapter must implement", false, true},
		{"where is the abstract base class of all paths", false, true},
		{"how does each backend implement the storage interface", true, true},
		{"which files define the path objects and their common base class", false, true},
		{"where is the comparison walking structs, slices, maps, pointers and interfaces", false, false},
		{"which tests check the generated source of whole classes, enums, interfaces", false, false},
		{"which code provides the plain C interface with opaque handles", false, false},
	} {
		if q := ParseQuery(tc.query); q.AsksHow != tc.how || q.AsksContract != tc.contract {
			t.Errorf("ParseQuery(%q): AsksHow %v, AsksContract %v; want %v, %v", tc.query, q.AsksHow, q.AsksContract, tc.how, tc.contract)
		}
	}
}

// For a question that asks how, a header whose source is among the
// candidates counts less, though its inline functions hold control
// flow: the source does what the header's comments describe. A header
// alone, or a question that asks where, keeps its place.
func TestHeaderBesideItsSource(t *testing.T) {
	question := "how does a write wrap around when the ring is full"
	hits := fixturesFirst(t, question, "include/ring.h", "include/ring.h", "src/ring.c")
	got := Rank(hits, ParseQuery(question), fixtureOptions)
	if got[0].Chunk.DocID != "src/ring.c" || !slices.Contains(got[1].Rules, RuleDeclarations) {
		t.Errorf("%q: got %s then %s %v, want src/ring.c, then the header lowered", question, got[0].Chunk.ID, got[1].Chunk.ID, got[1].Rules)
	}
	alone := Rank(fixturesHits(t, question, "include/ring.h"), ParseQuery(question), fixtureOptions)
	if slices.ContainsFunc(alone, func(h Ranked) bool { return slices.Contains(h.Rules, RuleDeclarations) }) {
		t.Errorf("%q: a header without its source was lowered", question)
	}
	where := "where is the ring that wraps around when full"
	if loc := Rank(fixturesHits(t, where, "include/ring.h", "src/ring.c"), ParseQuery(where), fixtureOptions); slices.Contains(loc[0].Rules, RuleDeclarations) || loc[0].Chunk.DocID != "include/ring.h" {
		t.Errorf("%q: first %s %v, want include/ring.h, not lowered", where, loc[0].Chunk.ID, loc[0].Rules)
	}
}
