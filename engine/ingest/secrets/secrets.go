// Package secrets finds secrets in text and replaces them before the text
// is embedded or stored.
//
// The rules are gitleaks' default rule set (private keys, and the tokens
// of AWS, GitHub, GitLab, Slack, Stripe, OpenAI, Anthropic, Google, JWTs
// and some two hundred more providers), compiled into rules_gen.go from
// gitleaks/gitleaks.toml by gen.go (go generate), rather than imported
// from github.com/zricethezav/gitleaks/v8, whose detector package pulls
// in some sixty modules (archive formats, viper, terminal styling). A
// rule is applied as gitleaks applies it: its regular expression, the
// secret group, the entropy threshold and its allowlists (regexes on the
// secret, the match or the line, and stopwords), then the global
// allowlist; a line holding "gitleaks:allow" is left alone. Path
// allowlists, meant for scanning repositories, are not used: a secret is
// redacted wherever it is.
//
// Speed comes from keywords: every rule names words one of which occurs
// in any text it matches. One pass of an Aho-Corasick automaton over the
// text, folding ASCII case, finds which keywords occur, and only the rules
// of those keywords run their regular expressions.
//
// Redact replaces each secret by "[REDACTED:<rule id>]", keeping every
// newline the secret spanned, so that line numbers do not move.
package secrets

//go:generate go run gen.go -in gitleaks/gitleaks.toml -out rules_gen.go

import (
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// ruleSpec is one gitleaks rule as generated.
type ruleSpec struct {
	ID          string
	Regex       string
	Path        string // when set, the rule applies only to paths this matches
	Keywords    []string
	Entropy     float64
	SecretGroup int
	Allow       []allowSpec
}

// allowSpec is one gitleaks allowlist as generated.
type allowSpec struct {
	And       bool   // every present check must hold, not any
	Target    string // what Regexes see: "" (the secret), "match" or "line"
	Paths     []string
	Regexes   []string
	Stopwords []string
}

// Finding is one secret found in a text.
type Finding struct {
	Rule       string // gitleaks rule id, e.g. "github-pat"
	Start, End int    // byte offsets of the secret in the text
	Line       int    // 1-based line where the secret starts
}

type rule struct {
	id          string
	re          *regexp.Regexp
	path        *regexp.Regexp
	entropy     float64
	secretGroup int
	multiline   bool // its matches may span many lines
	allow       []allowList
}

type allowList struct {
	and       bool
	target    string
	paths     []*regexp.Regexp
	regexes   []*regexp.Regexp
	stopwords []string
}

// Scanner finds secrets. It is safe for concurrent use.
type Scanner struct {
	rules  []rule
	global allowList
	kw     *automaton // keyword → the rules that name it
}

// excluded names the gitleaks rules that are not used. generic-api-key
// matches any high-entropy word after "key", "token", "auth", "api" or
// "secret" and an assignment: in code that is mostly identifiers and test
// vectors (NewEncapsulationKey1024 in Go's crypto/mlkem, hex digests in
// its tests), whose redaction would break search, and it cost a quarter
// of the scan on GOROOT. Secrets of known providers and private keys have
// rules of their own; files made of credentials (.env, .npmrc, keys) are
// not read at all (see ignore.SecretPatterns).
var excluded = map[string]struct{}{"generic-api-key": {}}

// Default returns the scanner of gitleaks' default rules, compiled on
// first use.
var Default = sync.OnceValue(func() *Scanner {
	s, err := compile(ruleSpecs, globalAllow)
	if err != nil {
		panic(err) // the generator compiled every expression already
	}
	return s
})

func compile(specs []ruleSpec, global allowSpec) (*Scanner, error) {
	s := &Scanner{}
	var err error
	if s.global, err = compileAllow(global); err != nil {
		return nil, fmt.Errorf("global allowlist: %w", err)
	}
	keywords := map[string][]int{}
	for _, sp := range specs {
		if _, skip := excluded[sp.ID]; skip {
			continue
		}
		r := rule{id: sp.ID, entropy: sp.Entropy, secretGroup: sp.SecretGroup,
			multiline: strings.Contains(sp.Regex, `[\s\S`) || strings.Contains(sp.Regex, "(?s")}
		if r.re, err = regexp.Compile(trimLead(sp.Regex)); err != nil {
			return nil, fmt.Errorf("rule %s: %w", sp.ID, err)
		}
		if sp.Path != "" {
			if r.path, err = regexp.Compile(sp.Path); err != nil {
				return nil, fmt.Errorf("rule %s: path: %w", sp.ID, err)
			}
		}
		for _, a := range sp.Allow {
			al, err := compileAllow(a)
			if err != nil {
				return nil, fmt.Errorf("rule %s: %w", sp.ID, err)
			}
			r.allow = append(r.allow, al)
		}
		if len(sp.Keywords) == 0 {
			return nil, fmt.Errorf("rule %s has no keywords", sp.ID)
		}
		for _, k := range sp.Keywords {
			k = strings.ToLower(k)
			keywords[k] = append(keywords[k], len(s.rules))
		}
		s.rules = append(s.rules, r)
	}
	s.kw = newAutomaton(keywords, len(s.rules))
	return s, nil
}

func compileAllow(a allowSpec) (allowList, error) {
	al := allowList{and: a.And, target: a.Target}
	for _, p := range a.Paths {
		re, err := regexp.Compile(p)
		if err != nil {
			return al, fmt.Errorf("allowlist path: %w", err)
		}
		al.paths = append(al.paths, re)
	}
	for _, p := range a.Regexes {
		re, err := regexp.Compile(p)
		if err != nil {
			return al, fmt.Errorf("allowlist regex: %w", err)
		}
		al.regexes = append(al.regexes, re)
	}
	for _, w := range a.Stopwords {
		al.stopwords = append(al.stopwords, strings.ToLower(w))
	}
	return al, nil
}

// Find returns the secrets in text, in order of position, overlapping
// ones merged under the first rule that found them. path, when not empty,
// enables the rules meant for files of some kinds only (gitleaks' "path"
// rules); it is otherwise unused.
func (s *Scanner) Find(text, path string) []Finding {
	hits := s.kw.scan(text)
	if len(hits) == 0 {
		return nil
	}
	// Each rule runs only on the lines of its keywords (a match holds its
	// keyword), or, for a rule whose matches span lines (a private-key
	// block), from the keyword's line to the end of the text.
	windows := make([][]window, len(s.rules))
	line := window{start: 0, end: -1} // the line of the latest hit
	for _, h := range hits {
		at := h.end - 1
		if at >= line.end {
			line = window{lineStart(text, at), lineEnd(text, at)}
		}
		for w, set := range s.kw.rules[h.state] {
			for set != 0 {
				r := w*64 + bits.TrailingZeros64(set)
				set &= set - 1
				ws := windows[r]
				n := len(ws)
				if n > 0 && at < ws[n-1].end {
					continue // on a line the rule runs on already
				}
				win := line
				if s.rules[r].multiline {
					win.end = len(text)
				}
				if n > 0 && win.start <= ws[n-1].end {
					ws[n-1].end = win.end
					continue
				}
				windows[r] = append(ws, win)
			}
		}
	}
	var out []Finding
	for i, ws := range windows {
		for _, w := range ws {
			out = s.rules[i].find(text, w, path, &s.global, out)
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return a.Start - b.Start })
	merged := out[:1]
	for _, f := range out[1:] {
		last := &merged[len(merged)-1]
		if f.Start < last.End {
			last.End = max(last.End, f.End)
			continue
		}
		merged = append(merged, f)
	}
	n, at := 1, 0
	for i := range merged {
		n += strings.Count(text[at:merged[i].Start], "\n")
		at = merged[i].Start
		merged[i].Line = n
	}
	return merged
}

// Redact returns text with every secret replaced by "[REDACTED:<rule>]"
// followed by the newlines the secret held, and what it replaced.
func (s *Scanner) Redact(text, path string) (string, []Finding) {
	found := s.Find(text, path)
	if len(found) == 0 {
		return text, nil
	}
	var b strings.Builder
	b.Grow(len(text))
	at := 0
	for _, f := range found {
		b.WriteString(text[at:f.Start])
		b.WriteString("[REDACTED:" + f.Rule + "]")
		b.WriteString(strings.Repeat("\n", strings.Count(text[f.Start:f.End], "\n")))
		at = f.End
	}
	b.WriteString(text[at:])
	return b.String(), found
}

// allowSignature on a line tells gitleaks, and this scanner, that what
// the line holds is not a secret.
const allowSignature = "gitleaks:allow"

// window is a part of a text, whole lines, that a rule runs on.
type window struct{ start, end int }

// leads are the prefixes with which many gitleaks rules extend a match
// leftwards over the identifier before their keyword: with a secret group
// after it, it changes no secret, and it multiplies the threads of the
// regexp engine, which made those rules most of the scan's cost.
var leads = []string{`(?i)[\w.-]{0,50}?`, `[\w.-]{0,50}?`}

// trimLead drops a rule's lead (see leads), keeping its flags.
func trimLead(re string) string {
	if rest, ok := strings.CutPrefix(re, leads[0]); ok {
		return "(?i)" + rest
	}
	if rest, ok := strings.CutPrefix(re, leads[1]); ok {
		return rest
	}
	return re
}

// lineStart is the offset where the line holding text[i] begins.
func lineStart(text string, i int) int {
	return strings.LastIndexByte(text[:i], '\n') + 1
}

// lineEnd is the offset just past the newline that ends the line holding
// text[i], or len(text).
func lineEnd(text string, i int) int {
	if e := strings.IndexByte(text[i:], '\n'); e >= 0 {
		return i + e + 1
	}
	return len(text)
}

// find appends r's findings in text[w.start:w.end] to out.
func (r *rule) find(text string, w window, path string, global *allowList, out []Finding) []Finding {
	if r.path != nil && (path == "" || !r.path.MatchString(path)) {
		return out
	}
	for _, m := range r.re.FindAllStringSubmatchIndex(text[w.start:w.end], -1) {
		for i := range m {
			if m[i] >= 0 {
				m[i] += w.start
			}
		}
		// As gitleaks: newlines that end a match are not part of it.
		mEnd := m[0] + len(strings.TrimRight(text[m[0]:m[1]], "\n"))
		match := text[m[0]:mEnd]
		ss, se := m[0], mEnd
		switch {
		case r.secretGroup > 0 && 2*r.secretGroup+1 < len(m) && m[2*r.secretGroup] >= 0:
			ss, se = m[2*r.secretGroup], m[2*r.secretGroup+1]
		case r.secretGroup == 0:
			for g := 1; 2*g+1 < len(m); g++ {
				if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
					ss, se = m[2*g], m[2*g+1]
					break
				}
			}
		}
		secret := text[ss:se]
		if secret == "" {
			continue
		}
		if r.entropy != 0 && shannon(secret) <= r.entropy {
			continue
		}
		line := lineAround(text, m[0], mEnd)
		if strings.Contains(line, allowSignature) || global.allows(secret, match, line, path) {
			continue
		}
		allowed := false
		for i := range r.allow {
			if r.allow[i].allows(secret, match, line, path) {
				allowed = true
				break
			}
		}
		if !allowed {
			out = append(out, Finding{Rule: r.id, Start: ss, End: se})
		}
	}
	return out
}

// allows reports whether the allowlist lets a finding be: with OR, a
// regex or a stopword (path lists are not used); with AND, every check
// the allowlist has, its path list included (an empty path never
// matches).
func (a *allowList) allows(secret, match, line, path string) bool {
	target := secret
	switch a.target {
	case "match":
		target = match
	case "line":
		target = line
	}
	regexOK := slices.ContainsFunc(a.regexes, func(re *regexp.Regexp) bool { return re.MatchString(target) })
	lower := strings.ToLower(secret)
	stopOK := slices.ContainsFunc(a.stopwords, func(w string) bool { return strings.Contains(lower, w) })
	if !a.and {
		return regexOK || stopOK
	}
	checks := 0
	if len(a.paths) > 0 {
		if path == "" || !slices.ContainsFunc(a.paths, func(re *regexp.Regexp) bool { return re.MatchString(path) }) {
			return false
		}
		checks++
	}
	if len(a.regexes) > 0 {
		if !regexOK {
			return false
		}
		checks++
	}
	if len(a.stopwords) > 0 {
		if !stopOK {
			return false
		}
		checks++
	}
	return checks > 0
}

// lineAround returns the whole lines that text[start:end] spans.
func lineAround(text string, start, end int) string {
	ls := strings.LastIndexByte(text[:start], '\n') + 1
	le := strings.IndexByte(text[end:], '\n')
	if le < 0 {
		return text[ls:]
	}
	return text[ls : end+le]
}

// shannon is the Shannon entropy of s's bytes, in bits.
func shannon(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n, h := float64(len(s)), 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// Version names the scanner's rules and how they are applied; the
// indexer records it with the index, so that a change rewrites every file
// once. Raise the number after changing how rules are applied.
const Version = GitleaksVersion + ".1"
