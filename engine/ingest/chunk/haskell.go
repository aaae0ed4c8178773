package chunk

import (
	"regexp"
	"strings"
)

// Haskell: top-level declarations by layout. A declaration starts at a
// line in column 0 and runs to the next one that starts another: a
// function's signature and equations, which share its name, are one.

var (
	haskellType = regexp.MustCompile(`^(?:data|newtype|type(?:[ \t]+family)?|class)[ \t]+(?:.*=>[ \t]*)?(?P<name>[A-Z][\w']*)`)
	haskellFunc = regexp.MustCompile(`^(?P<name>[a-z_][\w']*)(?:[ \t]*,[ \t]*[a-z_][\w']*)*[ \t]*(?:::|[^:=]*?(?:=|\|))`)
	haskellBare = regexp.MustCompile(`^(?P<name>[a-z_][\w']*)[ \t]*$`) // a signature's name alone on its line
	haskellOp   = regexp.MustCompile(`^\((?P<name>[!#$%&*+./<=>?@\\^|~:-]+)\)[ \t]*(?:::|[^:=]*=)`)
	haskellSkip = regexp.MustCompile(`^(?:import|module|infix[lr]?|\{-#|#)\b`)
)

// haskellDeclarations returns the top-level declarations of Haskell
// source, each with the comments (Haddock's -- | included) directly above
// it, and the names of its functions and types.
func haskellDeclarations(ls lines) ([]unit, []definedName) {
	n := ls.count()
	var units []unit
	var names []definedName
	cur, curName := -1, "" // the unit open, and the function it holds
	inComment := false     // inside {- -}
	lastCode := -1         // the last line of code of the open unit
	closeUnit := func() {
		if cur >= 0 {
			units[cur].end = lastCode + 1
		}
		cur, curName = -1, ""
	}
	isComment := func(t string) bool {
		return strings.HasPrefix(t, "--") || strings.HasPrefix(t, "{-") || strings.HasPrefix(t, "-}")
	}
	for i := range n {
		line := strings.TrimRight(ls.text(i, i+1), "\r\n")
		t := strings.TrimSpace(line)
		if inComment {
			if strings.Contains(line, "-}") {
				inComment = false
			}
			continue
		}
		if strings.HasPrefix(t, "{-") && !strings.HasPrefix(t, "{-#") && !strings.Contains(t, "-}") {
			inComment = true
			continue
		}
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		if indentOf(line) > 0 {
			if cur >= 0 {
				lastCode = i
			}
			continue
		}
		if haskellSkip.MatchString(line) {
			closeUnit()
			continue
		}
		name, typ := "", false
		if m := haskellType.FindStringSubmatch(line); m != nil {
			name, typ = m[1], true
		} else if m := haskellFunc.FindStringSubmatch(line); m != nil && !haskellKeyword[m[1]] {
			name = m[1]
		} else if m := haskellBare.FindStringSubmatch(line); m != nil && !haskellKeyword[m[1]] {
			name = m[1]
		} else if m := haskellOp.FindStringSubmatch(line); m != nil {
			name = m[1]
		}
		if cur >= 0 && !typ && (name != "" && name == curName || infixOf(line, curName)) {
			lastCode = i // another equation of the same function
			continue
		}
		closeUnit()
		start := preambleStart(ls, i, 0, isComment)
		if len(units) > 0 {
			start = max(start, units[len(units)-1].end)
		}
		cur, lastCode = len(units), i
		units = append(units, unit{start, i + 1})
		if name != "" {
			names = append(names, definedName{i, name})
			if !typ {
				curName = name
			}
		}
	}
	closeUnit()
	return units, names
}

// haskellKeyword are words that start a top-level line without declaring
// a function.
var haskellKeyword = map[string]bool{"instance": true, "deriving": true, "where": true, "let": true, "foreign": true, "pattern": true, "default": true}

// infixOf reports whether line is an equation defining name infix,
// a <#> b = ... or a `op` b = ...
func infixOf(line, name string) bool {
	lhs, _, ok := strings.Cut(line, "=")
	return ok && name != "" && (strings.Contains(lhs, " "+name+" ") || strings.Contains(lhs, "`"+name+"`"))
}
