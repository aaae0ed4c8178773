package embedded

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// termIndex is the keyword index: an in-memory inverted index of every
// chunk's analyzed text, which the keyword leg scores with BM25. It is
// part of vectorIndex, changed only by committed writes under Store.mu,
// and built from the chunks' text at Open (see termbuild.go); nothing of
// it is stored. (Until schema version 4 an FTS5 table kept a durable copy
// of it, which cost a third of the writer's time during a full index;
// see BENCHMARKS.md, "Full index: the write path and FTS5".)
//
// Terms are tokenized the way SQLite FTS5's unicode61 tokenizer (without
// diacritics removal) tokenizes the analyzed text, and scores are FTS5's
// bm25() with its constants (k1 = 1.2, b = 0.75), its idf floor and its
// order of summation, over every chunk (every collection), so the ranking
// is the one the FTS5 table computed.
//
// Deleted documents leave their postings in place, marked dead through
// their length, so that a removal costs no more than a map deletion and
// no list of each document's terms need be kept; a search skips them, and
// counts a term's live documents when there are dead ones. The index is
// compacted when the dead outnumber the live.
type termIndex struct {
	dict     *termDict        // term -> term number, shared by the store's indexes
	postings postings         // by term number; may include dead docs
	docs     map[int64]uint32 // chunk rid -> doc number
	rids     []int64          // by doc number
	lengths  []int32          // tokens by doc number; -1 when dead
	defs     []uint64         // by doc number: the names the chunk defines, as a signature (nameSignature)
	live     int
	dead     int
	tokens   int64 // of live docs
	scratch  sync.Pool
	// hashes holds the stored chunks' hashes, for VectorsByHash.
	hashes hashSet
}

// docTerms is a document's analyzed text as distinct tokens and their
// counts. termDict.number gives each token its number (ids) and drops
// the strings, before the write lock is taken.
type docTerms struct {
	terms  []string
	ids    []uint32 // terms' numbers once numbered, the same length as tf
	tf     []uint32
	length int32
	defs   uint64 // the names the chunk defines (namesSignature)
}

// termDict numbers terms for the keyword indexes of a store: the one in
// use, one being built, one built afresh to check it. A term keeps its
// number while the store is open, so that a write can number its
// chunks' tokens before it takes the write lock, on as many goroutines
// as write, and the index adds postings under the lock without looking
// a term up (that lookup was the largest part of the writer's serial
// time; BENCHMARKS.md, "Full index: the last two seconds"). Terms are
// never forgotten: the dictionary holds every term the store has held
// since it opened, which for code grows far slower than its chunks.
// Its methods are safe for concurrent use.
type termDict struct {
	mu  sync.RWMutex
	ids map[string]uint32
}

func newTermDict() *termDict { return &termDict{ids: make(map[string]uint32)} }

// lookup returns the number of term, if it has one.
func (td *termDict) lookup(term string) (uint32, bool) {
	td.mu.RLock()
	defer td.mu.RUnlock()
	id, ok := td.ids[term]
	return id, ok
}

// number gives d's terms their numbers, numbering the new ones, and drops
// d's strings; a numbered d is left as it is.
func (td *termDict) number(d *docTerms) {
	if d.ids == nil && len(d.terms) > 0 {
		d.ids = td.numbers(d.terms)
	}
	d.terms = nil
}

// numbers returns the numbers of terms, numbering the new ones.
func (td *termDict) numbers(terms []string) []uint32 {
	ids := make([]uint32, len(terms))
	missing := false
	td.mu.RLock()
	for i, t := range terms {
		id, ok := td.ids[t]
		if !ok {
			id, missing = math.MaxUint32, true
		}
		ids[i] = id
	}
	td.mu.RUnlock()
	if missing {
		td.mu.Lock()
		for i, t := range terms {
			if ids[i] != math.MaxUint32 {
				continue
			}
			id, ok := td.ids[t]
			if !ok {
				id = uint32(len(td.ids)) // numbers are never reused
				td.ids[strings.Clone(t)] = id
			}
			ids[i] = id
		}
		td.mu.Unlock()
	}
	return ids
}

// name returns the term numbered id, for messages: it searches the
// whole dictionary.
func (td *termDict) name(id uint32) string {
	td.mu.RLock()
	defer td.mu.RUnlock()
	for t, n := range td.ids {
		if n == id {
			return t
		}
	}
	return fmt.Sprintf("#%d", id)
}

// BM25 parameters of FTS5's bm25().
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// compactMinDead is the least number of dead documents that triggers a
// compaction.
const compactMinDead = 1024

// newTermIndex returns an empty index numbering its terms by dict; nil
// gives it a dictionary of its own.
func newTermIndex(dict *termDict) *termIndex {
	if dict == nil {
		dict = newTermDict()
	}
	return &termIndex{dict: dict, postings: newPostings(arenaBlockSize), docs: make(map[int64]uint32), hashes: newHashSet()}
}

// list returns the postings of term, if the index has any.
func (ti *termIndex) list(term string) (postingView, bool) {
	id, ok := ti.dict.lookup(term)
	if !ok {
		return postingView{}, false
	}
	return ti.postings.list(id), true
}

// isTokenRune reports whether unicode61 treats r as part of a token: a
// letter, a number or a private-use character.
func isTokenRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
}

// foldToken lower-cases a token as unicode61 folds case.
func foldToken(t string) string {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return strings.Map(unicode.ToLower, t)
		}
	}
	return t
}

// ftsTokens calls yield with each token unicode61 finds in text, folded.
func ftsTokens(text string, yield func(string)) {
	start := -1
	for i, r := range text {
		if isTokenRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			yield(foldToken(text[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		yield(foldToken(text[start:]))
	}
}

// analyzeTerms counts the tokens of an analyzed text (terms joined by
// spaces).
func analyzeTerms(text string) docTerms {
	return analyzeTermList(strings.Fields(text))
}

// termScratch is analyzeTermList's scratch space, pooled: making a map
// for every chunk was a third of its cost, and growing its slices by
// appending half of its garbage. A cleared map keeps its buckets, so each
// grows to the largest chunk's distinct terms and stays there.
type termScratch struct {
	at    map[string]int
	terms []string
	tf    []uint32
}

var termScratches = sync.Pool{New: func() any { return &termScratch{at: make(map[string]int, 256)} }}

// analyzeTermList counts the tokens of the analyzer's terms, as FTS5
// finds them in the terms joined by spaces.
func analyzeTermList(terms []string) docTerms { return countTermList(terms, nil) }

// countTermList is analyzeTermList, but with a dictionary it returns the
// tokens numbered by it (see termDict.number), numbering them from the
// scratch space: no copy of their strings is made.
func countTermList(terms []string, dict *termDict) docTerms {
	sc := termScratches.Get().(*termScratch)
	var length int32
	count := func(t string) {
		length++
		if i, ok := sc.at[t]; ok {
			sc.tf[i]++
			return
		}
		sc.at[t] = len(sc.terms)
		sc.terms = append(sc.terms, t)
		sc.tf = append(sc.tf, 1)
	}
	for _, term := range terms {
		if isPlainToken(term) {
			count(term)
		} else {
			ftsTokens(term, count)
		}
	}
	d := docTerms{tf: slices.Clone(sc.tf), length: length}
	if dict != nil {
		d.ids = dict.numbers(sc.terms)
	} else {
		d.terms = slices.Clone(sc.terms)
	}
	clear(sc.at)
	clear(sc.terms) // drop the strings
	sc.terms, sc.tf = sc.terms[:0], sc.tf[:0]
	termScratches.Put(sc)
	return d
}

// analyzeASCII is analyzeTermList(DefaultAnalyzer(text)) for an ASCII
// text, in one pass that allocates only the distinct tokens; ok is false
// when text is not ASCII.
func analyzeASCII(text string) (d docTerms, ok bool) {
	at := make(map[string]int, 64)
	var buf []byte
	flush := func() {
		if len(buf) == 0 {
			return
		}
		d.length++
		if i, seen := at[string(buf)]; seen {
			d.tf[i]++
		} else {
			t := string(buf)
			at[t] = len(d.terms)
			d.terms = append(d.terms, t)
			d.tf = append(d.tf, 1)
		}
		buf = buf[:0]
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= utf8.RuneSelf:
			return docTerms{}, false
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			buf = append(buf, c)
		case 'A' <= c && c <= 'Z':
			buf = append(buf, c+'a'-'A')
		default:
			flush()
		}
	}
	flush()
	return d, true
}

// isPlainToken reports whether t is one folded unicode61 token of ASCII
// lower-case letters and digits, as nearly all terms of code are.
func isPlainToken(t string) bool {
	for i := 0; i < len(t); i++ {
		if c := t[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return t != ""
}

// add indexes chunk rid's tokens, replacing any it had. d should be
// numbered by ti.dict already (see termDict.number); add numbers it
// otherwise.
func (ti *termIndex) add(rid int64, d docTerms) {
	ti.dict.number(&d)
	ti.remove(rid)
	doc := uint32(len(ti.rids))
	ti.docs[rid] = doc
	ti.rids = append(ti.rids, rid)
	ti.lengths = append(ti.lengths, d.length)
	ti.defs = append(ti.defs, d.defs)
	for i, id := range d.ids {
		ti.postings.push(id, doc, d.tf[i])
	}
	ti.live++
	ti.tokens += int64(d.length)
}

// remove drops chunk rid from the index, if it is there.
func (ti *termIndex) remove(rid int64) {
	doc, ok := ti.docs[rid]
	if !ok {
		return
	}
	delete(ti.docs, rid)
	ti.tokens -= int64(ti.lengths[doc])
	ti.lengths[doc] = -1
	ti.live--
	ti.dead++
	if ti.dead >= compactMinDead && ti.dead > ti.live {
		ti.compact()
	}
}

// compact renumbers the live documents, dropping the dead ones'
// postings. Terms keep their numbers (see termDict).
func (ti *termIndex) compact() {
	remap := make([]uint32, len(ti.rids))
	rids := make([]int64, 0, ti.live)
	lengths := make([]int32, 0, ti.live)
	defs := make([]uint64, 0, ti.live)
	for doc, n := range ti.lengths {
		if n < 0 {
			continue
		}
		remap[doc] = uint32(len(rids))
		ti.docs[ti.rids[doc]] = uint32(len(rids))
		rids = append(rids, ti.rids[doc])
		lengths = append(lengths, n)
		defs = append(defs, ti.defs[doc])
	}
	postings := newPostings(ti.postings.blockSize)
	for id := range uint32(ti.postings.terms()) {
		ti.postings.list(id).each(func(doc, tf uint32) {
			if ti.lengths[doc] >= 0 {
				postings.push(id, remap[doc], tf)
			}
		})
	}
	ti.rids, ti.lengths, ti.defs, ti.postings = rids, lengths, defs, postings
	ti.dead = 0
}

// queryPhrases returns the tokens of each of a query's distinct terms,
// as unicode61 finds them, leaving out terms with none. A term of several
// tokens (a custom analyzer's "foo.bar", say) is a phrase: it matches the
// chunks holding all of its tokens, as often as its rarest one there.
// That is FTS5's phrase without the tokens' order, which the index does
// not keep.
func queryPhrases(terms []string) [][]string {
	out := make([][]string, 0, len(terms))
	for _, t := range terms {
		var toks []string
		ftsTokens(t, func(tok string) { toks = append(toks, tok) })
		if len(toks) > 0 {
			out = append(out, toks)
		}
	}
	return out
}

// phrasePostings returns the live documents holding every one of tokens,
// in increasing order, each with the least count of a token there.
func (ti *termIndex) phrasePostings(tokens []string) (docs, tfs []uint32) {
	for i, tok := range tokens {
		list, ok := ti.list(tok)
		if !ok {
			return nil, nil
		}
		if i == 0 {
			list.each(func(doc, tf uint32) {
				if ti.lengths[doc] >= 0 {
					docs, tfs = append(docs, doc), append(tfs, tf)
				}
			})
			continue
		}
		// Keep the documents this token's list holds too; both lists
		// are in increasing doc order.
		kept, at := 0, 0
		list.each(func(doc, tf uint32) {
			for at < len(docs) && docs[at] < doc {
				at++
			}
			if at < len(docs) && docs[at] == doc {
				docs[kept], tfs[kept] = doc, min(tfs[at], tf)
				kept++
				at++
			}
		})
		docs, tfs = docs[:kept], tfs[:kept]
		if kept == 0 {
			return nil, nil
		}
	}
	return docs, tfs
}

// bm25Scratch is a search's per-document accumulator.
type bm25Scratch struct {
	score   []float64
	touched []uint32
}

// search scores with BM25 every live document matching one of the
// phrases (see queryPhrases) and offers those keep admits to top, with
// their chunk ids. keep returns the chunk's entry, or false to leave it
// out. A document whose defined names' signature lacks a bit of defines
// (a nameSignature; 0 for any) is left out before keep is asked: a
// lookup of a name's definitions among the thousands of chunks that say
// it skips nearly all of them without finding their entries.
func (ti *termIndex) search(phrases [][]string, defines uint64, keep func(rid int64) (*item, bool), top *topK) {
	if ti.live == 0 {
		return
	}
	sc, _ := ti.scratch.Get().(*bm25Scratch)
	if sc == nil || len(sc.score) < len(ti.rids) {
		sc = &bm25Scratch{score: make([]float64, len(ti.rids)+len(ti.rids)/4+64)}
	}
	defer func() {
		for _, d := range sc.touched {
			sc.score[d] = 0
		}
		sc.touched = sc.touched[:0]
		ti.scratch.Put(sc)
	}()
	nRow := int64(ti.live)
	avgdl := float64(ti.tokens) / float64(nRow)
	for _, ph := range phrases {
		var (
			nHit int64
			each func(yield func(doc, tf uint32))
		)
		if len(ph) == 1 {
			list, ok := ti.list(ph[0])
			if !ok {
				continue // no row holds it: it adds 0 to every score
			}
			nHit, each = int64(list.n), list.each
			if ti.dead > 0 {
				nHit = 0
				list.each(func(doc, _ uint32) {
					if ti.lengths[doc] >= 0 {
						nHit++
					}
				})
			}
		} else {
			docs, tfs := ti.phrasePostings(ph)
			nHit = int64(len(docs))
			each = func(yield func(doc, tf uint32)) {
				for i, d := range docs {
					yield(d, tfs[i])
				}
			}
		}
		if nHit == 0 {
			continue
		}
		idf := math.Log((float64(nRow-nHit) + 0.5) / (float64(nHit) + 0.5))
		if idf <= 0 {
			idf = 1e-6
		}
		each(func(doc, tf uint32) {
			n := ti.lengths[doc]
			if n < 0 {
				return
			}
			freq, d := float64(tf), float64(n)
			if sc.score[doc] == 0 {
				sc.touched = append(sc.touched, doc)
			}
			sc.score[doc] += idf * ((freq * (bm25K1 + 1.0)) / (freq + bm25K1*(1-bm25B+bm25B*d/avgdl)))
		})
	}
	for _, d := range sc.touched {
		s := sc.score[d]
		if top.below(s) || ti.defs[d]&defines != defines {
			continue
		}
		rid := ti.rids[d]
		it, ok := keep(rid)
		if !ok {
			continue
		}
		top.offer(s, rid, it.id)
	}
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// termAnalyzer returns what gives a text's tokens for the keyword index
// with analyzer; nil is DefaultAnalyzer, which has a faster path.
func termAnalyzer(analyzer func(string) []string) func(string) docTerms {
	if analyzer != nil {
		return func(text string) docTerms { return analyzeTermList(analyzer(text)) }
	}
	return func(text string) docTerms {
		if d, ok := analyzeASCII(text); ok {
			return d
		}
		return analyzeTermList(DefaultAnalyzer(text))
	}
}

// loadTerms indexes every chunk's text, analyzed by analyze, and hash
// into ti. Rows are read here, analyzed by GOMAXPROCS goroutines and
// added to the index by one more, in batches; all have ended when it
// returns.
func loadTerms(ctx context.Context, db querier, ti *termIndex, analyze func(string) docTerms) error {
	rows, err := db.QueryContext(ctx, `SELECT rid, text, hash, metadata FROM chunks`)
	if err != nil {
		return err
	}
	defer rows.Close()
	type job struct {
		rid              int64
		text, hash, meta string
		d                docTerms
	}
	const batch = 256
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan []job, workers)
	done := make(chan []job, workers)
	var analyzers, adder sync.WaitGroup
	for range workers {
		analyzers.Go(func() {
			for b := range jobs {
				for i := range b {
					b[i].d = analyze(b[i].text)
					b[i].d.defs = metadataSignature(b[i].meta)
					b[i].text, b[i].meta = "", ""
				}
				done <- b
			}
		})
	}
	// The adder numbers the terms: the analysers are what a build waits
	// for, and the dictionary, empty at first, would make them take its
	// write lock in turn.
	adder.Go(func() {
		for b := range done {
			for _, j := range b {
				ti.dict.number(&j.d)
				ti.add(j.rid, j.d)
				ti.hashes.add(j.hash)
			}
		}
	})
	b := make([]job, 0, batch)
	for rows.Next() {
		var j job
		if err = rows.Scan(&j.rid, &j.text, &j.hash, &j.meta); err != nil {
			break
		}
		if b = append(b, j); len(b) == batch {
			jobs <- b
			b = make([]job, 0, batch)
		}
	}
	if err == nil {
		err = rows.Err()
	}
	jobs <- b
	close(jobs)
	analyzers.Wait()
	close(done)
	adder.Wait()
	return err
}

// keywordIndexed runs the keyword leg on the in-memory index, which
// must be built.
func (s *Store) keywordIndexed(collection string, terms []string, defines uint64, accept func(*item) bool, k int) []scored {
	top := newTopK(k)
	s.index.terms.search(queryPhrases(terms), defines, func(rid int64) (*item, bool) {
		it, ok := s.index.find(collection, rid)
		if !ok || (accept != nil && !accept(it)) {
			return nil, false
		}
		return it, true
	}, top)
	return top.sorted()
}

// checkTermIndex checks that the in-memory keyword index holds exactly
// the stored chunks. s.mu must be held, and the build must have ended.
func (ix *vectorIndex) checkTermIndex() error {
	if ix.terms == nil {
		return errors.New("the keyword index was not built")
	}
	if n := ix.size(); ix.terms.live != n || len(ix.terms.docs) != n {
		return fmt.Errorf("keyword index holds %d chunks for %d vectors", ix.terms.live, n)
	}
	for _, vs := range ix.sets {
		for _, it := range vs.items {
			if _, ok := ix.terms.docs[it.rid]; !ok {
				return fmt.Errorf("chunk %s is missing from the keyword index", it.id)
			}
		}
	}
	return nil
}

// maxTermProblems bounds the terms sameAs names.
const maxTermProblems = 5

// sameAs checks that ti indexes what want does (want having no dead
// documents and the same dictionary): the same live chunks with the same
// lengths and defined names, the same postings (chunk and count) for
// every term, the same hashes.
func (ti *termIndex) sameAs(want *termIndex) error {
	var problems []error
	if ti.live != want.live || ti.tokens != want.tokens {
		problems = append(problems, fmt.Errorf("keyword index holds %d chunks of %d tokens, the stored chunks are %d of %d",
			ti.live, ti.tokens, want.live, want.tokens))
	}
	for rid, wd := range want.docs {
		d, ok := ti.docs[rid]
		if !ok {
			problems = append(problems, fmt.Errorf("keyword index lacks chunk rid %d", rid))
		} else if ti.lengths[d] != want.lengths[wd] {
			problems = append(problems, fmt.Errorf("keyword index has %d tokens for chunk rid %d, not %d",
				ti.lengths[d], rid, want.lengths[wd]))
		} else if ti.defs[d] != want.defs[wd] {
			problems = append(problems, fmt.Errorf("keyword index has the defined names %#x for chunk rid %d, not %#x",
				ti.defs[d], rid, want.defs[wd]))
		}
		if len(problems) >= maxTermProblems {
			return errors.Join(problems...)
		}
	}
	bad := 0
	for id := range max(ti.postings.terms(), want.postings.terms()) {
		got, exp := ti.livePostings(uint32(id)), want.livePostings(uint32(id))
		if !slices.Equal(got, exp) {
			if bad++; bad <= maxTermProblems {
				problems = append(problems, fmt.Errorf("keyword index has %d postings for term %q, the stored chunks give %d",
					len(got), ti.dict.name(uint32(id)), len(exp)))
			}
		}
	}
	if bad > maxTermProblems {
		problems = append(problems, fmt.Errorf("keyword index: %d terms differ in all", bad))
	}
	if !ti.hashes.equal(&want.hashes) {
		problems = append(problems, fmt.Errorf("keyword index holds %d chunk hashes, the stored chunks %d",
			ti.hashes.size(), want.hashes.size()))
	}
	return errors.Join(problems...)
}

// ridTF is a posting by chunk rid.
type ridTF struct {
	rid int64
	tf  uint32
}

// livePostings returns the live postings of term number id by chunk
// rid, in increasing rid order.
func (ti *termIndex) livePostings(id uint32) []ridTF {
	var out []ridTF
	ti.postings.list(id).each(func(doc, tf uint32) {
		if ti.lengths[doc] >= 0 {
			out = append(out, ridTF{ti.rids[doc], tf})
		}
	})
	slices.SortFunc(out, func(a, b ridTF) int { return cmp.Compare(a.rid, b.rid) })
	return out
}
