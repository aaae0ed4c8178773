package rank

import (
	"math"
	"slices"
	"strings"

	"workspace-qdrant-mcp/engine/ingest/chunk"
)

// MetaDefines is the chunk metadata key that lists, space-separated, the
// names of the declarations that start in the chunk; the chunker sets it,
// possibly empty, on every chunk of a language whose syntax it knows.
// Chunks without it (prose, notes, and an index of an older chunker until
// its files are indexed again at the next start) define nothing.
const MetaDefines = chunk.MetaDefines

// Definition strengths, as multiples of Tuning.DefinitionWeight.
const (
	defineExact    = 1.0  // the symbol, spelt as asked
	defineFolded   = 0.7  // the symbol, up to case and underscores
	defineRecased  = 0.4  // the same, but a capital asked for and not there or the reverse (RuleSet, Builder.ruleset)
	defineMember   = 0.8  // an unqualified query names a member (Server.ServeHTTP for ServeHTTP)
	defineCtor     = 0.5  // an unqualified query names a type's constructor (ParserBase.ParserBase for ParserBase): below the type
	defineOther    = 0.3  // a member of another owner than the query's qualifier
	defineUnplaced = 0.5  // a top-level name whose qualifier is in neither the chunk nor its path
	definePlaced   = 0.9  // a top-level name whose qualifier is in its path: below Owner.member itself
	defineNamed    = 0.7  // a top-level name whose chunk names the qualifier (package render; or new WebsocketFrameSend(…))
	defineCompound = 0.35 // an identifier that adjacent question words spell
)

// definition returns how strongly a chunk defines the symbol a symbol
// query asks for (0 for not at all; a question's compounds are
// compoundOf's). A defined name is a top-level one or Owner.member (see
// MetaDefines). For a symbol query, the symbol spelt as asked counts
// fully and up to case and underscores less; a member counts less than a
// top-level name unless the query's qualifier is its owner
// (Context.JSON); a top-level name under a qualifier counts nearly fully
// when the qualifier appears in the chunk or its path (render.Render in
// render/render.go), and half otherwise, so that the member itself
// (Runner.run) ranks above a function of the same name in a file named
// after the qualifier (run in runners.py).
func definition(q Query, meta map[string]string, text, rel string) float64 {
	wanted := q.wanted
	if len(wanted) == 0 {
		return 0
	}
	best := 0.0
	for n := range strings.FieldsSeq(meta[MetaDefines]) {
		owner, member := "", n
		if i := strings.LastIndexByte(n, '.'); i >= 0 {
			owner, member = n[:i], n[i+1:]
		}
		var s float64
		switch {
		case member == q.Symbol:
			s = defineExact
		case foldEqual(member, wanted[0]) && (upperFirst(member) == upperFirst(q.Symbol) || strings.ToLower(q.Symbol) == q.Symbol):
			s = defineFolded // a query all in lower case says nothing of case
		case foldEqual(member, wanted[0]):
			s = defineRecased
		default:
			continue
		}
		switch {
		case owner != "" && q.Qualifier == "" && member == owner[strings.LastIndexByte(owner, '.')+1:]:
			s *= defineCtor
		case owner != "" && q.Qualifier == "":
			s *= defineMember
		case owner != "" && !foldEqual(owner, q.qualifier):
			s *= defineOther
		case owner == "" && q.Qualifier != "" && strings.Contains(fold(rel), q.qualifier):
			s *= definePlaced
		case owner == "" && q.Qualifier != "" && strings.Contains(text, q.Qualifier):
			s *= defineNamed
		case owner == "" && q.Qualifier != "":
			s *= defineUnplaced
		}
		best = max(best, s)
	}
	return best
}

// ReadsText reports whether the ranking reads the text of a chunk with
// this metadata for query q: only a qualified symbol's top-level
// definition does, to see whether its qualifier is named there (see
// definition). A search may leave the other candidates' texts in the
// store.
func ReadsText(q Query, meta map[string]string) bool {
	if q.Qualifier == "" || len(q.wanted) == 0 {
		return false
	}
	for n := range strings.FieldsSeq(meta[MetaDefines]) {
		if !strings.Contains(n, ".") && foldEqual(n, q.wanted[0]) {
			return true
		}
	}
	return false
}

// compoundOf returns the first of a question's compounds that a chunk
// defines, folded, and the owner of the member defining it ("" for a
// top-level name); "" for none.
func compoundOf(q Query, meta map[string]string) (compound, owner string) {
	for n := range strings.FieldsSeq(meta[MetaDefines]) {
		k := strings.LastIndexByte(n, '.')
		member := n[k+1:]
		if i := slices.IndexFunc(q.Compounds, func(c string) bool { return foldEqual(member, c) }); i >= 0 {
			if k >= 0 {
				owner = n[:k]
			}
			return q.Compounds[i], owner
		}
	}
	return "", ""
}

// MaxCompoundOwners is how many of the candidates' types may define a
// question's compound as a member for the definition rule to lift those
// members: a method that many types implement (Swift's webView(_:…)
// delegate methods for "web view", String) is an interface's, and says
// nothing of which one is meant. Top-level names are lifted however many
// files define them: platform variants (findExecutable in lp_unix.go and
// lp_windows.go) are each an answer.
const MaxCompoundOwners = 2

// compoundHit is a hit of a question's candidates that defines one of its
// compounds (compoundOf): its index, the compound, and the owner of the
// member defining it ("" for a top-level name).
type compoundHit struct {
	at              int
	compound, owner string
}

// liftCompounds adds lift to the score of each hit of out that defines a
// compound of the question, unless it defines it as a member and more
// than MaxCompoundOwners types among out do.
func liftCompounds(out []Ranked, defs []compoundHit, lift float64, slab *ruleSlab) {
	owners := map[string]map[string]bool{} // compound → the types defining it as a member
	for _, d := range defs {
		if d.owner != "" {
			if owners[d.compound] == nil {
				owners[d.compound] = map[string]bool{}
			}
			owners[d.compound][d.owner] = true
		}
	}
	for _, d := range defs {
		if d.owner != "" && len(owners[d.compound]) > MaxCompoundOwners {
			continue
		}
		out[d.at].Score += lift
		slab.add(&out[d.at], RuleDefinition)
		out[d.at].defines = defineCompound
	}
}

// upperFirst reports whether name starts with a capital letter, as the
// names of types do in most languages.
func upperFirst(name string) bool { return name != "" && name[0] >= 'A' && name[0] <= 'Z' }

// strongDefinition is how strongly a hit must define a symbol query's
// symbol (Ranked.defines) to rank above every hit that does not: the
// symbol as asked, or a top-level name whose qualifier is in its path.
const strongDefinition = definePlaced

// definitionsFirst lifts, for a symbol query, the hits that define the
// symbol strongly above every other hit, when one of the others outscores
// one of them: a file named after the symbol (zip_dirent.c for struct
// zip_dirent, whose definition is in zipint.h), or a file where the
// symbol's words are everywhere, no longer ranks before the definition.
// Every strong definition gets the same lift, so they keep their order
// and their differences.
func definitionsFirst(hits []Ranked) {
	lowest, best := math.Inf(1), math.Inf(-1)
	for i := range hits {
		if hits[i].defines >= strongDefinition {
			lowest = min(lowest, hits[i].Score)
		} else {
			best = max(best, hits[i].Score)
		}
	}
	if math.IsInf(lowest, 1) || math.IsInf(best, -1) || lowest > best {
		return
	}
	lift := best - lowest + definitionMargin
	for i := range hits {
		if hits[i].defines >= strongDefinition {
			hits[i].Score += lift
		}
	}
}

// definitionMargin is how far above the best other hit definitionsFirst
// puts the lowest strong definition: a thousandth of a leg's best score.
const definitionMargin = 1e-3 / (K + 1)
