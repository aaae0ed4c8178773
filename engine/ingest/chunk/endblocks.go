package chunk

import (
	"regexp"
	"strings"
)

// Languages whose blocks close with an "end" at the indentation of the
// line that opened them: Ruby, Elixir, Lua and Julia.

// endLang describes the declarations of such a language.
type endLang struct {
	comment string         // the line comment's prefix
	def     *regexp.Regexp // a declaration's line; group "name" is its name
	// header returns the last line of the declaration's head that starts
	// on line i, whose def match ends at byte defEnd, and whether a block
	// follows it (else the declaration ends with its head).
	header func(ls lines, i, defEnd int) (last int, block bool)
	// mid matches, trimmed, a line at the block's indentation that
	// continues it rather than ending it (Ruby's rescue or else).
	mid *regexp.Regexp
	// owns reports whether the trimmed declaration line opens a
	// container whose members are named Owner.member; nil for never.
	owns func(trimmed string) bool
	// attributes: module attributes (@doc, @spec, @impl) and the
	// heredocs they hold belong to the declaration below them (Elixir).
	attributes bool
	// qualified: names are written qualified (Lua's function M.f) and
	// kept so, rather than qualified by the enclosing blocks.
	qualified bool
}

var (
	// Ruby's methods, classes and modules, and constants (VERSION = "1.2",
	// Point = Struct.new(:x, :y) do … end).
	rubyDef = regexp.MustCompile(`^[ \t]*(?:(?:(?:(?:private|protected|public|module_function)[ \t]+)?def[ \t]+(?:self\.)?|(?:class|module)[ \t]+)(?P<name>(?:[A-Za-z_]\w*::)*[A-Za-z_]\w*[?!]?)|(?P<name>[A-Z]\w*)[ \t]*=(?:[^=~>]|$))`)
	// A constant that a class made at run time is assigned to: its block's
	// methods are its own.
	rubyClassNew = regexp.MustCompile(`^[A-Z]\w*[ \t]*=[ \t]*(?:Struct|Class|Module|Data)\.(?:new|define)\b`)
	rubyOneLiner = regexp.MustCompile(`(?:;[ \t]*end\b[ \t]*$)|(?:\bdef[ \t]+[\w.?!]+(?:\([^)]*\)[ \t]*|[ \t]+)=[ \t])`)

	elixirDef = regexp.MustCompile(`^[ \t]*(?:(?:defmodule|defprotocol|defimpl)[ \t]+(?P<name>[A-Z][\w.]*)|(?:defp?|defmacrop?|defguardp?|defdelegate|defnp?)[ \t]+(?P<name>[a-z_][\w]*[?!]?))`)
	elixirDo  = regexp.MustCompile(`(?:\bdo|->)[ \t]*(?:#.*)?$`)

	luaDef    = regexp.MustCompile(`^[ \t]*(?:local[ \t]+)?(?:function[ \t]+(?P<name>[A-Za-z_][\w.:]*)[ \t]*\(|(?P<name>[A-Za-z_][\w.]*)[ \t]*=[ \t]*function[ \t]*\()`)
	luaEnd    = regexp.MustCompile(`\bend[ \t]*[,;)]*[ \t]*(?:--.*)?$`)
	juliaDef  = regexp.MustCompile(`^[ \t]*(?:(?:function|macro)[ \t]+(?P<name>[A-Za-z_][\w.!]*)|(?:mutable[ \t]+)?struct[ \t]+(?P<name>[A-Za-z_]\w*)|(?:abstract|primitive)[ \t]+type[ \t]+(?P<name>[A-Za-z_]\w*)|module[ \t]+(?P<name>[A-Za-z_]\w*))`)
	endWord   = regexp.MustCompile(`^end\b`)
	rubyMid   = regexp.MustCompile(`^(?:rescue|ensure|else|elsif|when|in)\b`)
	elixirMid = regexp.MustCompile(`^(?:rescue|catch|else|after)\b`)
)

var (
	ruby = &endLang{comment: "#", def: rubyDef, mid: rubyMid,
		header: func(ls lines, i, _ int) (int, bool) {
			return i, !rubyOneLiner.MatchString(strings.TrimRight(ls.text(i, i+1), "\r\n"))
		},
		owns: func(t string) bool {
			return strings.HasPrefix(t, "class") || strings.HasPrefix(t, "module") || rubyClassNew.MatchString(t)
		},
	}
	elixir = &endLang{comment: "#", def: elixirDef, mid: elixirMid, header: elixirHeader, attributes: true,
		owns: func(t string) bool { return strings.HasPrefix(t, "defmodule") || strings.HasPrefix(t, "defprotocol") },
	}
	lua = &endLang{comment: "--", def: luaDef, qualified: true,
		header: func(ls lines, i, defEnd int) (int, bool) {
			return i, !luaEnd.MatchString(strings.TrimRight(ls.text(i, i+1)[defEnd:], "\r\n"))
		},
	}
	julia = &endLang{comment: "#", def: juliaDef, qualified: true,
		header: func(ls lines, i, _ int) (int, bool) {
			return i, !luaEnd.MatchString(strings.TrimRight(ls.text(i, i+1), "\r\n"))
		},
	}
)

// endLanguages are the languages, as Language names them, whose
// declarations Split finds by their end.
var endLanguages = map[string]*endLang{"ruby": ruby, "elixir": elixir, "lua": lua, "julia": julia}

// elixirHeader finds the end of an Elixir def's head, which may span
// lines inside its parentheses and go on with guards on the lines below
// (def call(s, r)\n    when is_pid(s) do); a block follows when the
// head ends with do (def f(x) do), a keyword do: makes it one
// expression.
func elixirHeader(ls lines, i, _ int) (int, bool) {
	depth := 0
	for j := i; j < ls.count() && j < i+20; j++ {
		line := strings.TrimRight(ls.text(j, j+1), "\r\n")
		depth += strings.Count(line, "(") + strings.Count(line, "[") - strings.Count(line, ")") - strings.Count(line, "]")
		if depth > 0 {
			continue
		}
		if elixirDo.MatchString(line) {
			return j, true
		}
		if !strings.Contains(line, "do:") && j+1 < ls.count() && guardContinues(line, ls.text(j+1, j+2)) {
			continue
		}
		return j, false
	}
	return i, false
}

// guardContinues reports whether a def's head, complete up to line, goes
// on with a guard on the next line: the next line starts with when, or
// line ends inside one (with and, or or when) or before a keyword
// do: (with a comma).
func guardContinues(line, next string) bool {
	t := strings.TrimSpace(line)
	if i := strings.Index(t, " #"); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	return strings.HasPrefix(strings.TrimSpace(next), "when ") ||
		strings.HasSuffix(t, " when") || strings.HasSuffix(t, " and") || strings.HasSuffix(t, " or") ||
		strings.HasSuffix(t, ",")
}

// endDeclarations returns the declarations of source in an end-closed
// language, nested ones included, each with the comments directly above
// it.
func endDeclarations(ls lines, lang *endLang) ([]unit, []definedName) {
	n := ls.count()
	var units []unit
	var names []definedName
	var owners ownerStack
	isComment := func(t string) bool { return strings.HasPrefix(t, lang.comment) }
	nameGroups := groupIndexes(lang.def, "name")
	for i := range n {
		line := ls.text(i, i+1)
		if t := strings.TrimSpace(line); t != "" && !isComment(t) {
			owners.leave(indentOf(line))
		}
		m := lang.def.FindStringSubmatchIndex(line)
		if m == nil {
			continue
		}
		name := ""
		for _, g := range nameGroups {
			if m[2*g] >= 0 {
				name = line[m[2*g]:m[2*g+1]]
			}
		}
		last, block := lang.header(ls, i, m[1])
		end := last + 1
		if block {
			ind := indentOf(line)
			for j := last + 1; j < n; j++ {
				l := ls.text(j, j+1)
				t := strings.TrimSpace(l)
				if t == "" || isComment(t) {
					continue
				}
				if in := indentOf(l); in < ind || in == ind && (lang.mid == nil || !lang.mid.MatchString(t)) {
					if in == ind && endWord.MatchString(t) {
						end = j + 1
					}
					break
				}
				end = j + 1
			}
		}
		start := preambleStart(ls, i, 0, isComment)
		if lang.attributes {
			start = attributesStart(ls, start, lang.comment)
		}
		units = append(units, unit{start, end})
		if lang.qualified {
			names = append(names, definedName{i, lastTwo(strings.ReplaceAll(name, ":", "."))})
		} else {
			names = append(names, definedName{i, owners.qualify(lastPart(name))})
		}
		if end > i+1 {
			owners.enter(indentOf(line), lastPart(name), lang.owns != nil && lang.owns(strings.TrimSpace(line)))
		}
	}
	return units, names
}

// attributesStart returns the first line of the module attributes
// directly above line decl (@doc, @spec, @impl, with their heredocs and
// comments), or decl. A @moduledoc belongs to its module, and stops it.
func attributesStart(ls lines, decl int, comment string) int {
	ind := indentOf(ls.text(decl, decl+1))
	k := decl
	for k > 0 {
		l := ls.text(k-1, k)
		t := strings.TrimSpace(l)
		switch {
		case indentOf(l) != ind || t == "":
			return k
		case strings.HasPrefix(t, comment) || strings.HasPrefix(t, "@") && !strings.HasPrefix(t, "@moduledoc"):
			k--
		case t == `"""` || t == `'''`:
			// a heredoc's end: its start is the attribute line that opens it
			j := k - 2
			for j >= 0 && !strings.HasSuffix(strings.TrimSpace(ls.text(j, j+1)), t) {
				j--
			}
			if j < 0 || !strings.HasPrefix(strings.TrimSpace(ls.text(j, j+1)), "@") ||
				strings.HasPrefix(strings.TrimSpace(ls.text(j, j+1)), "@moduledoc") {
				return k
			}
			k = j
		default:
			return k
		}
	}
	return k
}

// groupIndexes returns the indexes of re's groups called name: an
// alternation may name several.
func groupIndexes(re *regexp.Regexp, name string) []int {
	var out []int
	for i, n := range re.SubexpNames() {
		if n == name {
			out = append(out, i)
		}
	}
	return out
}

// lastTwo returns the last two parts of a dotted name: a.b.c gives b.c.
func lastTwo(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		if j := strings.LastIndexByte(name[:i], '.'); j >= 0 {
			return name[j+1:]
		}
	}
	return name
}
