package chunk

import (
	"regexp"
	"strings"
)

// contractWord reports whether w, a word of a code line, may start or
// mark the declaration of a contract (see declaresContract): only lines
// holding one of these words are matched against contractLine. A table
// of first bytes and lengths turns nearly every word away before the
// set is looked up, so that the scan of ordinary lines stays cheap.
func contractWord(w string) bool {
	return w != "" && len(w) < len(contractStart[0]) && contractStart[w[0]][len(w)] && contractSet[w]
}

// contractSet holds contractWord's words; contractStart[b][n] says
// whether one of them starts with byte b and has n bytes.
var contractSet, contractStart = func() (set map[string]bool, start [256][15]bool) {
	set = make(map[string]bool)
	for _, w := range [...]string{"interface", "trait", "protocol", "abstract", "defprotocol", "callback",
		"ABC", "ABCMeta", "Protocol", "abstractmethod", "virtual", "where", "module"} {
		set[w] = true
		start[w[0]][len(w)] = true
	}
	return set, start
}()

// contractWords is how many of a line's first words contractWord reads:
// a contract's keyword comes after its modifiers, and Go's after the
// type's name and type parameters (type Set[T comparable] interface {).
const contractWords = 6

// contractLine matches, from the first non-blank byte of a code line,
// the declaration of a contract: a type that says what other code must
// provide rather than providing it.
var contractLine = regexp.MustCompile(`^(?:` +
	// Java, C#, Kotlin, TypeScript, PHP, Dart: interface; Rust, Scala,
	// PHP: trait; Swift: protocol; with the modifiers before them.
	`(?:(?:public|private|protected|internal|export|default|declare|abstract|sealed|partial|static|open|unsafe|fun|pub(?:\([^)]*\))?)\s+)*(?:interface|trait|protocol)\s+[A-Za-z_$]` +
	// Abstract classes (Java, C#, Kotlin, TypeScript, PHP).
	`|(?:(?:public|private|protected|internal|export|default|open)\s+)*abstract\s+(?:partial\s+)?class\s` +
	// Go: type Name interface {, or Name interface { in a type block;
	// interface{} alone is any value.
	`|(?:type\s+)?[A-Za-z_]\w*(?:\[[^\]]*\])?\s+interface\s*\{\s*(?://.*)?$` +
	// Objective-C, Clojure, Elixir, Erlang.
	`|@protocol\s+[A-Za-z_]|\(defprotocol\s|defprotocol\s|@callback\s|-callback\s` +
	// Python: an ABC or a Protocol, and abstract methods.
	`|class\s+\w+\s*\(.*\b(?:ABC|ABCMeta|Protocol)\b|@(?:abc\.)?abstractmethod\b` +
	// Haskell's type classes, OCaml's module types.
	`|class\s.*\bwhere\b|module\s+type\s` +
	// C++: a pure virtual member function.
	`|.*\bvirtual\b[^;{]*\)\s*(?:const\s*)?(?:noexcept\s*)?(?:override\s*)?=\s*0\s*;` +
	`)`)

// declaresContract reports whether line, a line of code, declares a
// contract: an interface, a trait, a protocol, an abstract class or
// method, a type class or module type, or a C++ pure virtual function.
func declaresContract(line string) bool {
	return contractLine.MatchString(strings.TrimLeft(line, " \t"))
}
