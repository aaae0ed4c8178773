package secrets

// automaton is an Aho-Corasick automaton over the rules' keywords, built
// as a full DFA (a transition for every state and byte) that folds ASCII
// upper case to lower case, so that one pass over a text, one table look-up
// a byte, tells which rules' keywords occur in it, in any case.
type automaton struct {
	next  [][256]int32
	rules [][]uint64 // per state: the rules whose keyword ends here (a bit set); nil when none
	words int        // uint64 words in a rule set
}

func newAutomaton(keywords map[string][]int, nrules int) *automaton {
	a := &automaton{next: make([][256]int32, 1), rules: make([][]uint64, 1), words: (nrules + 63) / 64}
	// The trie; -1 is "no edge" until the DFA is completed.
	for i := range a.next[0] {
		a.next[0][i] = -1
	}
	for k, rs := range keywords {
		s := int32(0)
		for i := 0; i < len(k); i++ {
			c := k[i]
			if a.next[s][c] < 0 {
				a.next = append(a.next, [256]int32{})
				a.rules = append(a.rules, nil)
				n := int32(len(a.next) - 1)
				for j := range a.next[n] {
					a.next[n][j] = -1
				}
				a.next[s][c] = n
			}
			s = a.next[s][c]
		}
		if a.rules[s] == nil {
			a.rules[s] = make([]uint64, a.words)
		}
		for _, r := range rs {
			a.rules[s][r/64] |= 1 << (r % 64)
		}
	}
	// Breadth first: fail links, outputs merged along them, and every
	// missing edge pointed where the fail link's edge goes.
	fail := make([]int32, len(a.next))
	queue := make([]int32, 0, len(a.next))
	for c := range 256 {
		if n := a.next[0][c]; n >= 0 {
			fail[n] = 0
			queue = append(queue, n)
		} else {
			a.next[0][c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if f := a.rules[fail[s]]; f != nil {
			if a.rules[s] == nil {
				a.rules[s] = make([]uint64, a.words)
			}
			for i, w := range f {
				a.rules[s][i] |= w
			}
		}
		for c := range 256 {
			if n := a.next[s][c]; n >= 0 {
				fail[n] = a.next[fail[s]][c]
				queue = append(queue, n)
			} else {
				a.next[s][c] = a.next[fail[s]][c]
			}
		}
	}
	// Fold case: an upper-case ASCII letter goes where its lower case goes.
	for s := range a.next {
		for c := 'A'; c <= 'Z'; c++ {
			a.next[s][c] = a.next[s][c+'a'-'A']
		}
	}
	return a
}

// hit is where a keyword ends in a text, and the automaton's state there.
type hit struct {
	end   int
	state int32
}

// scan returns every place in text where a keyword ends.
func (a *automaton) scan(text string) []hit {
	var hits []hit
	s := int32(0)
	for i := 0; i < len(text); i++ {
		s = a.next[s][text[i]]
		if a.rules[s] != nil {
			hits = append(hits, hit{end: i + 1, state: s})
		}
	}
	return hits
}

// has reports whether rule r has a keyword ending at h.
func (a *automaton) has(h hit, r int) bool {
	return a.rules[h.state][r/64]&(1<<(r%64)) != 0
}
