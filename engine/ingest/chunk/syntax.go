package chunk

import (
	"slices"
	"sort"
	"strings"

	"workspace-qdrant-mcp/engine/storage"
)

// A unit is a declaration: lines start to end-1, counted from 0, its doc
// comment, decorators and attributes included.
type unit struct{ start, end int }

// A definedName is a name declared on a line, counted from 0.
type definedName struct {
	line int
	name string
}

// structure is what Split knows of the syntax of a text: its declarations,
// nested ones included, and the names they declare. A nil *structure
// knows nothing: the text is cut by lines alone.
type structure struct {
	units    []unit
	reach    []int         // reach[i]: the largest end of the units starting at line i, or 0
	boundary []bool        // boundary[k]: a unit starts or ends at line k
	names    []definedName // by line
	// owned[i] is the name units[i] declares, with its line: the first
	// name whose innermost unit it is; a unit that names nothing itself,
	// such as an impl block, has the name "". units are sorted by start,
	// the longest first among those that start on one line.
	owned []definedName
	// parent[i] is the unit that holds units[i], the innermost one, or -1.
	parent []int
}

// MetaDefines is the metadata key under which the engine stores a
// chunk's Defines, joined by single spaces; it is present, possibly
// empty, on every chunk of a language that Structured accepts. The stores
// read it to find definitions (storage.Query.Defines).
const MetaDefines = storage.MetaDefines

// MetaWithin is the metadata key under which the engine stores a chunk's
// Within, when it has one.
const MetaWithin = "within"

// Structured reports whether Split knows the syntax of language, and so
// lists what each chunk defines (unless the text does not parse).
func Structured(language string) bool {
	return language == "go" || language == "python" || layoutLanguages[language] != nil ||
		endLanguages[language] != nil || braceLanguages[language] != nil
}

// parseStructure finds the declarations of text in language, or returns
// nil for a language whose syntax Split does not know or Go that does
// not parse.
func parseStructure(text string, ls lines, language string) *structure {
	var units []unit
	var names []definedName
	switch {
	case language == "go":
		var ok bool
		if units, names, ok = goDeclarations(text); !ok {
			return nil
		}
	case language == "python":
		units, names = pythonDeclarations(ls)
	case layoutLanguages[language] != nil:
		units, names = layoutDeclarations(ls, layoutLanguages[language])
	case endLanguages[language] != nil:
		units, names = endDeclarations(ls, endLanguages[language])
	case braceLanguages[language] != nil:
		units, names = braceDeclarations(ls, braceLanguages[language])
	default:
		return nil
	}
	n := ls.count()
	st := &structure{reach: make([]int, n+1), boundary: make([]bool, n+1)}
	for _, u := range units {
		u.start, u.end = max(u.start, 0), min(u.end, n)
		if u.start >= u.end {
			continue
		}
		st.units = append(st.units, u)
		st.reach[u.start] = max(st.reach[u.start], u.end)
		st.boundary[u.start], st.boundary[u.end] = true, true
	}
	st.names = names
	sort.SliceStable(st.names, func(i, j int) bool { return st.names[i].line < st.names[j].line })
	slices.SortStableFunc(st.units, func(a, b unit) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	st.parent = make([]int, len(st.units))
	var open []int // the units that hold the current one, innermost last
	for i, u := range st.units {
		for len(open) > 0 && st.units[open[len(open)-1]].end <= u.start {
			open = open[:len(open)-1]
		}
		st.parent[i] = -1
		if len(open) > 0 {
			st.parent[i] = open[len(open)-1]
		}
		open = append(open, i)
	}
	st.owned = make([]definedName, len(st.units))
	for _, n := range st.names {
		if i := st.holding(n.line+1, n.line); i >= 0 && st.owned[i].name == "" {
			st.owned[i] = n
		}
	}
	return st
}

// holding returns the index of the innermost unit that starts before
// line before and is still open at line at (ends after it), or -1; walk
// on through parent for the units that hold it further out.
func (st *structure) holding(before, at int) int {
	i := sort.Search(len(st.units), func(i int) bool { return st.units[i].start >= before }) - 1
	for i >= 0 && st.units[i].end <= at {
		i = st.parent[i] // an earlier sibling's or its parents': units nest
	}
	return i
}

// within returns the name of the innermost unit that holds the first
// line of lines start to end-1 that is not blank, began above it and
// declares a name above it (Chunk.Within), or "".
func (st *structure) within(ls lines, start, end int) string {
	if st == nil {
		return ""
	}
	for start < end && strings.TrimSpace(ls.text(start, start+1)) == "" {
		start++
	}
	for i := st.holding(start, start); i >= 0; i = st.parent[i] {
		if n := st.owned[i]; n.name != "" && n.line < start {
			return n.name
		}
	}
	return ""
}

// cut returns the end of the chunk of lines start to end-1 at a
// declaration's seam: the last line k, from minEnd to end, at which a unit
// starts or ends and before which every unit starting after start has
// ended; or 0 if there is none.
func (st *structure) cut(start, end, minEnd int) int {
	if st == nil {
		return 0
	}
	best, reach := 0, 0 // reach: the largest end of the units starting after start, before k
	for k := start + 1; k <= end; k++ {
		if k-1 > start {
			reach = max(reach, st.reach[k-1])
		}
		if k >= minEnd && reach <= k && st.boundary[k] {
			best = k
		}
	}
	return best
}

// defines returns the names declared on lines start to end-1, sorted and
// each once, or nil.
func (st *structure) defines(start, end int) []string {
	if st == nil {
		return nil
	}
	i := sort.Search(len(st.names), func(i int) bool { return st.names[i].line >= start })
	var out []string
	for ; i < len(st.names) && st.names[i].line < end; i++ {
		out = append(out, st.names[i].name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// indentOf returns the width of the leading blanks of line, a tab
// counting as one.
func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " \t")) }

// preambleStart returns the first line of the comments, decorators and
// attributes directly above line decl (no blank line between) at the
// same indentation, or within a block comment that starts at it; isPre
// says which lines are such.
func preambleStart(ls lines, decl, floor int, isPre func(trimmed string) bool) int {
	ind := indentOf(ls.text(decl, decl+1))
	k := decl
	for k-1 >= floor {
		line := ls.text(k-1, k)
		t := strings.TrimSpace(line)
		in := indentOf(line)
		if t != "" && (in > ind && !strings.HasPrefix(t, "*") || in == ind && strings.ContainsAny(t[:1], ")]}")) {
			if open := argumentsOpen(ls, k-1, floor, ind, isPre); open >= 0 {
				k = open // the arguments of an annotation, one a line
				continue
			}
		}
		if t == "" || in < ind || !isPre(t) || (in > ind && !strings.HasPrefix(t, "*")) {
			break
		}
		k--
	}
	return k
}

// maxArgumentLines bounds how far argumentsOpen looks up.
const maxArgumentLines = 24

// argumentsOpen returns the line, at indentation ind, of the preamble
// whose arguments run on one a line down to line last, as in
//
//	@implicitNotFound(
//	  "No Formats found."
//	)
//	trait Formats
//
//	[Obsolete(
//	    "Use B.")]
//	class C
//
// the lines between indented further and the parentheses and brackets
// from it to last balanced; -1 when there is none.
func argumentsOpen(ls lines, last, floor, ind int, isPre func(trimmed string) bool) int {
	depth := 0
	for j := last; j >= max(floor, last-maxArgumentLines); j-- {
		line := ls.text(j, j+1)
		t := strings.TrimSpace(line)
		depth += strings.Count(t, ")") + strings.Count(t, "]") - strings.Count(t, "(") - strings.Count(t, "[")
		in := indentOf(line)
		switch {
		case t == "" || in < ind:
			return -1
		case in > ind || j == last:
			continue
		case isPre(t) && depth == 0:
			return j
		default:
			return -1
		}
	}
	return -1
}
