package rank

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/storage"
)

// Kinds of query.
const (
	KindQuestion = "question" // words, a phrase or a question
	KindSymbol   = "symbol"   // one identifier, possibly qualified
)

// Query is a search text as the ranking rules see it.
type Query struct {
	Text string
	Kind string
	// Search is the text the legs search: Text, less, for a question,
	// the words that only make it one ("where", "when", "implemented":
	// see asking), unless nothing else is left.
	Search string
	Terms  []string // analysis.QueryTerms of Search: what the keyword leg matches
	// Symbol is the identifier a symbol query names, without its
	// qualifier ("JSON" for "Context.JSON"); Qualifier is the rest
	// ("Context"), "" when unqualified.
	Symbol    string
	Qualifier string
	// Compounds are identifiers, folded (see fold), that
	// adjacent words of a question spell: "parse duration" gives
	// "parseduration". A chunk defining one of them is lifted.
	Compounds []string
	// Asks records the satellite classes the query asks about by name
	// ("test", "example", ...): those are not pushed down.
	Asks map[Satellite]bool
	// AsksHow is whether a question asks how something works or what
	// happens: it is phrased as a question (its first word is how, what,
	// when or why, or it has at least six words; not a few keywords)
	// and does not ask where something is (its first word is not where
	// or which: "where is the router wired", "which file declares the
	// limits" are answered by declarations as well as by code that acts).
	AsksHow bool
	// AsksContract is whether a question asks for a contract: it names an
	// interface, trait, contract, type class, abstract or base class, and
	// not as one item of a list ("pointers and interfaces") nor as a C
	// API ("the plain C interface"). See Tuning.ContractWeight.
	AsksContract bool

	// wanted are the folded names whose definition a symbol query asks
	// for, the symbol (a question's are its Compounds); qualifier is the
	// qualifier folded. Both are read for every candidate, so they are
	// worked out once, here.
	wanted    []string
	qualifier string
}

// symbolPattern matches an identifier, possibly qualified by dots, ::,
// :, #, -> or /, with an optional trailing "()", "!" (a Rust macro, a
// Ruby method) or "?" (a Ruby or Elixir predicate): HTTPAdapter,
// from_str, Context.JSON, Value::as_str, lager:md, Rack::Builder,
// Request#params, Launcher#restart!, $emit(), execute!, and R's
// oauth2.0_token, where a dot may come before a digit.
var symbolPattern = regexp.MustCompile(`^\\?[A-Za-z_$][\w$]*(?:(?:\.|::?|#|->|/|\\)[A-Za-z_$][\w$]*|\.\d[\w$]*)*(?:\(\)|!|\?)?$`)

// ParseQuery classifies text and extracts what the rules need.
func ParseQuery(text string) Query {
	t := strings.TrimSpace(text)
	q := Query{Text: text, Search: text, Kind: KindQuestion, Terms: analysis.QueryTerms(text), Asks: asks(text)}
	if kw, rest, ok := strings.Cut(t, " "); ok && declarationWords[kw] && symbolPattern.MatchString(strings.TrimSpace(rest)) {
		t = strings.TrimSpace(rest) // "struct jq_state", "class HTTPAdapter": the name is the symbol
	} else if name, ok := typeAndMember(t); ok {
		t = name // "AIRMap takeSnapshotWithConfig", -[AIRMap takeSnapshotWithConfig:]: AIRMap.takeSnapshotWithConfig
	} else if name, ok := namedSymbol(t); ok && !symbolPattern.MatchString(t) {
		t = name // "func (c *Context) JSON(code int, obj any)", "the Engine.ServeHTTP method"
		q.Search, q.Terms = name, analysis.QueryTerms(name)
	}
	if symbolPattern.MatchString(t) {
		q.Kind = KindSymbol
		t = strings.TrimSuffix(t, "()")
		mark := "" // Ruby's restart! and halted?, or a Rust macro's execute!
		if strings.HasSuffix(t, "!") || strings.HasSuffix(t, "?") {
			t, mark = t[:len(t)-1], t[len(t)-1:]
		}
		t = strings.TrimPrefix(t, `\`) // PHP's fully qualified \App\Models\User
		cut := strings.LastIndexAny(t, `.:#>/\`)
		q.Symbol = t[cut+1:]
		if cut > 0 {
			if t[cut] == '#' || t[cut] == '.' {
				q.Symbol += mark // a method's name ends with it (Launcher#restart!); a macro's does not (tokio::select!)
			}
			q.Qualifier = strings.TrimRight(t[:cut], `.:#-/\`)
			if i := strings.LastIndexAny(q.Qualifier, `.:#>/\`); i >= 0 {
				q.Qualifier = q.Qualifier[i+1:] // Rack::Utils::escape: Utils
			}
		}
		q.Symbol = strings.TrimPrefix(q.Symbol, "$")
		q.wanted, q.qualifier = []string{fold(q.Symbol)}, fold(q.Qualifier)
		return q
	}
	q.Compounds = compounds(t)
	q.AsksHow = asksHow(t)
	q.AsksContract = contractWords.MatchString(t) && !listedContract.MatchString(t)
	if search := withoutAsking(text); search != text {
		if terms := analysis.QueryTerms(search); len(terms) > 0 {
			q.Search, q.Terms = search, terms
		}
	}
	return q
}

// asksHow reports whether the text of a question asks how something
// works or what happens (Query.AsksHow).
func asksHow(text string) bool {
	words := strings.Fields(text)
	if len(words) == 0 {
		return false
	}
	switch strings.ToLower(words[0]) {
	case "where", "which":
		return false
	case "how", "what", "when", "why":
		return true
	}
	return len(words) >= minHowWords
}

// contractWords are the words by which a question asks for a contract
// (Query.AsksContract); listedContract is one of them as the last item
// of a list, or after "C" (a library's C interface is its API).
var (
	contractWords  = regexp.MustCompile(`(?i)\b` + contractNouns)
	listedContract = regexp.MustCompile(`(?i)(?:,|\band|\bor|\bC)\s+` + contractNouns)
)

const contractNouns = `(?:interfaces?|traits?|contracts?|abstract|typeclass(?:es)?|base class(?:es)?)\b`

// minHowWords is how many words make a question of a text that does not
// start with an interrogative: "journal replay checkpoint" is keywords,
// "in a pool, what happens to an idle connection" a question.
const minHowWords = 6

// signature matches a function's signature as pasted from code: its
// keyword, a Go method's receiver (its type in group 1), the name (group
// 2), then its parameters or type parameters.
var signature = regexp.MustCompile(`^(?:(?:pub(?:\([^)]*\))?|export|async|static|public|private|protected)\s+)*(?:func|fn|def|function|sub)(?:\s*\(\s*(?:[A-Za-z_]\w*\s+)?\*?\s*([A-Za-z_]\w*)(?:\[[^\]]*\])?\s*\)\s*|\s+)([A-Za-z_]\w*)\s*(?:[(<\[]|$)`)

// nameWords are the words a short query may put around the one name it
// asks for: "the Engine.ServeHTTP method", "where is ParseDuration
// defined"; a kindWord next to it says that it is a name even when it
// looks like any word ("the Parser class").
var nameWords = map[string]bool{
	"the": true, "a": true, "an": true, "where": true, "is": true, "are": true, "find": true, "show": true, "me": true,
	"definition": true, "declaration": true, "implementation": true, "of": true, "defined": true, "declared": true, "implemented": true,
}

// kindWords name a kind of declaration ("the Parser class").
var kindWords = map[string]bool{
	"method": true, "function": true, "func": true, "class": true, "struct": true, "type": true, "interface": true,
	"trait": true, "enum": true, "macro": true, "module": true, "constant": true, "field": true, "property": true,
}

// namedSymbol returns the one symbol that a query which is not a bare
// identifier still names: a pasted signature (Go's method as
// Type.Name), or a name among nameWords and kindWords that is spelt as
// code (Context.JSON, ServeHTTP, parse_args, $emit()) or called a kind.
func namedSymbol(t string) (string, bool) {
	if m := signature.FindStringSubmatch(t); m != nil {
		if m[1] != "" {
			return m[1] + "." + m[2], true
		}
		return m[2], true
	}
	words := strings.Fields(t)
	name, at := "", -1
	for i, w := range words {
		w = strings.TrimRight(w, "?,;")
		switch lw := strings.ToLower(w); {
		case kindWords[lw], nameWords[lw]:
		case name == "" && symbolPattern.MatchString(w):
			name, at = w, i
		default:
			return "", false
		}
	}
	kind := func(i int) bool {
		return i >= 0 && i < len(words) && kindWords[strings.ToLower(strings.TrimRight(words[i], "?,;"))]
	}
	if name == "" || !kind(at-1) && !kind(at+1) && !spelledAsCode(name) {
		return "", false
	}
	return name, true
}

// objcMessage matches an Objective-C method as its users write it, a
// message: -[AIRMap takeSnapshotWithConfig:success:], [NSString
// stringWithFormat:], the class in group 1 and the selector's first part
// in group 2.
var objcMessage = regexp.MustCompile(`^[-+]?\[\s*([A-Za-z_]\w*)\s+([A-Za-z_]\w*)(?::[^\]]*)?\s*\]$`)

// typeAndMember returns Type.member for a query that names a method
// after its class with a space, as Objective-C's messages do, in brackets
// or without them ("AIRMap takeSnapshotWithConfig", "RCTConvert
// MKCoordinateRegion"): two words, the first a type's name (a capital,
// then at least one more), the second spelt as code. Two words that
// could be prose ("Parse duration", "HTTP server") are left a question.
func typeAndMember(t string) (string, bool) {
	if m := objcMessage.FindStringSubmatch(t); m != nil {
		return m[1] + "." + m[2], true
	}
	words := strings.Fields(t)
	if len(words) != 2 {
		return "", false
	}
	typ, member := words[0], words[1]
	if !identifier.MatchString(typ) || !identifier.MatchString(member) || !upperFirst(typ) ||
		strings.IndexFunc(typ[1:], unicode.IsUpper) < 0 || !spelledAsCode(member) && !typeName(member) {
		return "", false
	}
	return typ + "." + member, true
}

// identifier matches one identifier, unqualified.
var identifier = regexp.MustCompile(`^[A-Za-z_]\w*$`)

// typeName reports whether w is spelt as a type's name of two words or
// more: a capital, lower case, then another capital (MKCoordinateRegion,
// HttpClient), which prose does not write.
func typeName(w string) bool {
	if !upperFirst(w) {
		return false
	}
	lower := false
	for _, r := range w[1:] {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r) && lower:
			return true
		}
	}
	return false
}

// spelledAsCode reports whether a word can only be code: qualified
// (Context.JSON, Value::as_str), called (emit()), snake_case, or camelCase
// with a lower-case letter before a capital (ServeHTTP, parseArgs).
func spelledAsCode(w string) bool {
	if strings.ContainsAny(w, ".:#/_$") || strings.HasSuffix(w, "()") || strings.HasSuffix(w, "!") {
		return true
	}
	for i := 1; i < len(w); i++ {
		if w[i-1] >= 'a' && w[i-1] <= 'z' && w[i] >= 'A' && w[i] <= 'Z' {
			return true
		}
	}
	return false
}

// asking are the words, beyond the analyser's English stop words, that
// phrase a question rather than say what it is about: interrogatives and
// verbs any question about code may use. The analyser keeps them, since
// code uses them as keywords (where, when, for, do); searched, they match
// SQL, Rust's where clauses and every for loop instead of the subject.
var asking = map[string]bool{
	"where": true, "when": true, "for": true, "do": true, "does": true, "happen": true, "happens": true,
	"implement": true, "implemented": true, "implements": true, "define": true, "defined": true,
	"handled": true, "like": true, "part": true, "parts": true, "code": true, "work": true, "works": true,
	"way": true, "ways": true, "done": true,
	// What a question calls the code it asks about.
	"component": true, "components": true, "framework": true, "library": true, "responsible": true, "wired": true, "located": true, "lives": true,
}

// withoutAsking returns a question's text without its asking words, or
// text itself when it has none.
func withoutAsking(text string) string {
	words := strings.Fields(text)
	kept := words[:0:0]
	for _, w := range words {
		if !asking[strings.ToLower(strings.Trim(w, "?!.,;:\"'()"))] {
			kept = append(kept, w)
		}
	}
	if len(kept) == len(words) {
		return text
	}
	return strings.Join(kept, " ")
}

// compounds returns the identifiers, normalised, that two or three
// adjacent words of text spell.
func compounds(text string) []string {
	var words []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if !stopword(strings.ToLower(w)) {
			words = append(words, fold(w))
		}
	}
	var out []string
	for n := 2; n <= 3; n++ {
		for i := 0; i+n <= len(words); i++ {
			out = append(out, strings.Join(words[i:i+n], ""))
		}
	}
	return out
}

// fold folds an identifier for comparison: lowercase, without
// underscores, hyphens or a leading $, so HTTPAdapter, http_adapter and
// httpAdapter meet.
func fold(name string) string { return storage.FoldName(name) }

// foldEqual reports whether fold(name) == folded without building
// fold(name), for ASCII names (ranking compares every candidate's defined
// names this way).
func foldEqual(name, folded string) bool {
	j := 0
	for i := 0; i < len(name); i++ {
		b := name[i]
		switch {
		case b >= 0x80:
			return fold(name) == folded
		case b == '_' || b == '-' || b == '$':
			continue
		case 'A' <= b && b <= 'Z':
			b += 'a' - 'A'
		}
		if j >= len(folded) || folded[j] != b {
			return false
		}
		j++
	}
	return j == len(folded)
}

// declarationWords are the keywords that, before a single identifier,
// ask for its declaration: "struct jq_state", "def merge".
var declarationWords = map[string]bool{
	"struct": true, "class": true, "enum": true, "union": true, "interface": true, "trait": true,
	"type": true, "typedef": true, "func": true, "fn": true, "def": true, "defp": true, "defmacro": true,
	"function": true, "sub": true, "module": true, "defmodule": true, "protocol": true, "record": true,
	"object": true, "data": true, "newtype": true, "impl": true, "macro": true,
}

// questionWords are words of a question that never belong to an
// identifier it spells.
var questionWords = map[string]bool{
	"how": true, "what": true, "where": true, "which": true, "when": true, "why": true, "who": true,
	"does": true, "do": true, "is": true, "are": true, "the": true, "a": true, "an": true, "of": true,
	"to": true, "in": true, "on": true, "for": true, "and": true, "or": true, "with": true, "by": true,
	"from": true, "it": true, "its": true, "be": true, "can": true, "i": true, "we": true,
	"this": true, "that": true, "into": true, "at": true, "as": true, "work": true, "works": true,
	"happens": true, "handled": true, "implemented": true, "defined": true, "code": true,
}

func stopword(w string) bool { return questionWords[w] }

// FileNames returns the base names (without extension) a file named after
// symbol may have: as written, lowercase, snake_case and kebab-case, and
// PascalCase for a snake_case symbol. Characters that globs treat
// specially never occur: symbols are identifiers.
func FileNames(symbol string) []string {
	if symbol == "" || strings.ContainsAny(symbol, `*?[]{}\,`) {
		return nil
	}
	var words []string
	for _, w := range strings.FieldsFunc(symbol, func(r rune) bool { return r == '_' || r == '-' || r == '$' }) {
		words = append(words, camelWords(w)...)
	}
	lower := make([]string, len(words))
	pascal := ""
	for i, w := range words {
		lower[i] = strings.ToLower(w)
		pascal += strings.ToUpper(lower[i][:1]) + lower[i][1:]
	}
	var out []string
	for _, n := range []string{symbol, strings.ToLower(symbol), strings.Join(lower, "_"), strings.Join(lower, "-"), pascal} {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// camelWords splits an identifier at case changes: HTTPAdapter gives
// HTTP, Adapter; parseJSON gives parse, JSON.
func camelWords(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		lowerToUpper := unicode.IsLower(rs[i-1]) && unicode.IsUpper(rs[i])
		acronymEnd := i+1 < len(rs) && unicode.IsUpper(rs[i-1]) && unicode.IsUpper(rs[i]) && unicode.IsLower(rs[i+1])
		if lowerToUpper || acronymEnd {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	return append(out, string(rs[start:]))
}
