package chunk

import (
	"regexp"
	"strings"
)

// Python: blocks by indentation, over logical lines.

var (
	pythonDef = regexp.MustCompile(`^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)`)
	// A module's constant or type at column 0, named with a capital:
	// MAX_RETRIES = 3, NumberOrString: TypeAlias = "float | str",
	// Point = namedtuple(…).
	pythonConst = regexp.MustCompile(`^([A-Z][A-Za-z0-9_]*)[ \t]*(?::[^=]*)?=(?:[^=]|$)`)
	// A type alias statement: type Vector[T] = list[T].
	pythonType = regexp.MustCompile(`^type[ \t]+([A-Za-z_]\w*)[ \t]*(?:\[[^\]]*\][ \t]*)?=`)
)

// Kinds of Python lines.
const (
	pyBlank = iota
	pyComment
	pyCode         // starts a logical line
	pyContinuation // inside a string, brackets or after a backslash
)

// pythonLines classifies each line and gives, for each, the line on which
// its logical line starts.
func pythonLines(ls lines) (kinds, logical []int) {
	n := ls.count()
	kinds, logical = make([]int, n), make([]int, n)
	depth, quote, triple, backslash := 0, byte(0), false, false
	cur := 0
	for i := range n {
		line := ls.text(i, i+1)
		t := strings.TrimSpace(line)
		switch {
		case quote != 0 || depth > 0 || backslash:
			kinds[i] = pyContinuation
		case t == "":
			kinds[i] = pyBlank
		case t[0] == '#':
			kinds[i] = pyComment
		default:
			kinds[i], cur = pyCode, i
		}
		logical[i] = cur
		backslash = false
		for j := 0; j < len(line); j++ {
			c := line[j]
			if quote != 0 {
				switch {
				case c == '\\':
					j++
				case c == quote && !triple:
					quote = 0
				case c == quote && strings.HasPrefix(line[j:], strings.Repeat(string(quote), 3)):
					quote, j = 0, j+2
				case c == '\n' && !triple:
					quote = 0 // an unterminated string ends with its line
				}
				continue
			}
			switch c {
			case '#':
				j = len(line)
			case '"', '\'':
				quote, triple = c, strings.HasPrefix(line[j:], strings.Repeat(string(c), 3))
				if triple {
					j += 2
				}
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				depth = max(depth-1, 0)
			case '\\':
				backslash = j+1 < len(line) && (line[j+1] == '\n' || line[j+1] == '\r')
			}
		}
	}
	return kinds, logical
}

// pythonDeclarations returns the def and class blocks of Python source,
// nested ones included, each with the decorators and comments directly
// above it, and the module's upper-case constants.
func pythonDeclarations(ls lines) ([]unit, []definedName) {
	kinds, logical := pythonLines(ls)
	n := ls.count()
	var units []unit
	var names []definedName
	var owners ownerStack
	for i := range n {
		if kinds[i] != pyCode {
			continue
		}
		line := ls.text(i, i+1)
		owners.leave(indentOf(line))
		m := pythonDef.FindStringSubmatch(line)
		if m == nil {
			if m = pythonConst.FindStringSubmatch(line); m == nil {
				m = pythonType.FindStringSubmatch(line)
			}
			if m != nil {
				end := i + 1
				for end < n && kinds[end] == pyContinuation {
					end++
				}
				units = append(units, unit{i, end})
				names = append(names, definedName{i, m[1]})
			}
			continue
		}
		ind, last := indentOf(line), i
		for j := i + 1; j < n; j++ {
			k := kinds[j]
			if k == pyBlank || (k == pyComment && indentOf(ls.text(j, j+1)) <= ind) {
				continue
			}
			if k == pyCode && indentOf(ls.text(j, j+1)) <= ind {
				break
			}
			last = j
		}
		units = append(units, unit{pythonPreamble(ls, kinds, logical, i, ind), last + 1})
		names = append(names, definedName{i, owners.qualify(m[1])})
		owners.enter(ind, m[1], strings.HasPrefix(strings.TrimSpace(line), "class"))
	}
	return units, names
}

// pythonPreamble returns the first line of the decorators and comments
// directly above the def or class on line decl, at its indentation.
func pythonPreamble(ls lines, kinds, logical []int, decl, ind int) int {
	k := decl
	for k > 0 {
		p := k - 1
		if kinds[p] == pyContinuation {
			p = logical[p]
		}
		t := ls.text(p, p+1)
		if kinds[p] == pyBlank || indentOf(t) != ind || !strings.HasPrefix(strings.TrimSpace(t), "@") && kinds[p] != pyComment {
			break
		}
		k = p
	}
	return k
}

// ownerStack tracks the blocks of an indented language enclosing a line:
// the names of the classes (and Ruby modules) whose members are named
// Owner.member.
type ownerStack []struct {
	indent int
	name   string
	owns   bool // a class or module, whose members it qualifies
}

// leave pops the blocks a line at indentation ind is not inside.
func (s *ownerStack) leave(ind int) {
	for len(*s) > 0 && (*s)[len(*s)-1].indent >= ind {
		*s = (*s)[:len(*s)-1]
	}
}

func (s *ownerStack) enter(ind int, name string, owns bool) {
	*s = append(*s, struct {
		indent int
		name   string
		owns   bool
	}{ind, name, owns})
}

// qualify returns name as a member of the innermost enclosing block, when
// that block is a class or module: "Session.request".
func (s ownerStack) qualify(name string) string {
	if n := len(s); n > 0 && s[n-1].owns {
		return s[n-1].name + "." + name
	}
	return name
}
