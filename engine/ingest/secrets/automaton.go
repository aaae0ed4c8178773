package secrets

import (
	"maps"
	"slices"
)

// automaton is an Aho-Corasick automaton over the rules' keywords, built
// as a full DFA (a transition for every state and byte) that folds ASCII
// upper case to lower case, so that one pass over a text, one table look-up
// a byte, tells which rules' keywords occur in it, in any case.
//
// Bytes that occur in no keyword all move the automaton alike, and so do
// an upper-case letter and its lower case: the table has a column per
// class of bytes (class), not per byte, which keeps it small enough for
// the processor's caches.
//
// A transition is the row of the state it leads to (state × classes),
// complemented when a keyword ends in that state, so that a step is one
// load and a sign test.
type automaton struct {
	next    []int32 // next[row+class[b]]: ±the next state's row
	class   [256]uint8
	classes int
	rules   [][]uint64 // per state: the rules whose keyword ends here (a bit set); nil when none
	words   int        // uint64 words in a rule set
}

func newAutomaton(keywords map[string][]int, nrules int) *automaton {
	a := &automaton{rules: make([][]uint64, 1), words: (nrules + 63) / 64}
	// The trie, a row of 256 edges a state; -1 is "no edge" until the DFA
	// is completed.
	next := make([][256]int32, 1)
	for i := range next[0] {
		next[0][i] = -1
	}
	for k, rs := range keywords {
		s := int32(0)
		for i := 0; i < len(k); i++ {
			c := k[i]
			if next[s][c] < 0 {
				next = append(next, [256]int32{})
				a.rules = append(a.rules, nil)
				n := int32(len(next) - 1)
				for j := range next[n] {
					next[n][j] = -1
				}
				next[s][c] = n
			}
			s = next[s][c]
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
	fail := make([]int32, len(next))
	queue := make([]int32, 0, len(next))
	for c := range 256 {
		if n := next[0][c]; n >= 0 {
			fail[n] = 0
			queue = append(queue, n)
		} else {
			next[0][c] = 0
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
			if n := next[s][c]; n >= 0 {
				fail[n] = next[fail[s]][c]
				queue = append(queue, n)
			} else {
				next[s][c] = next[fail[s]][c]
			}
		}
	}
	// Classes: one for each byte of a keyword, an upper-case ASCII letter
	// in its lower case's (folding case), and class 0 for every other byte.
	for _, k := range slices.Sorted(maps.Keys(keywords)) {
		for i := 0; i < len(k); i++ {
			if a.class[k[i]] == 0 {
				a.classes++
				a.class[k[i]] = uint8(a.classes)
			}
		}
	}
	a.classes++
	for c := 'A'; c <= 'Z'; c++ {
		a.class[c] = a.class[c+'a'-'A']
	}
	rep := make([]int, a.classes) // a byte of each class, never an upper-case one
	for c := 255; c >= 0; c-- {
		if c < 'A' || c > 'Z' {
			rep[a.class[c]] = c
		}
	}
	a.next = make([]int32, len(next)*a.classes)
	for s := range next {
		for cl, c := range rep {
			t := next[s][c]
			row := t * int32(a.classes)
			if a.rules[t] != nil {
				row = ^row
			}
			a.next[s*a.classes+cl] = row
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
	row := int32(0)
	for i := 0; i < len(text); i++ {
		row = a.next[int(row)+int(a.class[text[i]])]
		if row < 0 {
			row = ^row
			hits = append(hits, hit{end: i + 1, state: row / int32(a.classes)})
		}
	}
	return hits
}
