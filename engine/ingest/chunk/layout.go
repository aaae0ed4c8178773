package chunk

import (
	"regexp"
	"strings"
)

// Languages laid out in column 0: Haskell, Erlang, OCaml and Clojure. A top-level
// declaration starts at a line in column 0 and runs to the next one that
// starts another; a function's signature and its equations or clauses,
// which share its name, are one declaration.

// layoutLang describes the top-level declarations of such a language.
type layoutLang struct {
	comment          string         // the line comment's prefix
	blockOpen, close string         // a block comment's delimiters, or ""
	skip             *regexp.Regexp // lines that declare nothing and end a declaration (imports)
	types            []*regexp.Regexp
	funcs            []*regexp.Regexp // group 1 of each names the type or function declared
	infix            bool             // a <#> b = … continues the definition of <#> (Haskell)
	// members, when set, matches an indented line of a type's body that
	// starts a method (Clojure's deftype): group 1 names it, Type.method.
	members *regexp.Regexp
	// module, when set, matches the line naming the file's module
	// (Erlang's -module(lager).): group 1 qualifies the names declared
	// after it, lager.md, as module:function calls them.
	module *regexp.Regexp
}

var (
	haskell = &layoutLang{comment: "--", blockOpen: "{-", close: "-}", infix: true,
		skip: regexp.MustCompile(`^(?:import|module|infix[lr]?|\{-#|#|instance|deriving|foreign|default)\b`),
		types: []*regexp.Regexp{
			regexp.MustCompile(`^(?:data|newtype|type(?:[ \t]+family)?|class)[ \t]+(?:.*=>[ \t]*)?([A-Z][\w']*)`),
		},
		funcs: []*regexp.Regexp{
			// An equation's patterns may hold : (x:xs, '-' : w), never ::.
			regexp.MustCompile(`^([a-z_][\w']*)(?:[ \t]*,[ \t]*[a-z_][\w']*)*[ \t]*(?:::|(?:[^:=]|:[^:=])*?(?:=|\|))`),
			regexp.MustCompile(`^([a-z_][\w']*)[ \t]*$`), // a signature's name alone on its line
			regexp.MustCompile(`^\(([!#$%&*+./<=>?@\\^|~:-]+)\)[ \t]*(?:::|[^:=]*=)`),
		},
	}
	erlang = &layoutLang{comment: "%",
		module: regexp.MustCompile(`^-module\([ \t]*'?([a-z]\w*)'?[ \t]*\)`),
		skip:   regexp.MustCompile(`^-(?:module|export|import|include|include_lib|define|compile|behaviou?r|ifdef|ifndef|else|endif|undef|file|author|vsn|dialyzer|export_type|on_load|moduledoc|doc)\b`),
		types: []*regexp.Regexp{
			regexp.MustCompile(`^-(?:type|opaque)[ \t]+([a-z]\w*)`),
			regexp.MustCompile(`^-record\([ \t]*([a-z]\w*)`),
		},
		funcs: []*regexp.Regexp{
			regexp.MustCompile(`^-spec[ \t]+([a-z]\w*)`),
			regexp.MustCompile(`^([a-z]\w*)[ \t]*\(`),
		},
	}
)

var (
	ocaml = &layoutLang{comment: "(*", blockOpen: "(*", close: "*)",
		skip: regexp.MustCompile(`^(?:open|include|#)\b`),
		types: []*regexp.Regexp{
			regexp.MustCompile(`^type[ \t]+(?:nonrec[ \t]+)?(?:'\w+[ \t]+|\([^)]*\)[ \t]+)?([a-z_][\w']*)`),
			regexp.MustCompile(`^module(?:[ \t]+type)?[ \t]+([A-Z][\w']*)`),
			regexp.MustCompile(`^(?:exception|class(?:[ \t]+type)?)[ \t]+([A-Za-z_][\w']*)`),
		},
		funcs: []*regexp.Regexp{regexp.MustCompile(`^(?:let(?:[ \t]+rec)?|and|val|external)[ \t]+([a-z_][\w']*)`)},
	}
	clojure = &layoutLang{comment: ";",
		skip: regexp.MustCompile(`^\((?:ns|comment|require|import)\b`),
		types: []*regexp.Regexp{
			regexp.MustCompile(`^\((?:defrecord|deftype|defprotocol|definterface)[ \t]+([^\s()\[\]]+)`),
		},
		members: regexp.MustCompile(`^[ \t]{1,4}\(([^\s()\[\]]+)[ \t]*\[`),
		funcs: []*regexp.Regexp{
			regexp.MustCompile(`^\((?:defn-?|defmacro|defmulti|defmethod|defonce|def)[ \t]+(?:\^\S+[ \t]+)?([^\s()\[\]]+)`),
		},
	}
)

// layoutLanguages are the languages, as Language names them, whose
// declarations Split finds by their layout.
var layoutLanguages = map[string]*layoutLang{"haskell": haskell, "erlang": erlang, "ocaml": ocaml, "clojure": clojure}

// layoutDeclarations returns the top-level declarations of source in a
// language laid out in column 0, each with the comments directly above
// it (Haddock's -- | and EDoc's %% included), and the names of its
// functions and types.
func layoutDeclarations(ls lines, lang *layoutLang) ([]unit, []definedName) {
	n := ls.count()
	var units []unit
	var names []definedName
	cur, curName := -1, ""  // the unit open, and the function it holds
	inComment := false      // inside a block comment
	lastCode := -1          // the last line of code of the open unit
	owner, member := "", -1 // the type whose body is open, and its member's unit
	module := ""            // the module the names are in, with a dot, if the language names it
	closeMember := func() {
		if member >= 0 {
			units[member].end = lastCode + 1
		}
		member = -1
	}
	closeUnit := func() {
		closeMember()
		if cur >= 0 {
			units[cur].end = lastCode + 1
		}
		cur, curName, owner = -1, "", ""
	}
	isComment := func(t string) bool {
		return strings.HasPrefix(t, lang.comment) ||
			lang.blockOpen != "" && (strings.HasPrefix(t, lang.blockOpen) || strings.HasPrefix(t, lang.close))
	}
	for i := range n {
		line := strings.TrimRight(ls.text(i, i+1), "\r\n")
		t := strings.TrimSpace(line)
		if inComment {
			inComment = !strings.Contains(line, lang.close)
			continue
		}
		if lang.blockOpen != "" && strings.HasPrefix(t, lang.blockOpen) && !strings.HasPrefix(t, lang.blockOpen+"#") && !strings.Contains(t, lang.close) {
			inComment = true
			continue
		}
		if t == "" || strings.HasPrefix(t, lang.comment) {
			continue
		}
		if indentOf(line) > 0 {
			if owner != "" && lang.members != nil {
				if m := lang.members.FindStringSubmatch(line); m != nil && !formWords[m[1]] {
					closeMember()
					member = len(units)
					units = append(units, unit{i, i + 1})
					names = append(names, definedName{i, owner + "." + m[1]})
				}
			}
			if cur >= 0 {
				lastCode = i
			}
			continue
		}
		if lang.module != nil {
			if m := lang.module.FindStringSubmatch(line); m != nil {
				module = m[1] + "."
			}
		}
		if lang.skip.MatchString(line) {
			closeUnit()
			continue
		}
		name, typ := firstGroup(lang.types, line), true
		if name == "" {
			name, typ = firstGroup(lang.funcs, line), false
		}
		if cur >= 0 && !typ && (name != "" && name == curName || lang.infix && infixOf(line, curName)) {
			lastCode = i // another equation or clause of the same function
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
			names = append(names, definedName{i, module + name})
			if !typ {
				curName = name
			} else {
				owner = name
			}
		}
	}
	closeUnit()
	return units, names
}

// formWords are Clojure forms that an indented line of a type's body
// may start without starting a method.
var formWords = map[string]bool{"let": true, "loop": true, "when": true, "if": true, "do": true, "fn": true,
	"binding": true, "doseq": true, "for": true, "locking": true, "cond": true, "case": true, "try": true}

// firstGroup returns group 1 of the first of res that matches line, or "".
func firstGroup(res []*regexp.Regexp, line string) string {
	for _, re := range res {
		if m := re.FindStringSubmatch(line); m != nil {
			return m[1]
		}
	}
	return ""
}

// infixOf reports whether line is an equation defining name infix,
// a <#> b = … or a `op` b = …
func infixOf(line, name string) bool {
	lhs, _, ok := strings.Cut(line, "=")
	return ok && name != "" && (strings.Contains(lhs, " "+name+" ") || strings.Contains(lhs, "`"+name+"`"))
}
