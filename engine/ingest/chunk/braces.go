package chunk

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// C-like languages: declarations by their brace structure.

// braceLang describes the lexical syntax and the declarations of a
// language whose blocks are delimited by braces.
type braceLang struct {
	hashComments bool // '#' starts a comment (PHP)
	// shell: '#' starts a comment only at a word's start (not in $# or
	// ${#name}), and <<ID or <<-ID opens a heredoc that a line of ID
	// closes.
	shell bool
	// multiline: a quoted string may span lines, and <<<ID opens a
	// heredoc that a line starting with ID closes (PHP). Elsewhere an
	// unterminated string ends with its line.
	multiline bool
	// spanning: a double-quoted string may span lines, with no heredocs
	// (Rust's "…" strings, which hold raw newlines).
	spanning     bool
	charLiterals bool // 'x' is a character literal; else ' quotes a string
	templates    bool // `...${...}...` template literals (JavaScript)
	tripleQuotes bool // """...""" strings
	rawStrings   bool // r#"..."# (Rust)
	prototypes   bool // a function or type without a body declares, but does not define, its name (C)
	macros       bool // #define NAME defines NAME, at any depth (C)
	pod          bool // a line starting =word opens documentation up to =cut, and __END__ ends the code (Perl)
	splitType    bool // a function's return type may stand alone on the line above its name, both at column 0 (GNU C)
	enumBodies   bool // an enum's constants may have bodies that declare methods (Java)
	parenClasses bool // a class is a call whose lists hold its methods, name = function() (R's R6Class)
	// transparent, when set, matches the opening of a block, up to its
	// brace, whose body declares as the top level (or the namespace
	// around it) does: PHP's if (!function_exists('f')) { function f() … }
	// in helper files, Rust's pin_project! { pub struct S<T> { … } }.
	transparent *regexp.Regexp
	// memberBlock, when set, matches the opening of a block, up to its
	// brace, in a type's body whose declarations are the type's members:
	// Kotlin's companion object { … }.
	memberBlock *regexp.Regexp
	top         []*regexp.Regexp
	member      []*regexp.Regexp // more declarations in the body of a class-like type
	// nested: declarations that also count inside a function's body
	// (JavaScript's function declarations: a factory's inner functions,
	// redux-toolkit's buildInitiate and the functions it returns).
	nested   []*regexp.Regexp
	preamble []string // prefixes of attribute lines, beyond comments and @annotations
}

// Each declaration pattern has a group "name" and may have a group "kw",
// the keyword, whose kind of body says what its body holds.
var containerKinds = map[string]braceKind{
	"class": classBody, "interface": classBody, "@interface": classBody, "enum": classBody,
	"record": classBody, "struct": classBody, "trait": classBody, "object": classBody,
	"protocol": classBody, "extension": classBody, "actor": classBody, "impl": classBody, "union": classBody,
	"prototype": classBody, "package": classBody,
	"namespace": namespaceBody, "module": namespaceBody, "mod": namespaceBody, "extern": namespaceBody,
	// A Rust macro's body, and every block in it that no declaration
	// opens (its arms, impl $Name { … }), hold the items it expands to:
	// their functions are found as at the top level.
	"macro_rules": namespaceBody,
}

// maxNesting bounds the depth of the containers searched for declarations.
const maxNesting = 4

// keywords are words that a call or statement may begin with, and so are
// never the name or the type of a declaration.
var keywords = map[string]bool{
	"if": true, "for": true, "while": true, "switch": true, "catch": true, "return": true, "new": true,
	"else": true, "throw": true, "case": true, "goto": true, "delete": true, "await": true, "yield": true,
	"using": true, "import": true, "package": true, "typedef": true, "do": true, "sizeof": true,
	"function": true, "super": true, "typeof": true, "foreach": true, "lock": true, "try": true,
	"synchronized": true, "static_assert": true, "throws": true, "when": true, "this": true,
	"extends": true, "implements": true, "where": true, // after an anonymous class
}

const (
	cMods = `(?:(?:(?:private|protected)\[[\w.]+\]|public|private|protected|internal|static|abstract|final|sealed|partial|open|data|inner|override|readonly|unsafe|virtual|async|extern|inline|export|default|fileprivate|mutating|strictfp|synchronized|native|implicit|lazy|suspend|operator|infix|tailrec|external|actual|expect|required|convenience|dynamic|case|value|annotation|enum|friend|constexpr|explicit|new|transient|volatile|const|non-sealed|@[A-Za-z_][\w.]*(?:\([^()]*\))?)\s+)*`
	ident = `[A-Za-z_]\w*`
	// swiftClass is Swift's class before func or var, a type member that
	// subclasses may override (class func mapNextAction, public class var
	// shared), with any modifiers after it.
	swiftClass = `(?:class\s+` + cMods + `)?`
	// cMacroCall is a call of a C macro spelt in capitals, API_EXPORT(int).
	cMacroCall = `[A-Z][A-Z0-9_]*\s*\([^()]*\)`
	// cppOwner is the qualifier of a C++ member defined out of its class,
	// Owner:: or Owner<T>::, the last of any, in a group "owner"; or of a
	// C# explicit interface implementation, IList<T>.
	cppOwner = `(?:(?:` + ident + `(?:<[^()]*?>)?(?:::|\.))*(?P<owner>` + ident + `)(?:<[^()]*?>)?(?:::|\.))?`
)

var (
	cType = regexp.MustCompile(`^\s*` + cMods + `(?P<kw>@interface|class|interface|enum|record|struct|trait|object|protocol|extension|actor|namespace|union|typealias)\s+(?P<name>` + ident + `(?:(?:\.|\\|::)` + ident + `)*)`)
	// A function's name may be an operator: Scala's def \ and def ++,
	// Swift's static func ==.
	cFunc  = regexp.MustCompile(`^\s*` + cMods + swiftClass + `(?:fun|func|def|function)\s+(?:<[^>]*>\s*)?(?:[\w.]+(?:<[^>]*>)?\??\.)?&?(?P<name>` + ident + `|[!#%&*+\-/:<=>?@\\^|~]+(?:\s|\(|\[|$))`)
	cAlias = regexp.MustCompile(`^\s*` + cMods + `type\s+(?P<name>` + ident + `)\s*(?:\[[^=]*\]\s*)?(?:=|<:|>:|$)`) // Scala
	cVal   = regexp.MustCompile(`^\s*` + cMods + swiftClass + `(?:val|var|let)\s+(?P<name>` + ident + `)`)
	// A C function's type may be a macro's call that makes it,
	// API_EXPORT(int) or YAML_DECLARE(int), alone or before a type.
	cTyped = regexp.MustCompile(`^\s*` + cMods + `(?:<[^>]*>\s*)?(?P<type>` + cMacroCall + `(?:\s*` + ident + `)?|` + ident + `(?:[\w.:<>\[\],?*& ]*?[\w>\]*&?])?)\s+[*&]*` + cppOwner + `(?P<name>~?` + ident + `)\s*(?:<[^()]*>\s*)?\(`)
	// A Java or C# constant: a static final, const or static readonly
	// field (DEFAULT_MAX_TOTAL, MaxSize), its type before its name.
	javaConst = regexp.MustCompile(`^\s*(?:(?:public|private|protected|internal|new)\s+)*(?:static\s+final|final\s+static|const|static\s+readonly|readonly\s+static)\s+(?:(?:public|private|protected|internal|transient|volatile)\s+)*[\w.]+(?:<[^=;()]*>)?(?:\[\])*\??\s+(?P<name>` + ident + `)\s*(?:=|;)`)
	cCtor     = regexp.MustCompile(`^\s*` + cMods + `(?P<name>` + ident + `)\s*\(`)
	cppMethod = regexp.MustCompile(`^\s*(?:` + ident + `(?:<[^()]*?>)?::)*(?P<owner>` + ident + `)(?:<[^()]*?>)?::(?P<name>~?` + ident + `)\s*\(`)
	// A C or C++ type is declared, not used, when its name ends the line
	// or comes before its body, a base or a forward declaration's ';'; an
	// export macro (SPDLOG_API) may stand before the name.
	cStruct = regexp.MustCompile(`^\s*` + cMods + `(?P<kw>class|struct|union|enum|namespace)\s+(?:\[\[[^\]]*\]\]\s*)?(?:[A-Z][A-Z0-9]*_[A-Z0-9_]*\s+)?(?P<name>` + ident + `(?:::` + ident + `)*)\s*(?:final\b|[{:;<]|//|/\*|$)`)
	// A typedef without a body names a type: typedef struct XML_cp
	// XML_Content; typedef unsigned char XML_Bool; and the pointer to a
	// function, typedef void (*XML_Handler)(…).
	cTypedefAlias = regexp.MustCompile(`^\s*(?P<kw>typedef)\s+[^;{}()]*?\b(?P<name>` + ident + `)\s*(?:\[[^\]]*\]\s*)?;`)
	cTypedefFunc  = regexp.MustCompile(`^\s*(?P<kw>typedef)\s+[^;{}]*?\(\s*[A-Z_]*\s*\*\s*(?P<name>` + ident + `)\s*\)\s*\(`)
	// C++'s extern "C" { … }, which C headers wrap themselves in: its
	// body holds declarations, as the top level does.
	cExternC = regexp.MustCompile(`^\s*(?P<kw>extern)\s+"C(?:\+\+)?"\s*(?:\{\s*)?$`)
	// A function whose name a macro makes, PREFIX(contentTok)(…): the
	// name in the macro's parentheses, then the parameters.
	cWrappedName = regexp.MustCompile(`^\(\s*(` + ident + `)\s*\)\s*\(`)
	cTypedef     = regexp.MustCompile(`^\s*typedef\s+(?P<kw>struct|union|enum)\b(?:\s+(?P<name>` + ident + `))?\s*(?:\{.*)?\s*$`)
	// The line of a GNU-style function's name, its type on the line above.
	cNameLine = regexp.MustCompile(`^` + cppOwner + `(?P<name>~?` + ident + `)\s*\(`)
	cTypeLine = regexp.MustCompile(`^(?:(?:` + cMacroCall + `|` + ident + `)[\s*&]*)+$`)
	// A C preprocessor macro's definition, #define NAME or NAME(…).
	cDefine = regexp.MustCompile(`^\s*#\s*define\s+(` + ident + `)`)
	// A C or C++ variable defined with a value where declarations stand:
	// its type, its name (group 1), array bounds, then = (OnigSyntaxType
	// OnigSyntaxPython = {, static const char *names[] = {).
	cGlobal = regexp.MustCompile(`^(?:(?:static|const|volatile|unsigned|signed|struct|enum|union|constexpr|inline|thread_local)\s+)*` +
		ident + `(?:::` + ident + `)*(?:<[^=;()]*>)?(?:\s*\*+\s*|\s+)(?:const\s+)?\*?\s*(` + ident + `)\s*(?:\[[^\]]*\]\s*)*=[^=]`)
	// An enum constant with a body of its own (Java).
	enumConst = regexp.MustCompile(`^\s*(?P<name>` + ident + `)\s*(?:\(.*\))?\s*\{\s*$`)
	modifier  = regexp.MustCompile(`^` + cMods + `$`) // static in static { ... }
	// Annotations and attributes before a declaration on its line.
	annotations = regexp.MustCompile(`^\s*(?:@` + ident + `(?:\.` + ident + `)*(?:\([^()]*\))?\s+|#?\[[^\[\]]*\]\s*)+`)
	typedefName = regexp.MustCompile(`^[\s*]*(?:[A-Z][A-Z0-9_]*\s+)?(` + ident + `)\s*[;,\[]`) // } FAR deflate_state;

	jsFunc  = regexp.MustCompile(`^\s*(?:export\s+(?:default\s+)?)?(?:declare\s+)?(?:async\s+)?function\b\s*\*?\s*(?P<name>[A-Za-z_$][\w$]*)`)
	jsType  = regexp.MustCompile(`^\s*(?:export\s+(?:default\s+)?)?(?:declare\s+)?(?:abstract\s+)?(?:const\s+)?(?P<kw>class|interface|enum|namespace|module)\s+(?P<name>[A-Za-z_$][\w$]*)`)
	jsAlias = regexp.MustCompile(`^\s*(?:export\s+)?(?:declare\s+)?type\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?:<.*>)?\s*=`)
	// What follows the = of a binding that imports a module: require(…),
	// import(…), await import(…).
	jsImport = regexp.MustCompile(`^\s*(?:await\s+)?(?:require|import)\s*\(`)
	// A named class or function exported by assignment, CommonJS's
	// module.exports = class FixedQueue { … }, exports.Queue = class
	// Queue, module.exports = function createApplication (…) (a function
	// assigned to exports.name is jsAssigned's, named name): a class's
	// body is a class's.
	jsExported = regexp.MustCompile(`^\s*(?:module\.)?exports(?:(?:\.[A-Za-z_$][\w$]*)?\s*=\s*(?P<kw>class)\s+|\s*=\s*(?:async\s+)?function\b\s*\*?\s*)(?P<name>[A-Za-z_$][\w$]*)`)
	jsVar      = regexp.MustCompile(`^\s*(?:export\s+)?(?:declare\s+)?(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=`)
	jsMethod   = regexp.MustCompile(`^\s*(?:(?:public|private|protected|static|readonly|abstract|override|declare|async|get|set|accessor)\s+)*\*?\s*#?(?P<name>[A-Za-z_$][\w$]*)\s*\??\s*(?:` + jsTypeParams + `)?\s*\(`)
	// TypeScript's type parameters, nested up to three deep:
	// <TField extends DeepKeys<TFormData>>.
	jsTypeParams = `<(?:[^<>]|<(?:[^<>]|<[^<>]*>)*>)*>`
	// A method or static function assigned to a constructor, as before
	// classes: Foo.prototype.bar = function (…), Foo.bar = (…) => …; a
	// function assigned to exports.name.
	jsAssigned = regexp.MustCompile(`^(?:(?:module\.)?exports|(?P<owner>[A-Za-z_$][\w$]*)(?:\.prototype)?)\.(?P<name>[A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)`)
	// A prototype given as an object literal, Foo.prototype = { … }: a
	// body of methods, name: function (…), that adds to Foo.
	jsPrototype = regexp.MustCompile(`^(?P<name>[A-Za-z_$][\w$]*)\.(?P<kw>prototype)\s*=\s*\{`)
	jsProperty  = regexp.MustCompile(`^\s*(?P<name>[A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?function\b`)
	// A class field that holds a function: handler = (e) => …, load =
	// async function (…), or one whose parameters go on over the next
	// lines (commitLocation: Fn = async ({ … }) => …).
	jsField = regexp.MustCompile(`^\s*(?:(?:public|private|protected|static|readonly|override)\s+)*#?(?P<name>[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>|\(\s*\{\s*$)|async\s+\(\s*$|(?:async\s+)?` + jsTypeParams + `\s*\((?:[^)]*\)\s*(?::[^=]+)?=>|\s*$))`)

	rustItem  = regexp.MustCompile(`^\s*(?:pub(?:\([^)]*\))?\s+)?(?:(?:const|async|unsafe|default|extern(?:\s+"[^"]*")?)\s+)*(?P<kw>fn|struct|enum|union|trait|type|mod|const|static)\s+(?:mut\s+)?(?P<name>` + ident + `)`)
	rustImpl  = regexp.MustCompile(`^\s*(?:unsafe\s+)?(?P<kw>impl)\b(?:\s*<.*?>)?\s+(?:.*?\s+for\s+)?&?(?:` + ident + `::)*(?P<name>` + ident + `)`)
	rustMacro = regexp.MustCompile(`^\s*(?P<kw>macro_rules)!\s*(?P<name>` + ident + `)`)

	perlSub = regexp.MustCompile(`^\s*sub\s+(?:(?:` + ident + `::)*(?P<owner>` + ident + `)::)?(?P<name>` + ident + `)`)
	// A Perl package, declared as Appender.Screen for package
	// Log::Log4perl::Appender::Screen; (the subs after that statement are
	// Screen's) or for its block form, package …::Screen { … }.
	perlPackage = regexp.MustCompile(`^\s*(?P<kw>package)\s+(?:(?:` + ident + `::)*(?P<owner>` + ident + `)::)?(?P<name>` + ident + `)\s*[;{]`)

	zigFn   = regexp.MustCompile(`^\s*(?:pub\s+)?(?:(?:export|inline|noinline|extern(?:\s+"[^"]*")?)\s+)*fn\s+(?P<name>` + ident + `)`)
	zigType = regexp.MustCompile(`^\s*(?:pub\s+)?const\s+(?P<name>` + ident + `)\s*=\s*(?:(?:extern|packed)\s+)?(?P<kw>struct|enum|union)\b`)

	// R: a function assigned to a name, which may be quoted ("%||%",
	// `[.url`); a class of R6 or a reference class, whose methods are the
	// functions of its call's lists (parenClasses); S4's classes,
	// generics and methods, named by their first argument.
	rName   = `(?P<name>[A-Za-z.][\w.]*|"[^"\n]+"|` + "`[^`\n]+`" + `)`
	rFunc   = regexp.MustCompile(`^\s*` + rName + `\s*(?:<<?-|=)\s*function\s*\(`)
	rClass  = regexp.MustCompile(`^\s*(?P<name>[A-Za-z.][\w.]*)\s*(?:<<?-|=)\s*(?:R6::)?(?P<kw>R6Class|setRefClass)\s*\(`)
	rS4     = regexp.MustCompile(`^\s*(?:methods::)?set(?:Class|Generic|Method|RefClass|Validity)\s*\(\s*(?:(?:f|Class|name)\s*=\s*)?["'](?P<name>[^"'\n]+)["']`)
	rMember = regexp.MustCompile(`^\s*` + rName + `\s*=\s*function\s*\(`)

	objcMethod = regexp.MustCompile(`^\s*[-+]\s*\([^)]*\)\s*(?P<name>` + ident + `)`)
	// An Objective-C class's interface, implementation or protocol; its
	// methods stay at the top level (the block ends at @end).
	objcType = regexp.MustCompile(`^\s*(?P<kw>@implementation|@interface|@protocol)\s+(?P<name>` + ident + `)\b\s*(?:$|[:(<{]|//|/\*)`)

	// The opening of an if or else block, up to its brace: conditional
	// declarations (PHP's braceLang.transparent).
	conditionalBlock = regexp.MustCompile(`^\s*(?:\}\s*)?(?:if|elseif|else)\b`)
	// Kotlin's companion object, named or not, up to its brace: its
	// members are the class's (Kotlin's braceLang.memberBlock).
	companionObject = regexp.MustCompile(`^\s*(?:(?:public|private|protected|internal)\s+)?companion\s+object(?:\s+[A-Za-z_]\w*)?\s*(?::[^{]*)?$`)
	// A Rust macro called where items stand, up to its brace: the items
	// it is given (pin_project!, bitflags!, thread_local!) are declared
	// (Rust's braceLang.transparent). macro_rules! is a declaration.
	itemMacro = regexp.MustCompile(`^\s*(?:[a-z_]\w*::)*[a-z_]\w*!\s*$`)
	// A namespace without a name: PHP's global namespace in a file of
	// several, C++'s anonymous namespace (namespace { ... }).
	anonNamespace = regexp.MustCompile(`^\s*(?:inline\s+)?(?P<kw>namespace)\s*\{`)
	// A PHP heredoc or nowdoc's opening, <<<ID, <<<"ID" or <<<'ID', up to
	// its line's end; its identifier in group 1.
	heredoc = regexp.MustCompile(`^<<<[ \t]*["']?([A-Za-z_]\w*)["']?[ \t]*\r?\n`)
	// A shell heredoc's opening, <<ID, <<-ID, <<'ID', <<"ID" or <<\ID; its
	// identifier in one of the groups.
	shellHeredoc = regexp.MustCompile(`^<<-?[ \t]*(?:'([A-Za-z_]\w*)'|"([A-Za-z_]\w*)"|\\?([A-Za-z_]\w*))`)

	shFunction = regexp.MustCompile(`^\s*function\s+(?P<name>[\w.:-]+)`)
	shFunc     = regexp.MustCompile(`^\s*(?P<name>[A-Za-z_][\w.:-]*)\s*\(\)\s*(?:\{|$)`)
)

// mustContain holds, for declaration patterns that only match a line
// holding one of some literals, those literals: most lines declare
// nothing, and a few substring looks cost far less than a pattern that
// fails (the C family's, with their many modifiers, take microseconds a
// line; BENCHMARKS.md, "Chunking: patterns tried only where they can
// match").
var mustContain = map[*regexp.Regexp][]string{
	cTyped: {"("}, cCtor: {"("}, cppMethod: {"::"}, cFunc: {"fun", "def"}, cVal: {"val", "var", "let"},
	cType: {"@interface", "class", "interface", "enum", "record", "struct", "trait", "object", "protocol",
		"extension", "actor", "namespace", "union", "typealias"},
	cStruct:    {"class", "struct", "union", "enum", "namespace"},
	jsExported: {"exports"}, jsPrototype: {".prototype"}, anonNamespace: {"namespace"},
	cExternC: {"extern"}, cTypedef: {"typedef"}, cTypedefFunc: {"typedef"}, cTypedefAlias: {"typedef"}, cAlias: {"type"},
	rustImpl: {"impl"}, rustMacro: {"macro_rules"}, perlPackage: {"package"}, perlSub: {"sub"},
	zigType: {"const"}, zigFn: {"fn"}, rFunc: {"function"}, rClass: {"Class"}, rS4: {"set"},
	objcType: {"@"}, shFunction: {"function"},
}

// mayMatch reports whether line holds one of the literals that re needs
// to match (mustContain), or re needs none.
func mayMatch(re *regexp.Regexp, line string) bool {
	lits, ok := mustContain[re]
	if !ok {
		return true
	}
	for _, lit := range lits {
		if strings.Contains(line, lit) {
			return true
		}
	}
	return false
}

// assigning are the declaration patterns whose match holds an '=' (const
// x = …, Foo.prototype.bar = function): for the others, an '=' before
// the name makes the line an assignment or a call, not a declaration.
var assigning = map[*regexp.Regexp]bool{
	jsVar: true, jsField: true, jsAssigned: true, jsPrototype: true, jsAlias: true, jsExported: true, zigType: true,
	rFunc: true, rClass: true, rS4: true, cAlias: true, javaConst: true,
}

var (
	javascript = &braceLang{templates: true,
		top: []*regexp.Regexp{jsFunc, jsType, jsAlias, jsExported, jsVar, jsAssigned, jsPrototype}, member: []*regexp.Regexp{jsField, jsMethod, jsProperty},
		nested: []*regexp.Regexp{jsFunc, jsType}}
	rust = &braceLang{charLiterals: true, rawStrings: true, spanning: true, transparent: itemMacro,
		top: []*regexp.Regexp{rustImpl, rustMacro, rustItem}, preamble: []string{"#["}}
	php = &braceLang{hashComments: true, multiline: true, transparent: conditionalBlock,
		top: []*regexp.Regexp{cType, cFunc, anonNamespace}, preamble: []string{"#["}}
	javaLike = &braceLang{charLiterals: true, tripleQuotes: true, enumBodies: true, // Java, C#
		top: []*regexp.Regexp{cType, cFunc, cTyped}, member: []*regexp.Regexp{javaConst, cCtor}, preamble: []string{"["}}
	// Groovy and Dart: Java's declarations, but 'x' is a string
	// ('**/*.groovy'), not a character.
	groovyLike = &braceLang{tripleQuotes: true, enumBodies: true,
		top: javaLike.top, member: javaLike.member, preamble: javaLike.preamble}
	kotlinLike = &braceLang{charLiterals: true, tripleQuotes: true, memberBlock: companionObject, // Kotlin, Scala, Swift
		top: []*regexp.Regexp{cType, cFunc, cVal, cAlias}}
	zig   = &braceLang{charLiterals: true, top: []*regexp.Regexp{zigType, zigFn}}
	rLang = &braceLang{hashComments: true, parenClasses: true, top: []*regexp.Regexp{rFunc, rClass, rS4}, preamble: []string{"#"}}
	shell = &braceLang{hashComments: true, shell: true, top: []*regexp.Regexp{shFunction, shFunc}, preamble: []string{"#"}}
	perl  = &braceLang{hashComments: true, pod: true,
		top: []*regexp.Regexp{perlPackage, perlSub}, preamble: []string{"#"}}
	cLike = &braceLang{charLiterals: true, prototypes: true, macros: true, splitType: true,
		top: []*regexp.Regexp{cExternC, anonNamespace, cTypedef, cTypedefFunc, cTypedefAlias, cStruct, cppMethod, cTyped}, member: []*regexp.Regexp{cCtor}, preamble: []string{"template"}}
	// Objective-C: C's, and the methods of @implementation blocks, which
	// end at @end rather than a brace.
	objcLike = &braceLang{charLiterals: true, prototypes: true, macros: true, splitType: true,
		top: []*regexp.Regexp{objcType, objcMethod, cExternC, anonNamespace, cTypedef, cTypedefFunc, cTypedefAlias, cStruct, cppMethod, cTyped}, member: []*regexp.Regexp{cCtor}, preamble: []string{"template"}}
)

// braceLanguages are the languages, as Language names them, whose
// declarations Split finds by their braces.
var braceLanguages = map[string]*braceLang{
	"javascript": javascript, "typescript": javascript, "rust": rust, "php": php,
	"java": javaLike, "csharp": javaLike, "groovy": groovyLike, "dart": groovyLike,
	"kotlin": kotlinLike, "scala": kotlinLike, "swift": kotlinLike,
	"c": cLike, "cpp": cLike, "objective-c": objcLike, "objective-cpp": objcLike,
	"perl": perl, "zig": zig, "shell": shell, "r": rLang,
}

// braceKind is what a brace opens.
type braceKind uint8

const (
	block         braceKind = iota // code, data, or anything else
	classBody                      // the members of a type
	namespaceBody                  // declarations, as at the top level
	template                       // the ${ of a template literal
)

// openDecl is a declaration whose end is not found yet.
type openDecl struct {
	unit  int       // index in units
	line  int       // its declaring line
	depth int       // braces open around it
	body  braceKind // what its body's brace opens
	open  bool      // its body's brace is open
	proto bool      // without a body, it defines no name
	name  string    // the name that qualifies its members'
	kw    string    // its keyword
	// typedef: a C typedef of a struct, union or enum, whose name follows
	// its body; owner qualifies that name.
	typedef bool
	owner   string
}

// decl is what the line of a declaration says of it.
type decl struct {
	name    string // the name it declares, "" for none
	owner   string // the type a C++ member defined out of its class belongs to
	kw      string // its keyword, if any
	typedef bool   // a C typedef, named after its body
}

// braceDeclarations returns the declarations of C-like source found at
// the top level and in the bodies of types and namespaces, each with the
// comments and attributes directly above it, and their names. A member is
// named Owner.member, whether declared in its type's body or, in C++,
// out of it (void Owner<T>::member(...) names Owner.member); the methods
// in the bodies of a Java enum's constants are the enum's. A C typedef's
// name, after its body, is declared on the line of its closing brace.
func braceDeclarations(ls lines, lang *braceLang) ([]unit, []definedName) {
	lx := lexer{lang: lang}
	var units []unit
	var names []definedName
	var open []openDecl
	prototypes := map[int]bool{} // the declaring lines of functions and types without a body
	closeAt := func(od openDecl, end int) { units[od.unit].end = max(end, od.line+1) }
	// container is the declaration whose body holds the line: the
	// innermost open one, if its body is the innermost brace or holds
	// only member blocks (braceLang.memberBlock) around the line.
	container := func() *openDecl {
		n := len(open)
		if n == 0 || !open[n-1].open || open[n-1].depth >= len(lx.braces) {
			return nil
		}
		for _, b := range lx.braces[open[n-1].depth+1:] {
			if b != classBody {
				return nil
			}
		}
		return &open[n-1]
	}
	parenClass := "" // the R class whose call is open, if any
	pkg := ""        // the package a Perl package statement opened, owner of the top level after it
	var branches conditionals
	for i := range ls.count() {
		line := ls.text(i, i+1)
		if lang.pod && lx.skipsPOD(line) {
			continue
		}
		if lang.macros && lx.state == 0 && branches.skips(line, &lx) {
			continue
		}
		if parenClass != "" && lx.state == 0 && len(lx.braces) == 0 && lx.parens == 0 {
			parenClass = "" // its call closed
		}
		if parenClass != "" && lx.state == 0 && len(lx.braces) == 0 {
			if m := rMember.FindStringSubmatch(line); m != nil {
				names = appendName(names, i, parenClass, decl{name: strings.Trim(m[1], "\"`")})
			}
		}
		if lang.macros && lx.clean() {
			if m := cDefine.FindStringSubmatch(line); m != nil && !isIdent(strings.TrimSpace(line[len(m[0]):])) {
				// A name, not a unit: it cuts nothing. One that only
				// renames another (#define deflateInit2_ z_deflateInit2_,
				// #define local static) is an alias, and defines nothing.
				names = appendName(names, i, "", decl{name: m[1]})
			} else if strings.IndexByte(line, '=') > 0 && lx.inNamespaces() {
				if m := cGlobal.FindStringSubmatch(line); m != nil && !keywords[m[1]] {
					names = appendName(names, i, "", decl{name: m[1]}) // a name, not a unit: its braces are data
				}
			}
		}
		if lang.nested != nil && lx.clean() && !lx.inContainers() {
			if d, ok := lang.nestedDeclaration(line); ok {
				// A name, not a unit: a function's body is cut at its
				// statements, as before, and its inner functions named.
				names = appendName(names, i, "", d)
			}
		}
		if lx.clean() && len(lx.braces) <= maxNesting && lx.inContainers() {
			d, ok := lang.declaration(line, lx.inClass())
			typeLine := false // the declaration starts on the line above
			if !ok && lang.splitType && i > 0 {
				d, ok = splitDeclaration(ls.text(i-1, i), line)
				typeLine = ok
			}
			if c := container(); !ok && lang.enumBodies && c != nil && c.kw == "enum" {
				if m := enumConst.FindStringSubmatch(line); m != nil && !keywords[m[1]] && !modifier.MatchString(m[1]+" ") {
					d, ok = decl{name: m[1], kw: "enum constant"}, true
				}
			}
			if ok {
				first := i
				if typeLine {
					first = i - 1
				}
				start := preambleStart(ls, first, 0, lang.isPreamble)
				if len(open) > 0 {
					start = max(start, units[open[len(open)-1].unit].start+1)
				}
				// A declaration without a body ends where the next begins.
				for len(open) > 0 && !open[len(open)-1].open && open[len(open)-1].depth == len(lx.braces) {
					closeAt(open[len(open)-1], start)
					open = open[:len(open)-1]
				}
				owner := d.owner
				if c := container(); c != nil && c.body == classBody {
					owner = c.name
				} else if owner == "" && len(lx.braces) == 0 && d.kw != "package" {
					owner = pkg
				}
				if d.kw == "package" && len(lx.braces) == 0 && !strings.Contains(line, "{") {
					pkg = d.name // package Foo::Bar; not its block form
				}
				od := openDecl{unit: len(units), line: i, depth: len(lx.braces), body: containerKinds[d.kw],
					proto: lang.prototypes && d.kw != "namespace" && d.kw != "extern" && d.kw != "typedef", name: d.name, kw: d.kw, typedef: d.typedef, owner: owner}
				if d.kw == "enum constant" {
					od.body, od.name = classBody, owner // its methods are the enum's
				}
				open = append(open, od)
				units = append(units, unit{start, ls.count()})
				names = appendName(names, i, owner, d)
				if lang.parenClasses && (d.kw == "R6Class" || d.kw == "setRefClass") {
					parenClass = d.name
				}
			}
		}
		lx.scan(line, func(ev byte, at int) {
			d := len(lx.braces) // after the event
			switch ev {
			case '{':
				if n := len(open); n > 0 && !open[n-1].open && open[n-1].depth == d-1 && lx.parenAt[d-1] == 0 &&
					!(lang.templates && inTypeParameters(ls.text(open[n-1].line, i)+line[:at])) {
					open[n-1].open = true
					lx.braces[d-1] = open[n-1].body
				} else if d >= 2 && lx.braces[d-2] == namespaceBody && inMacro(open) {
					lx.braces[d-1] = namespaceBody // an arm of a macro, or impl $Name { … } in one
				} else if lang.memberBlock != nil && d >= 2 && lx.braces[d-2] == classBody && lang.memberBlock.MatchString(line[:at]) {
					lx.braces[d-1] = classBody // companion object { … }: the class's members
				} else if lang.transparent != nil && (d == 1 || lx.braces[d-2] == namespaceBody) && lang.transparent.MatchString(line[:at]) {
					lx.braces[d-1] = namespaceBody // if (!function_exists('f')) { function f() … }, pin_project! { … }
				}
			case '}':
				for n := len(open); n > 0 && (open[n-1].depth > d || open[n-1].depth == d && open[n-1].open); n = len(open) {
					od := open[n-1]
					if od.depth == d {
						closeAt(od, i+1)
						if m := typedefName.FindStringSubmatch(line[at+1:]); m != nil && od.typedef {
							names = appendName(names, i, od.owner, decl{name: m[1]}) // } name;
						}
					} else {
						closeAt(od, i) // its container closed: it ends before
					}
					open = open[:n-1]
				}
			case ';':
				if n := len(open); n > 0 && !open[n-1].open && open[n-1].depth == d && lx.parens == 0 &&
					!(open[n-1].proto && knrDeclaration(ls.text(open[n-1].line, i)+line[:at], open[n-1].name)) {
					closeAt(open[n-1], i+1)
					if open[n-1].proto {
						prototypes[open[n-1].line] = true
					}
					open = open[:n-1]
				}
			}
		})
	}
	names = slices.DeleteFunc(names, func(n definedName) bool { return prototypes[n.line] })
	return units, names
}

// knrDeclaration reports whether text, from a C function's declaring line
// to a ';', is an old-style (K&R) definition's head, whose ';' ends the
// declaration of a parameter below the parameter list, not a prototype:
//
//	int deflateInit2_(strm, level)
//	    z_streamp strm;
//
// Its parameter list names at least one parameter and nothing else, and
// declarations follow it.
func knrDeclaration(text, name string) bool {
	at := strings.Index(text, name+"(")
	if at < 0 {
		at = strings.Index(text, name+" (")
	}
	if at < 0 {
		return false
	}
	rest := text[at+len(name):]
	open := strings.IndexByte(rest, '(')
	end := strings.IndexByte(rest, ')')
	if end < open {
		return false
	}
	for p := range strings.SplitSeq(rest[open+1:end], ",") {
		if p = strings.TrimSpace(p); p == "" || p == "void" || !isIdent(p) {
			return false
		}
	}
	return strings.TrimSpace(rest[end+1:]) != ""
}

// inTypeParameters reports whether the end of text, a declaration's head
// up to a '{', lies inside its type parameters' angle brackets: a
// TypeScript class's defaults hold braces (class Manager<TUtils extends
// UtilsRecord = {}, …> {), which do not open its body. An arrow's > (=>)
// closes nothing.
func inTypeParameters(text string) bool {
	depth := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '<':
			depth++
		case '>':
			if i == 0 || text[i-1] != '=' {
				depth = max(depth-1, 0)
			}
		}
	}
	return depth > 0
}

// isIdent reports whether s is one identifier.
func isIdent(s string) bool {
	for i := range len(s) {
		if !isWordByte(s[i]) || i == 0 && s[i] >= '0' && s[i] <= '9' {
			return false
		}
	}
	return s != ""
}

// inMacro reports whether a Rust macro's body is open.
func inMacro(open []openDecl) bool {
	return slices.ContainsFunc(open, func(od openDecl) bool { return od.kw == "macro_rules" && od.open })
}

// appendName appends the name that the declaration d on line i defines,
// if any, qualified by owner.
func appendName(names []definedName, i int, owner string, d decl) []definedName {
	switch {
	case d.name == "" || d.kw == "impl" || d.kw == "extension" || d.kw == "prototype":
		// impl S, extension S and S.prototype = {…} add to S, declared elsewhere
		return names
	case owner != "":
		return append(names, definedName{i, owner + "." + d.name})
	default:
		return append(names, definedName{i, d.name})
	}
}

// declaration returns what a line says of the declaration it begins, if
// it begins one; the name of a namespace is "". Annotations and
// attributes before the declaration on its line are skipped.
func (lang *braceLang) declaration(line string, inClass bool) (decl, bool) {
	t := strings.TrimSpace(line)
	if t != "" && lang.annotated(t) {
		line = line[annotations.FindStringIndex(line)[1]:]
		t = strings.TrimSpace(line)
	}
	if t == "" || strings.ContainsRune("/*#[}", rune(t[0])) || t[0] == '@' && !typeDirective(t) {
		return decl{}, false
	}
	var d decl
	try := func(res []*regexp.Regexp) bool {
		for _, re := range res {
			if !mayMatch(re, line) {
				continue
			}
			m := re.FindStringSubmatchIndex(line)
			if m == nil {
				continue
			}
			group := func(g string) string {
				if i := re.SubexpIndex(g); i >= 0 && m[2*i] >= 0 {
					return line[m[2*i]:m[2*i+1]]
				}
				return ""
			}
			d = decl{name: lastPart(strings.TrimPrefix(group("name"), "~")), owner: group("owner"), kw: group("kw"), typedef: re == cTypedef}
			if name := group("name"); name != "" && !isWordByte(name[0]) && name[0] != '~' {
				d.name = strings.TrimRight(name, " \t([\r\n") // an operator: \ is no qualifier
			}
			if re == rFunc || re == rClass || re == rS4 {
				d.name = strings.Trim(group("name"), "\"`") // summary.fit is one name in R
			}
			typ, _, _ := strings.Cut(group("type"), " ")
			// A name after its keyword (sub, fn, fun, func, def, function)
			// may be one that elsewhere starts a statement: Perl's sub new,
			// Rust's fn new and fn lock, Swift's func lock.
			if re != perlSub && re != rustItem && re != cFunc && (keywords[d.name] || keywords[typ]) ||
				strings.Contains(line[:m[1]], "=") && !assigning[re] {
				continue
			}
			if i := re.SubexpIndex("name"); i >= 0 && m[2*i+1] >= 0 && isMacroName(d.name) {
				if w := cWrappedName.FindStringSubmatch(line[m[2*i+1]:]); w != nil {
					d.name = w[1] // PREFIX(contentTok)(…)
				}
			}
			if re == jsAssigned && d.owner == "module" && d.name == "exports" {
				continue // module.exports = function (…): an anonymous function, named by the file
			}
			if re == jsVar && jsImport.MatchString(line[m[1]:]) {
				continue // const buildConnector = require('./connect.js') names what another file defines
			}
			if d.kw == "class" && (d.name == "func" || d.name == "var") {
				continue // Swift's class func and class var: a member (swiftClass), not a class
			}
			if re == cCtor && strings.ToUpper(d.name) == d.name {
				continue // a macro, not a constructor
			}
			if re == javaConst && d.name == "serialVersionUID" {
				continue // in every serializable class: it names nothing a reader looks for
			}
			if re == rustImpl && strings.Contains(line, " for $") {
				continue // impl Debug for $Name in a macro: for a type it does not name
			}
			if re == cTypedefAlias && tagged(line, d.name) {
				continue // typedef struct jq_state jq_state; declares what the struct's body defines
			}
			return true
		}
		return false
	}
	if try(lang.top) || inClass && try(lang.member) {
		if d.kw == "namespace" {
			d.name = "" // opened in many files, defined by none
		}
		return d, true
	}
	return decl{}, false
}

// nestedDeclaration reads line, inside a block that is no container (a
// function's body), for a declaration of lang.nested.
func (lang *braceLang) nestedDeclaration(line string) (decl, bool) {
	for _, re := range lang.nested {
		if m := re.FindStringSubmatch(line); m != nil {
			if name := m[re.SubexpIndex("name")]; !keywords[name] {
				return decl{name: name}, true
			}
		}
	}
	return decl{}, false
}

// typeDirective reports whether a trimmed line starts with a directive
// that declares a type: Java's @interface, Objective-C's @interface,
// @implementation and @protocol.
func typeDirective(t string) bool {
	return strings.HasPrefix(t, "@interface") || strings.HasPrefix(t, "@implementation") || strings.HasPrefix(t, "@protocol")
}

// annotated reports whether a trimmed line that is not blank starts with
// an annotation or attribute of the language, which annotations matches.
func (lang *braceLang) annotated(t string) bool {
	switch {
	case t[0] == '@':
		return !lang.pod && !typeDirective(t) && annotations.MatchString(t)
	case t[0] == '[' || strings.HasPrefix(t, "#["):
		return slices.ContainsFunc(lang.preamble, func(p string) bool { return strings.HasPrefix(t, p) && strings.HasSuffix(p, "[") }) &&
			annotations.MatchString(t)
	}
	return false
}

// splitDeclaration returns the function that the line of its name, at
// column 0, and the line above, its return type alone at column 0,
// declare in GNU style:
//
//	static int
//	jq_set_colors(const char *c)
func splitDeclaration(above, line string) (decl, bool) {
	m := cNameLine.FindStringSubmatch(line)
	if m == nil || !cTypeLine.MatchString(above) {
		return decl{}, false
	}
	first, _, _ := strings.Cut(strings.TrimRight(above, " \t\r\n*&"), " ")
	name := strings.TrimPrefix(m[cNameLine.SubexpIndex("name")], "~")
	if isMacroName(name) {
		if w := cWrappedName.FindStringSubmatch(line[len(m[0])-1:]); w != nil {
			name = w[1] // PREFIX(contentTok)(…) under its type
		}
	}
	if keywords[first] || keywords[name] || strings.ToUpper(name) == name {
		return decl{}, false
	}
	return decl{name: name, owner: m[cNameLine.SubexpIndex("owner")]}, true
}

// isPreamble reports whether a trimmed line is a comment or attribute
// that belongs to the declaration below it.
func (lang *braceLang) isPreamble(t string) bool {
	for _, p := range append([]string{"//", "/*", "*", "@"}, lang.preamble...) {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// lexer follows the braces of C-like source line by line, skipping
// comments, strings and character literals well enough.
type lexer struct {
	lang    *braceLang
	braces  []braceKind // the braces open, outermost first
	parens  int         // ( and [ open within the innermost brace
	state   byte        // 0 in code, '*' in a block comment, else the quote of the string it is in
	triple  bool        // the string is """-quoted
	rawEnd  string      // the end of the raw string it is in
	heredoc bool        // the raw string is a heredoc, whose end starts a line
	parenAt []int       // parens open around each open brace
	pod     bool        // in Perl's documentation, or after __END__
	ended   bool        // after __END__ or __DATA__
}

// skipsPOD reports whether a line of Perl is documentation (POD, from a
// line starting =word to =cut) or follows __END__, and so not code.
func (lx *lexer) skipsPOD(line string) bool {
	switch {
	case lx.ended:
	case lx.pod:
		lx.pod = !strings.HasPrefix(line, "=cut")
	case lx.state != 0:
		return false
	case len(line) > 1 && line[0] == '=' && ('a' <= line[1] && line[1] <= 'z' || 'A' <= line[1] && line[1] <= 'Z'):
		lx.pod = true
	case strings.HasPrefix(line, "__END__") || strings.HasPrefix(line, "__DATA__"):
		lx.ended = true
	default:
		return false
	}
	return true
}

// clean reports whether the next line starts in code, outside brackets.
func (lx *lexer) clean() bool { return lx.state == 0 && lx.parens == 0 }

// inContainers reports whether every open brace is a type's or
// namespace's body.
func (lx *lexer) inContainers() bool {
	for _, b := range lx.braces {
		if b != classBody && b != namespaceBody {
			return false
		}
	}
	return true
}

// conditionals follows a C file's preprocessor conditionals so that
// braces stay in step: in a block, only the first branch of each is read,
// since #ifdef X … if (a) { #else … if (b) { #endif opens one brace, not
// two; where declarations stand, every branch is read (each declares a
// variant of the same functions, balanced: zlib's #ifdef ASMINF … #else
// the whole file #endif). An #if 0 branch is never read.
type conditionals []struct{ skip, taken, inBlock bool }

// preprocessorIf matches a conditional directive from its #; its keyword
// in group 1 and, for #if, its condition in group 2.
var preprocessorIf = regexp.MustCompile(`^#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)`)

// skips reports whether line, the next line of code, lies in a branch
// that is not read, lx being where the lexer stands before it. A
// directive line itself is read (it holds no braces).
func (c *conditionals) skips(line string, lx *lexer) bool {
	if t := strings.TrimLeft(line, " \t"); t != "" && t[0] == '#' {
		if m := preprocessorIf.FindStringSubmatch(t); m != nil {
			c.directive(m[1], m[2], !lx.inNamespaces())
			return false
		}
	}
	for _, b := range *c {
		if b.skip {
			return true
		}
	}
	return false
}

// directive follows one conditional directive, its keyword and the rest
// of its line; inBlock is whether a block (not a namespace) is open.
func (c *conditionals) directive(keyword, rest string, inBlock bool) {
	switch n := len(*c); keyword {
	case "if", "ifdef", "ifndef":
		never := keyword == "if" && strings.Trim(strings.TrimSpace(rest), "()") == "0"
		*c = append(*c, struct{ skip, taken, inBlock bool }{skip: never, taken: !never, inBlock: inBlock})
	case "elif", "else":
		if n > 0 {
			top := &(*c)[n-1]
			top.skip, top.taken = top.taken && top.inBlock, true
		}
	case "endif":
		if n > 0 {
			*c = (*c)[:n-1]
		}
	}
}

// inNamespaces reports whether every open brace is a namespace's body:
// the line is where a C or C++ file's top-level declarations stand.
func (lx *lexer) inNamespaces() bool {
	for _, b := range lx.braces {
		if b != namespaceBody {
			return false
		}
	}
	return true
}

// inClass reports whether the innermost open brace is a type's body.
func (lx *lexer) inClass() bool {
	return len(lx.braces) > 0 && lx.braces[len(lx.braces)-1] == classBody
}

// scan lexes one line, calling event after each '{' and '}', and each
// ';', in code, with its offset in the line.
func (lx *lexer) scan(line string, event func(ev byte, at int)) {
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch lx.state {
		case 0:
		case '*':
			if strings.HasPrefix(line[i:], "*/") {
				lx.state, i = 0, i+1
			}
			continue
		case 'r':
			if lx.heredoc {
				// A heredoc ends at a line that starts with its identifier,
				// after any indentation.
				if t := strings.TrimLeft(line, " \t"); strings.HasPrefix(t, lx.rawEnd) && !(len(t) > len(lx.rawEnd) && isWordByte(t[len(lx.rawEnd)])) {
					lx.state, lx.heredoc, i = 0, false, len(line)-len(t)+len(lx.rawEnd)-1
					continue
				}
				return
			}
			if strings.HasPrefix(line[i:], lx.rawEnd) {
				lx.state, i = 0, i+len(lx.rawEnd)-1
			}
			continue
		default:
			switch {
			case c == '\\':
				i++
			case c == '$' && lx.state == '`' && strings.HasPrefix(line[i:], "${"):
				lx.braces, lx.parenAt = append(lx.braces, template), append(lx.parenAt, lx.parens)
				lx.state, lx.parens, i = 0, 0, i+1
			case c == lx.state && lx.triple:
				if strings.HasPrefix(line[i:], `"""`) {
					lx.state, i = 0, i+2
				}
			case c == lx.state:
				lx.state = 0
			case c == '\n' && lx.state != '`' && !lx.triple && !lx.lang.multiline && !(lx.lang.spanning && lx.state == '"'):
				lx.state = 0 // an unterminated string ends with its line
			}
			continue
		}
		if lx.lang.pod {
			if end, ok := perlLiteral(line, i); ok {
				if end < 0 {
					return // a pattern that runs past its line: the rest is pattern
				}
				i = end - 1
				continue
			}
		}
		switch c {
		case '/':
			if lx.lang.templates {
				if end := jsRegexEnd(line, i); end > 0 {
					i = end - 1 // a regular expression: /'/g, /\/*$/
					continue
				}
			}
			if strings.HasPrefix(line[i:], "//") {
				return
			}
			if strings.HasPrefix(line[i:], "/*") {
				lx.state, i = '*', i+1
			}
		case '#':
			if lx.lang.pod && i > 0 && line[i-1] == '$' {
				break // Perl's $#array, the last index
			}
			if lx.lang.shell && i > 0 && !strings.ContainsRune(" \t;&|()<>", rune(line[i-1])) {
				break // $#, ${#name}, a#b: no word starts here
			}
			if lx.lang.hashComments {
				return
			}
		case '<':
			if lx.lang.shell && lx.parens < 2 { // not $(( a << b ))
				if m := shellHeredoc.FindStringSubmatch(line[i:]); m != nil {
					lx.state, lx.rawEnd, lx.heredoc = 'r', m[1]+m[2]+m[3], true
					return // the heredoc starts on the next line
				}
			}
			if lx.lang.multiline && strings.HasPrefix(line[i:], "<<<") {
				if m := heredoc.FindStringSubmatch(line[i:]); m != nil {
					lx.state, lx.rawEnd, lx.heredoc, i = 'r', m[1], true, i+len(m[0])-1
				}
			}
		case '"':
			lx.state, lx.triple = '"', lx.lang.tripleQuotes && strings.HasPrefix(line[i:], `"""`)
			if lx.triple {
				i += 2
			}
		case '`':
			if lx.lang.templates {
				lx.state, lx.triple = '`', false
			} else if j := strings.IndexByte(line[i+1:], '`'); j >= 0 {
				i += j + 1 // a quoted name (R's `[.url`, Kotlin's `test name`) or Perl's command
			}
		case '\'':
			if !lx.lang.charLiterals {
				lx.state, lx.triple = '\'', false
			} else if n := charLiteralLen(line[i:]); n > 0 {
				i += n - 1
			}
		case 'r':
			if lx.lang.rawStrings && (i == 0 || line[i-1] == 'b' || !isWordByte(line[i-1])) {
				j := i + 1
				for j < len(line) && line[j] == '#' {
					j++
				}
				if j < len(line) && line[j] == '"' {
					lx.state, lx.rawEnd, i = 'r', `"`+line[i+1:j], j
				}
			}
		case '(', '[':
			lx.parens++
		case ')', ']':
			lx.parens = max(lx.parens-1, 0)
		case '{':
			lx.braces, lx.parenAt = append(lx.braces, block), append(lx.parenAt, lx.parens)
			lx.parens = 0
			event('{', i)
		case '}':
			if n := len(lx.braces); n > 0 {
				kind := lx.braces[n-1]
				lx.braces, lx.parens, lx.parenAt = lx.braces[:n-1], lx.parenAt[n-1], lx.parenAt[:n-1]
				if kind == template {
					lx.state = '`'
					continue
				}
			}
			event('}', i)
		case ';':
			event(';', i)
		}
	}
}

// charLiteralLen returns the length of the character literal that s
// begins with, or 0 if its quote begins none (a Rust lifetime, say).
func charLiteralLen(s string) int {
	if strings.HasPrefix(s, `'\`) {
		if len(s) < 4 {
			return 0 // '\ at the end of the text
		}
		if j := strings.IndexByte(s[3:], '\''); j >= 0 && j < 10 {
			return j + 4
		}
		return 0
	}
	_, size := utf8.DecodeRuneInString(s[1:])
	if len(s) > 1+size && s[1+size] == '\'' {
		return size + 2
	}
	return 0
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// lastPart returns the last part of a qualified name such as A.B, A\B or
// A::B.
func lastPart(name string) string {
	if i := strings.LastIndexAny(name, ".\\:"); i >= 0 {
		return name[i+1:]
	}
	return name
}

// perlLiteral reports whether a Perl pattern or quote-like literal starts
// at line[i], whose braces, quotes and # are not code: a match /…/ where
// an operand is expected (after =~, (, a comma, split, return…), or m, s,
// tr, y, q, qq, qw or qr with their delimiters, paired ({…}, s{…}{…}) or
// not (s/…/…/). end is the index after it and its flags, or -1 when it
// does not end on the line.
func perlLiteral(line string, i int) (end int, ok bool) {
	c := line[i]
	parts := 1
	k := i
	switch {
	case c == '/':
		if !operandExpected(line, i, perlPatternAfter) {
			return 0, false
		}
	case 'a' <= c && c <= 'z':
		if i > 0 && (isWordByte(line[i-1]) || strings.IndexByte("$@%&*>:", line[i-1]) >= 0) ||
			strings.HasSuffix(strings.TrimRight(line[:i], " \t"), "sub") {
			return 0, false // a variable, a method (->s), a package (Foo::q), a word's middle, sub s
		}
		j := i
		for j < len(line) && isWordByte(line[j]) {
			j++
		}
		switch line[i:j] {
		case "m", "q", "qq", "qw", "qr":
		case "s", "tr", "y":
			parts = 2
		default:
			return 0, false
		}
		k = j
		for k < len(line) && (line[k] == ' ' || line[k] == '\t') {
			k++
		}
		if k >= len(line) || isWordByte(line[k]) || strings.IndexByte(" \t\r\n=,;)}>", line[k]) >= 0 || line[k] == '#' && k > j {
			return 0, false // y => 1, (s, 1), q # comment
		}
	default:
		return 0, false
	}
	for p := 0; p < parts; p++ {
		if p > 0 && strings.IndexByte("{([<", line[k-1]) >= 0 {
			// s{…}{…}: the second part has delimiters of its own.
			for k < len(line) && (line[k] == ' ' || line[k] == '\t') {
				k++
			}
			if k >= len(line) {
				return -1, true
			}
		} else if p > 0 {
			k-- // s/a/b/: the delimiter that ends the first part opens the second
		}
		if k = perlDelimited(line, k); k < 0 {
			return -1, true
		}
	}
	for k < len(line) && 'a' <= line[k] && line[k] <= 'z' {
		k++ // flags
	}
	return k, true
}

// perlDelimited returns the index after the delimited text that
// line[k], its opening delimiter, starts, or -1 if it does not end on the
// line. Paired delimiters nest.
func perlDelimited(line string, k int) int {
	open := line[k]
	closer := open
	if j := strings.IndexByte("{([<", open); j >= 0 {
		closer = "})]>"[j]
	}
	depth := 1
	for k++; k < len(line); k++ {
		switch line[k] {
		case '\\':
			k++
		case closer:
			if depth--; depth == 0 {
				return k + 1
			}
		case open:
			depth++
		}
	}
	return -1
}

// operandExpected reports whether a / at line[i] begins a pattern
// rather than divides: it does at the start of a line, after an operator,
// an opening bracket or a comma, and after a word for which patternAfter
// is true (split and return in Perl, typeof and return in JavaScript),
// but not after a name, a number or a closing bracket. A word after a
// sigil or -> ($x, $self->width) is a name.
func operandExpected(line string, i int, patternAfter func(word string) bool) bool {
	p := i - 1
	for p >= 0 && (line[p] == ' ' || line[p] == '\t') {
		p--
	}
	if p < 0 {
		return true
	}
	if strings.IndexByte("(,=~!{;&|?:[+-*%<>^", line[p]) >= 0 {
		return true
	}
	if !isWordByte(line[p]) {
		return false
	}
	q := p
	for q >= 0 && isWordByte(line[q]) {
		q--
	}
	if q >= 0 && strings.IndexByte("$@%&>.", line[q]) >= 0 {
		return false // $x / 2, $self->width / 2, a.b / 2
	}
	return patternAfter(line[q+1 : p+1])
}

// perlPatternAfter reports whether a Perl word takes a pattern after it.
func perlPatternAfter(w string) bool {
	switch w {
	case "split", "grep", "map", "join", "return", "and", "or", "not", "if", "unless", "when", "while", "until", "push", "unshift":
		return true
	}
	return false
}

// jsPatternAfter reports whether a JavaScript keyword takes an operand,
// and so a regular expression, after it.
func jsPatternAfter(w string) bool {
	switch w {
	case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await":
		return true
	}
	return false
}

// maxRegexLen bounds the bytes jsRegexEnd reads for a pattern's end, so
// that a long line of divisions (minified code) costs linear time.
const maxRegexLen = 512

// jsRegexEnd returns the index after the regular expression literal that
// starts at line[i], a / where an operand is expected and which starts
// no comment, flags included; or -1 if it does not end on the line
// within maxRegexLen bytes. A / inside a class ([/*]) or escaped does not
// end it.
func jsRegexEnd(line string, i int) int {
	if i+1 >= len(line) || line[i+1] == '/' || line[i+1] == '*' || !operandExpected(line, i, jsPatternAfter) {
		return -1
	}
	class := false
	for k := i + 1; k < len(line) && k-i <= maxRegexLen; k++ {
		switch c := line[k]; {
		case c == '\\':
			k++
		case c == '\n':
			return -1
		case c == '[':
			class = true
		case c == ']':
			class = false
		case c == '/' && !class:
			k++
			for k < len(line) && isWordByte(line[k]) {
				k++ // flags
			}
			return k
		}
	}
	return -1
}

// isMacroName reports whether name is spelt as C macros are: capitals,
// digits and underscores, starting with a capital.
func isMacroName(name string) bool {
	if name == "" || name[0] < 'A' || name[0] > 'Z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// tagged reports whether line names name as a struct, union or enum tag
// (struct jq_state).
func tagged(line, name string) bool {
	f := strings.FieldsFunc(line, func(r rune) bool { return r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i := 1; i < len(f); i++ {
		if f[i] == name && (f[i-1] == "struct" || f[i-1] == "union" || f[i-1] == "enum") {
			return true
		}
	}
	return false
}
