package rank

import (
	"cmp"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/paths"
)

// K is the rank constant of reciprocal rank fusion (storage.RRFK): a
// leg's hit at rank r scores w/(K+r). Score fusion and the rules are on
// the same scale: the best a leg gives is w/(K+1).
const K = storage.RRFK

// Rule names, as Ranked.Rules reports them.
const (
	RuleDefinition = "definition"
	RulePath       = "path"
	RuleFile       = "file"
	RuleSatellite  = "satellite" // reported as "satellite:<class>"
	RuleLaterChunk = "later_chunk"
	RuleOverload   = "overload"
	RuleLogic      = "logic"
	// RuleDeclarations names a file whose candidates declare without
	// doing anything, lowered for a question that asks how (see
	// Tuning.DeclarationsFactor).
	RuleDeclarations = "declarations"
	// RuleContract names a chunk that declares an interface, trait or
	// the like, lifted for a question that asks for one (see
	// Tuning.ContractWeight).
	RuleContract = "contract"
)

// Rules switches the ranking rules; the zero value switches all off and
// leaves plain fusion.
type Rules struct {
	Definitions bool // definition
	Paths       bool // path
	Files       bool // file
	Satellites  bool // satellite
	OnePerFile  bool // later_chunk
	Logic       bool // logic
}

// AllRules is every rule on, the default.
var AllRules = Rules{Definitions: true, Paths: true, Files: true, Satellites: true, OnePerFile: true, Logic: true}

// Tuning holds the weights of fusion and of the rules.
type Tuning struct {
	// Prefetch is how many candidates each leg fetches.
	Prefetch int `json:"prefetch"`
	// KeywordWeight and SemanticWeight scale each leg's part of the fused
	// score (see Fusion).
	KeywordWeight  float64 `json:"keyword_weight"`
	SemanticWeight float64 `json:"semantic_weight"`
	// PathWeight scales the path bonus: the share of the query's terms
	// found in the hit's workspace-relative path, times 1/(K+1).
	PathWeight float64 `json:"path_weight"`
	// FileWeight scales the file bonus: the fused scores of the
	// document's other candidates (up to FileChunks of them).
	FileWeight float64 `json:"file_weight"`
	FileChunks int     `json:"file_chunks"`
	// DefinitionWeight scales the definition bonus, times 1/(K+1).
	DefinitionWeight float64 `json:"definition_weight"`
	// SatelliteFactor multiplies the score of a test, example, benchmark,
	// vendored, generated or documentation file the query does not ask for.
	SatelliteFactor float64 `json:"satellite_factor"`
	// ProseFactor multiplies, for a question that does not ask for docs,
	// the score of a chunk of implementation that is mostly comments
	// (at least ProseShare of its lines): a licence header, a crate's or
	// package's documentation, a long doc comment (satellite:prose).
	ProseFactor float64 `json:"prose_factor"`
	// LaterChunkFactor multiplies the score of a file's n-th best chunk
	// by LaterChunkFactor^n (n from 0).
	LaterChunkFactor float64 `json:"later_chunk_factor"`
	// LogicWeight weighs a chunk's control flow in choosing, for a
	// question, the chunk that stands for its file: its score times
	// 1 + LogicWeight × ln(1 + control-flow keywords) (see applyLogic);
	// 0 or less turns the rule off.
	LogicWeight float64 `json:"logic_weight"`
	// HeaderFactor weighs, in the logic rule's choice, the score of a
	// file's first chunk (package clause, imports, module doc comment):
	// a question asks for code, which the header only sums up. 1 (or 0)
	// leaves it be.
	HeaderFactor float64 `json:"header_factor"`
	// DeclarationsFactor multiplies, for a question that asks how
	// something works or what happens (Query.AsksHow: not where it is,
	// nor a few keywords) and does not ask for the docs, the score of each
	// chunk of a file none of whose candidates holds control flow: a C
	// header of prototypes, a Java interface, a file of types, constants
	// or re-exports declares what another file does. Part of the logic
	// rule; 1 (or 0) leaves such files be.
	DeclarationsFactor float64 `json:"declarations_factor"`
	// LocateFileFactor multiplies FileWeight for a question that does not
	// ask how something works (Query.AsksHow is false: "where is the
	// registry of rules", "which files implement the guards", a few
	// keywords). Such a question asks for a place, and a short file named
	// for it should not lose to a long one whose many chunks each match a
	// little. 1 (or 0) leaves the file bonus as it is.
	LocateFileFactor float64 `json:"locate_file_factor"`
	// ContractWeight scales the bonus, times 1/(K+1), of a chunk that
	// declares a contract (chunk.Facts.Contract: an interface, a trait,
	// a protocol, an abstract class...) for a question that asks for one
	// (Query.AsksContract): "where is the interface every storage adapter
	// implements" is answered by the interface, not by the adapters,
	// which name the same things more often. Part of the definition rule.
	ContractWeight float64 `json:"contract_weight"`
	// Fusion is how the legs combine: FusionScore (the default) adds each
	// leg's score scaled into [0, 1] over the candidates, FusionRRF adds
	// each leg's reciprocal rank 1/(K+rank). Either way a candidate first
	// in both legs scores (KeywordWeight+SemanticWeight)/(K+1), so the
	// rules' weights mean the same under both.
	Fusion string `json:"fusion"`
	// LexicalSemanticWeight replaces SemanticWeight when the embedder is
	// lexical (the built-in one hashes terms): its leg is then a second
	// view of the words the keyword leg already matches, and counting it
	// fully lets its noise outvote BM25.
	LexicalSemanticWeight float64 `json:"lexical_semantic_weight"`
}

// Fusions, for Tuning.Fusion.
const (
	FusionScore = "score"
	FusionRRF   = "rrf"
)

// DefaultTuning is the tuning Search uses; BENCHMARKS.md says how it was
// chosen.
var DefaultTuning = Tuning{
	Prefetch:              100,
	Fusion:                FusionScore,
	KeywordWeight:         1,
	SemanticWeight:        1,
	LexicalSemanticWeight: 0.5,
	PathWeight:            3,
	FileWeight:            0.2,
	FileChunks:            3,
	DefinitionWeight:      3,
	SatelliteFactor:       0.3,
	ProseFactor:           0.85,
	LaterChunkFactor:      0.1,
	LogicWeight:           0.4,
	HeaderFactor:          0.7,
	DeclarationsFactor:    0.7,
	LocateFileFactor:      0.7,
	ContractWeight:        0.5,
}

// Options says how Rank scores candidates.
type Options struct {
	Mode   string   // storage.ModeHybrid, ModeKeyword or ModeSemantic
	Roots  []string // workspace roots, to make paths relative
	Rules  Rules
	Tuning Tuning
	// MinKeyword and MinSemantic, when set, drop a leg's candidates
	// scoring below them from that leg.
	MinKeyword, MinSemantic *float64
	// KeepSatellites turns the satellite rule off for this query, as a
	// path or language filter that selects files does.
	KeepSatellites bool
}

// Ranked is a candidate with its final score and the rules that moved it.
type Ranked struct {
	storage.Hit // Score is the final score
	Rules       []string
	defines     float64 // how strongly it defines what the query asks for
}

// MaxOverloads is how many results a file may give a symbol query when
// each defines the symbol (overloads, a function's clauses, a
// declaration and its definition): the later ones are not decayed
// (RuleOverload), and a search shows up to this many.
const MaxOverloads = 3

// Rank applies the legs' thresholds to the store's candidates, ranks
// each leg again, fuses them and applies the rules, and returns the
// survivors best first. Candidates that carry no rank of a leg the mode
// runs (a store that reports none) are ranked by their position.
func Rank(hits []storage.Hit, q Query, o Options) []Ranked {
	out := threshold(hits, o)
	slab := newRuleSlab(len(out))
	t := o.Tuning
	legs := make([]float64, len(out)) // each hit's fused leg score
	if t.Fusion == FusionRRF {
		fuseRanks(out, legs, t)
	} else {
		fuseScores(out, legs, t)
	}
	for i := range out {
		out[i].Score = legs[i]
	}
	if o.Rules.Files && t.FileWeight != 0 && t.FileChunks > 0 {
		weight := t.FileWeight
		if q.Kind == KindQuestion && !q.AsksHow && t.LocateFileFactor > 0 {
			weight *= t.LocateFileFactor
		}
		addFileBonus(out, legs, weight, t.FileChunks, o.Mode != storage.ModeSemantic, slab)
	}
	byPath := make(map[string]*fileFacts, len(out))
	if o.Rules.Paths || o.Rules.Definitions || o.Rules.Satellites {
		rootsKey := strings.Join(o.Roots, "\x00")
		files := make([]fileFacts, 0, len(out)) // backs byPath's values: one allocation
		var compounds []compoundHit             // the hits that define a question's compound
		for i := range out {
			h := &out[i]
			f := facts(byPath, &files, h.Chunk, q, o.Roots, rootsKey)
			if o.Rules.Paths && t.PathWeight != 0 && f.pathShare > 0 {
				h.Score += t.PathWeight * f.pathShare / float64(K+1)
				slab.add(h, RulePath)
			}
			if !o.Rules.Definitions {
				continue
			}
			if q.AsksContract && t.ContractWeight != 0 && h.Chunk.Kind == storage.KindFile && chunkFacts.get(h.Chunk).Contract {
				h.Score += t.ContractWeight / float64(K+1)
				slab.add(h, RuleContract)
			}
			if t.DefinitionWeight == 0 {
				continue
			}
			if q.Kind == KindQuestion {
				if c, owner := compoundOf(q, h.Chunk.Metadata); c != "" {
					compounds = append(compounds, compoundHit{i, c, owner}) // lifted below, unless many types define it
				}
			} else if d := definition(q, h.Chunk.Metadata, h.Chunk.Text, f.rel); d > 0 {
				h.Score += t.DefinitionWeight * d / float64(K+1)
				slab.add(h, RuleDefinition)
				h.defines = d
			}
		}
		liftCompounds(out, compounds, t.DefinitionWeight*defineCompound/float64(K+1), slab)
	}
	if o.Rules.Satellites && !o.KeepSatellites && t.SatelliteFactor != 1 {
		for i := range out {
			if c := satelliteOf(byPath[out[i].Chunk.Path], out[i].Chunk); c != "" && !q.Asks[c] && out[i].Chunk.Kind == storage.KindFile {
				out[i].Score *= t.SatelliteFactor
				slab.add(&out[i], c.rule())
			}
		}
	}
	if o.Rules.Definitions && q.Kind == KindSymbol {
		definitionsFirst(out)
	}
	if o.Rules.Satellites && !o.KeepSatellites && q.Kind == KindQuestion && !q.Asks[Docs] && t.ProseFactor != 1 {
		applyProse(out, byPath, t.ProseFactor, slab)
	}
	if o.Rules.Logic && q.Kind == KindQuestion && t.LogicWeight > 0 {
		header := t.HeaderFactor
		if header <= 0 || header > 1 {
			header = 1
		}
		applyLogic(out, t.LogicWeight, header, slab)
	}
	if o.Rules.Logic && q.Kind == KindQuestion && q.AsksHow && !q.Asks[Docs] && t.DeclarationsFactor > 0 && t.DeclarationsFactor < 1 {
		applyDeclarations(out, t.DeclarationsFactor, slab)
	}
	sortRanked(out)
	if o.Rules.OnePerFile && t.LaterChunkFactor != 1 {
		seen := map[string]int{}
		for i := range out {
			n := seen[out[i].Chunk.DocID]
			seen[out[i].Chunk.DocID]++
			switch {
			case n == 0:
			case q.Kind == KindSymbol && out[i].defines >= defineFolded && n < MaxOverloads:
				slab.add(&out[i], RuleOverload) // another definition of the symbol: an answer too
			default:
				out[i].Score *= pow(t.LaterChunkFactor, n)
				slab.add(&out[i], RuleLaterChunk)
			}
		}
		sortRanked(out)
	}
	return out
}

// ruleSlab backs the Rules of a ranking's hits: a hit's first rule takes
// room for ruleRoom from it, so that naming rules allocates once per
// ranking rather than once or more per hit.
// It is made at the first rule named, so plain fusion allocates none.
type ruleSlab struct {
	hits int
	free []string
}

const ruleRoom = 4

func newRuleSlab(hits int) *ruleSlab { return &ruleSlab{hits: hits} }

// add appends rule to h's rules.
func (s *ruleSlab) add(h *Ranked, rule string) {
	if s.free == nil {
		s.free = make([]string, ruleRoom*s.hits)
	}
	if h.Rules == nil && len(s.free) >= ruleRoom {
		h.Rules, s.free = s.free[:0:ruleRoom], s.free[ruleRoom:]
	}
	h.Rules = append(h.Rules, rule)
}

// sortRanked orders rs best first, ties by chunk id. It sorts indexes
// and moves each hit once: a Ranked is large, and sorting moves what it
// sorts many times.
func sortRanked(rs []Ranked) {
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(rs[b].Score, rs[a].Score), strings.Compare(rs[a].Chunk.ID, rs[b].Chunk.ID), cmp.Compare(a, b))
	})
	// Apply the permutation in place, one cycle at a time (rs[i] is to
	// take rs[idx[i]]): the hits are large, and a sorted copy of them was
	// a search's largest allocation.
	for start := range idx {
		if idx[start] == start || idx[start] < 0 {
			continue
		}
		held := rs[start]
		i := start
		for {
			j := idx[i]
			idx[i] = -1
			if j == start {
				rs[i] = held
				break
			}
			rs[i] = rs[j]
			i = j
		}
	}
}

func pow(x float64, n int) float64 {
	p := 1.0
	for range n {
		p *= x
	}
	return p
}

// threshold drops each leg's candidates below its threshold (or of a leg
// the mode does not run) and ranks each leg's survivors again from 1.
func threshold(hits []storage.Hit, o Options) []Ranked {
	useKW := o.Mode != storage.ModeSemantic
	useSem := o.Mode != storage.ModeKeyword
	out := make([]Ranked, 0, len(hits))
	for i, h := range hits {
		if h.KeywordRank == 0 && h.SemanticRank == 0 {
			if useKW {
				h.KeywordRank, h.KeywordScore = i+1, h.Score
			} else {
				h.SemanticRank, h.SemanticScore = i+1, h.Score
			}
		}
		if !useKW || (h.KeywordRank > 0 && o.MinKeyword != nil && h.KeywordScore < *o.MinKeyword) {
			h.KeywordRank, h.KeywordScore = 0, 0
		}
		if !useSem || (h.SemanticRank > 0 && o.MinSemantic != nil && h.SemanticScore < *o.MinSemantic) {
			h.SemanticRank, h.SemanticScore = 0, 0
		}
		if h.KeywordRank > 0 || h.SemanticRank > 0 {
			out = append(out, Ranked{Hit: h})
		}
	}
	storage.RenumberRanks(out, func(h *Ranked) *int { return &h.KeywordRank })
	storage.RenumberRanks(out, func(h *Ranked) *int { return &h.SemanticRank })
	return out
}

// fileFacts is what the rules need to know about a path, computed once
// per path and query.
type fileFacts struct {
	rel       string
	pathShare float64
	satellite Satellite
}

func facts(cache map[string]*fileFacts, files *[]fileFacts, c storage.Chunk, q Query, roots []string, rootsKey string) *fileFacts {
	if f, ok := cache[c.Path]; ok {
		return f
	}
	*files = append(*files, fileFacts{}) // within its capacity: earlier pointers stay valid
	f := &(*files)[len(*files)-1]
	if c.Path != "" {
		p := known.get(c.Path, roots, rootsKey)
		f.rel, f.satellite = p.rel, p.satellite
		f.pathShare = pathShare(p, q)
	}
	cache[c.Path] = f
	return f
}

// pathInfo is what the rules know of a path whatever the query: computed
// once per path and kept in known, since the same files come back query
// after query.
type pathInfo struct {
	rel       string
	terms     []string // analysis.Terms of rel
	satellite Satellite
}

// pathCache keeps pathInfo by roots and path; it forgets everything when
// it holds maxPaths, which bounds its memory on any workspace.
type pathCache struct {
	mu sync.Mutex
	m  map[string]map[string]*pathInfo // roots key → path → info
	n  int                             // paths held
}

const maxPaths = 1 << 16

var known pathCache

// rootsKey is strings.Join(roots, "\x00"), worked out once per query.
func (c *pathCache) get(path string, roots []string, rootsKey string) *pathInfo {
	c.mu.Lock()
	p, ok := c.m[rootsKey][path]
	c.mu.Unlock()
	if ok {
		return p
	}
	rel := Relative(path, roots)
	p = &pathInfo{rel: rel, terms: analysis.Terms(rel), satellite: Classify(rel)}
	c.mu.Lock()
	if c.m == nil || c.n >= maxPaths {
		c.m, c.n = make(map[string]map[string]*pathInfo), 0
	}
	byPath := c.m[rootsKey]
	if byPath == nil {
		byPath = make(map[string]*pathInfo)
		c.m[rootsKey] = byPath
	}
	if _, ok := byPath[path]; !ok {
		c.n++
	}
	byPath[path] = p
	c.mu.Unlock()
	return p
}

// pathShare returns the share of the query's terms found among the terms
// of the path; for a symbol query, a file named after the symbol (up to
// case and underscores: HTTPAdapter, http_adapter.py) counts fully. A
// path term that only begins a query term, as file names abbreviate
// (command_win.go for "windows", rest_docs.go for "restructured",
// auth.go for "authentication"), counts pathAbbreviation of one, when it
// has at least pathAbbreviationLen letters.
func pathShare(p *pathInfo, q Query) float64 {
	rel := p.rel
	if len(q.Terms) == 0 || rel == "" {
		return 0
	}
	if q.Kind == KindSymbol {
		base := filepath.Base(rel)
		if fold(strings.TrimSuffix(base, filepath.Ext(base))) == q.wanted[0] {
			return 1
		}
	}
	n := 0.0
	glued := gluedWords(p.terms, q.Terms)
	for _, t := range q.Terms {
		if slices.Contains(p.terms, t) {
			n++
		} else if abbreviates(p.terms, t) || slices.Contains(glued, t) {
			n += pathAbbreviation
		}
	}
	share := n / float64(len(q.Terms))
	if q.Kind == KindSymbol && q.Qualifier == "" {
		share *= pathSymbolWords // retry.py for Retrying: a word of the name, not the name
	}
	return share
}

// pathSymbolWords is what the words of an unqualified symbol found in a
// path count for, against a file named after the symbol.
const pathSymbolWords = 0.5

// What a path term that abbreviates a query term counts for (see
// pathShare), and its least length: two letters begin too many words.
const (
	pathAbbreviation    = 0.5
	pathAbbreviationLen = 3
)

// abbreviates reports whether one of terms is a proper prefix of t, of at
// least pathAbbreviationLen bytes.
func abbreviates(terms []string, t string) bool {
	for _, p := range terms {
		if len(p) >= pathAbbreviationLen && len(p) < len(t) && strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// gluedWords returns the query terms that the two halves of a path term
// glued from two words begin, as C names glue abbreviations (strbuf.c
// for "string buffer", bufio, ioutil): each half has at least
// pathAbbreviationLen letters and begins a different query term, or is
// one.
func gluedWords(pathTerms, queryTerms []string) []string {
	var out []string
	for _, p := range pathTerms {
		if len(p) < 2*pathAbbreviationLen {
			continue // too short to hold two
		}
		for a, ta := range queryTerms {
			// The first half is a prefix of p and of ta, of at least
			// pathAbbreviationLen letters, and leaves as many for the second.
			n := 0
			for n < len(p)-pathAbbreviationLen && n < len(ta) && p[n] == ta[n] {
				n++
			}
			for i := pathAbbreviationLen; i <= n; i++ {
				if b := slices.IndexFunc(queryTerms, func(t string) bool { return strings.HasPrefix(t, p[i:]) }); b >= 0 && b != a {
					out = append(out, ta, queryTerms[b])
				}
			}
		}
	}
	return out
}

// Relative returns p relative to the first root that holds it, with
// forward slashes, or p itself.
func Relative(p string, roots []string) string {
	for _, root := range roots {
		if rel, ok := paths.Within(root, p); ok {
			return filepath.ToSlash(rel)
		}
	}
	return p
}

// addFileBonus adds to each hit weight times the sum of the best n leg
// scores (legs, by hit) among the other candidates of its document, and
// names the rule on the hits it lifted. Only the legs count, so that the
// other rules (a path shared by every chunk of the file) are not counted
// again. With keywordOnly, only candidates the keyword leg found count:
// the semantic leg returns its best chunks however unrelated, so a long
// file would otherwise gather a bonus from chunks that share nothing with
// the query.
func addFileBonus(hits []Ranked, legs []float64, weight float64, n int, keywordOnly bool, slab *ruleSlab) {
	byDoc := make(map[string][]float64)
	for i, h := range hits {
		if !keywordOnly || h.KeywordRank > 0 {
			byDoc[h.Chunk.DocID] = append(byDoc[h.Chunk.DocID], legs[i])
		}
	}
	for _, scores := range byDoc {
		slices.SortFunc(scores, func(a, b float64) int { return cmp.Compare(b, a) })
	}
	bonus := make([]float64, len(hits))
	for i, h := range hits {
		top := byDoc[h.Chunk.DocID]
		if keywordOnly && h.KeywordRank == 0 {
			top = top[:min(len(top), n)] // the hit is not among them
		} else if len(top) <= n || legs[i] >= top[n] { // the hit is among the best n+1
			top = top[:min(len(top), n+1)]
			bonus[i] = -legs[i]
		} else {
			top = top[:n]
		}
		for _, s := range top {
			bonus[i] += s
		}
	}
	for i := range hits {
		if bonus[i] > 0 {
			hits[i].Score += weight * bonus[i]
			slab.add(&hits[i], RuleFile)
		}
	}
}

// fuseRanks sets legs to the weighted sum of each leg's reciprocal rank
// 1/(K+rank) (storage.RRF).
func fuseRanks(out []Ranked, legs []float64, t Tuning) {
	for i, h := range out {
		legs[i] += storage.RRF(h.KeywordRank, t.KeywordWeight) + storage.RRF(h.SemanticRank, t.SemanticWeight)
	}
}

// fuseScores sets legs to the weighted sum of each leg's score divided by
// the leg's best among the candidates (a negative score counts as 0),
// times 1/(K+1). Unlike ranks, scores keep how far apart candidates are:
// a chunk far ahead on BM25 is not overtaken by one a rank behind it on
// both legs, and one barely behind is not pushed a whole rank down.
func fuseScores(out []Ranked, legs []float64, t Tuning) {
	kmax, smax := 0.0, 0.0
	for _, h := range out {
		if h.KeywordRank > 0 {
			kmax = max(kmax, h.KeywordScore)
		}
		if h.SemanticRank > 0 {
			smax = max(smax, h.SemanticScore)
		}
	}
	for i, h := range out {
		if h.KeywordRank > 0 && kmax > 0 {
			legs[i] += t.KeywordWeight * max(h.KeywordScore, 0) / kmax / float64(K+1)
		}
		if h.SemanticRank > 0 && smax > 0 {
			legs[i] += t.SemanticWeight * max(h.SemanticScore, 0) / smax / float64(K+1)
		}
	}
}
