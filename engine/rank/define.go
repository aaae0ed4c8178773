package rank

import (
	"regexp"
	"slices"
	"strings"

	"workspace-qdrant-mcp/engine/ingest/chunk"
)

// MetaDefines is the chunk metadata key that lists, space-separated, the
// names of the declarations that start in the chunk; the chunker sets it,
// possibly empty, on every chunk of a language whose syntax it knows.
const MetaDefines = chunk.MetaDefines

// declaration matches a line that declares a name in one of the common
// languages, capturing the name: func/type/var (Go, with a receiver),
// def/class/module (Python, Ruby), function/class/interface/enum/type
// (JavaScript, TypeScript, PHP, Java), fn/struct/enum/trait/mod/
// macro_rules! (Rust); impl blocks add to a type and define nothing. It
// is the fallback for chunks indexed without MetaDefines: notes, and
// indexes made before the chunker recorded it.
var declaration = regexp.MustCompile(`(?m)^[ \t]*(?:(?:export|default|pub(?:\([^)]*\))?|public|private|protected|internal|static|abstract|final|async|unsafe|const|extern(?:\s+"C")?|open|override|sealed|declare|readonly)\s+)*` +
	`(?:func(?:\s*\([^)]*\))?|type|def|class|module|function\*?|interface|enum|trait|struct|union|fn|mod|macro_rules!|record|object|protocol|const|let|var|val)\s+` +
	`(?:self\.)?([A-Za-z_$][\w$]*)`)

// defines returns the names a chunk declares that could be one of the
// wanted names (folded, see fold): all of its MetaDefines when the chunker
// recorded them, otherwise what the declaration pattern finds on the
// lines that hold a wanted name. Lines are only matched against the
// pattern when the chunk holds a wanted name at all, which keeps the
// fallback cheap: most candidates hold none.
func defines(meta map[string]string, text string, wanted []string) []string {
	if d, ok := meta[MetaDefines]; ok {
		return strings.Fields(d)
	}
	if !containsAny(fold(text), wanted) {
		return nil
	}
	var out []string
	for line := range strings.Lines(text) {
		if !containsAny(fold(line), wanted) {
			continue
		}
		for _, m := range declaration.FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// Definition strengths, as multiples of Tuning.DefinitionWeight.
const (
	defineExact    = 1.0  // the symbol, spelt as asked
	defineFolded   = 0.7  // the symbol, up to case and underscores
	defineMember   = 0.8  // an unqualified query names a member (Server.ServeHTTP for ServeHTTP)
	defineOther    = 0.3  // a member of another owner than the query's qualifier
	defineUnplaced = 0.5  // a top-level name whose qualifier is in neither the chunk nor its path
	defineCompound = 0.35 // an identifier that adjacent question words spell
)

// wanted returns the folded names whose definition q asks for: the
// symbol, or the compounds of a question.
func (q Query) wanted() []string {
	if q.Kind == KindSymbol {
		return []string{fold(q.Symbol)}
	}
	return q.Compounds
}

// definition returns how strongly a chunk defines what q asks for (0 for
// not at all). A defined name is a top-level one or Owner.member (see
// MetaDefines). For a symbol query, the symbol spelt as asked counts
// fully and up to case and underscores less; a member counts less than a
// top-level name unless the query's qualifier is its owner
// (Context.JSON); a top-level name counts fully under a qualifier only
// when the qualifier appears in the chunk or its path (render.Render in
// render/render.go).
func definition(q Query, meta map[string]string, text, rel string) float64 {
	wanted := q.wanted()
	if len(wanted) == 0 {
		return 0
	}
	best := 0.0
	for _, n := range defines(meta, text, wanted) {
		owner, member := "", n
		if i := strings.LastIndexByte(n, '.'); i >= 0 {
			owner, member = n[:i], n[i+1:]
		}
		if q.Kind == KindQuestion {
			if slices.Contains(q.Compounds, fold(member)) {
				best = max(best, defineCompound)
			}
			continue
		}
		var s float64
		switch {
		case member == q.Symbol:
			s = defineExact
		case fold(member) == wanted[0]:
			s = defineFolded
		default:
			continue
		}
		switch {
		case owner != "" && q.Qualifier == "":
			s *= defineMember
		case owner != "" && fold(owner) != fold(q.Qualifier):
			s *= defineOther
		case owner == "" && q.Qualifier != "" && !strings.Contains(text, q.Qualifier) &&
			!strings.Contains(fold(rel), fold(q.Qualifier)):
			s *= defineUnplaced
		}
		best = max(best, s)
	}
	return best
}
