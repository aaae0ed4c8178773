// Package chunk splits a document's text into chunks: windows of whole
// lines, each small enough to embed, which are the units that the engine
// indexes and that search returns with their line numbers.
//
// The ingest pipeline calls Split on every file and note, with the file's
// Language(path), and stores each chunk under ChunkID:
//
//	for _, c := range chunk.Split(text, chunk.Options{Language: chunk.Language(path)}) {
//		id := chunk.ChunkID(docID, c) // same file, position and text: same id
//		...
//	}
//
// Source code of the languages Split knows the syntax of (Go by its
// tokens, the declarations go/parser finds; C-like languages by their
// braces; Python and Ruby by their indentation) is cut at declarations:
// small consecutive declarations are packed together, a declaration that
// fits is never cut, and one that does not fit starts a chunk of its own
// and is cut further at inner seams. Each chunk lists the names it defines
// (Chunk.Defines). Other text is cut where prose and code have natural
// seams: before a top-level declaration-looking line or Markdown heading,
// or after a blank line. Where a window ends inside a declaration or other
// text, the next chunk repeats a few of its last lines, so that text near
// a seam is found with its context.
//
// Everything here is a pure function of its arguments and safe for
// concurrent use.
package chunk

import (
	"strconv"
	"strings"

	"workspace-qdrant-mcp/internal/digest"
)

// Default sizes, in bytes, used for zero Options fields.
const (
	DefaultMaxChars     = 1500
	DefaultOverlapChars = 200
)

// Options sizes the chunks. Sizes count bytes of UTF-8, which for ASCII
// text are characters.
type Options struct {
	// MaxChars bounds the size of a chunk; 0 or less means
	// DefaultMaxChars. A line longer than MaxChars is never cut: it forms
	// a chunk of its own.
	MaxChars int
	// OverlapChars bounds how much of the end of a chunk, in whole lines,
	// the next chunk repeats; 0 means DefaultOverlapChars and a negative
	// value means no overlap. It is capped at half of MaxChars.
	OverlapChars int
	// Language is the language of the text, as Language(path) names it.
	// For the languages whose syntax Split knows, chunks are cut at
	// declarations and list the names they define; any other value,
	// such as "" or "markdown", cuts by lines alone.
	Language string
}

// Version numbers the rules by which Split cuts text. It changes whenever
// the same text and options may give other chunks, so that an index built
// by older rules can tell it must be cut again. Version 3 records each
// chunk's Facts (MetaFacts); version 4 knows the declarations of
// Elixir, Erlang, Lua, Julia, Haskell, OCaml, Clojure and Perl; version
// 5 C's typedefs and GNU-style functions, C++ members defined outside
// their class, Java's enum constant bodies, Zig and shell functions;
// version 6 counts POD, Elixir's @doc and Erlang's % as comments in the
// Facts and marks generated files' chunks; version 7 Kotlin's extension
// functions on generic receivers (fun <E> ReceiveChannel<E>.consumeEach)
// and the methods of Clojure's deftype; R's functions and Objective-C's
// methods; version 8 reads each chunk's Facts with the whole file
// around it (FileFacts), so that the middle of a block comment, a
// docstring or a heredoc is prose; version 9 Scala's qualified access
// (private[this] def) and type aliases; version 10 R's R6 and reference
// classes with their methods, S4's set* declarations and quoted names,
// Scala's and Swift's operator methods, and backquoted names; version 11
// the facts of the code after an Elixir @doc heredoc and of Go raw
// strings holding /*; version 12 keeps with its declaration an
// annotation whose arguments run over several lines (Scala's
// @implicitNotFound(…), C#'s [Obsolete(…)]) and the comment above it,
// and a comment whose later lines do not start with * (OCaml's (* … *)
// over two lines); version 13 an Elixir def whose guard goes on below
// its head (def call(s)\n when is_pid(s) do) as the block it opens;
// version 14 Haskell equations whose patterns hold : (f (x:xs) = …);
// version 15 PHP strings over several lines, heredocs and the global
// namespace { … }, TypeScript methods with nested type parameters
// (create<O extends Opts<T>>(…)), and JavaScript functions assigned to
// a constructor, its prototype or exports (Foo.prototype.bar = function);
// version 16 the methods of a prototype given as an object literal
// (Foo.prototype = { bar: function … }); version 17 names Perl subs
// after their package (Util.load_class) and Erlang functions after their
// module (lager.md), and reads Perl's patterns and quote-like literals
// (split /'/, s{…}{…}, q{it's}) and $#array as no code; version 18
// reads Groovy's and Dart's 'x' as a string, finds C's declarations
// inside extern "C" { … }, names C's typedefs without a body
// (typedef struct XML_cp XML_Content;) and functions whose name a macro
// makes (PREFIX(contentTok)(…)); version 19 Perl's package statements
// as declarations (Appender.Screen); version 20 JavaScript's regular
// expressions (/'/g, /\/*$/), whose quotes and /* open nothing, and the
// facts of Perl's $#array; version 21 names a Perl package without a
// qualifier Foo, not Foo.Foo; with version 22 the indexer reads a file
// whose name names no language in the language of its #! line (Detect);
// version 23 names C's macros (#define READ_LINE(…)) and functions whose
// type a macro makes (YAML_DECLARE(int) above yaml_parser_scan(…),
// API_EXPORT(int) mupCreate(…)); version 24 reads shell's ${#name} and
// $# as no comment, and its heredocs (<<EOF … EOF) as text; version 25
// names Objective-C's classes and protocols (@implementation,
// @interface, @protocol), also in .h headers Detect reads as
// Objective-C; version 26 the functions a Rust macro_rules! expands to
// (impl $Name { pub fn from_bits_truncate(…) }); version 27 Ruby's
// constants (VERSION = "1.0", Point = Struct.new(…) do … end); version
// 28 Java's and C#'s constants (static final, const, static readonly);
// version 29 the declarations in C++'s anonymous namespaces (namespace {
// … }), and templates by the name they are filled in to (logging.h.in
// as C); version 30 PHP's functions declared in a top-level if or else
// (if (!function_exists('f')) { function f() … }), and C++'s .inl, .ipp,
// .tpp and .tcc files as C++; version 31 JavaScript's classes exported
// by assignment (module.exports = class FixedQueue { … }), and not its
// imports (const x = require('./x.js')) as definitions; version 32 its
// functions exported by assignment (module.exports = function
// createApplication (…)), and not module.exports itself; version 33
// Python's capitalised module constants and types (NumberOrString:
// TypeAlias = …, type Vector = …), and TypeScript's class fields holding
// a function whose parameters go on over the next lines; version 34
// records the declaration a chunk starts inside (Within); version 35
// counts no keyword that names a property (select?: …, match: …) in
// the Facts, and version 36 none that names a method (str.match(…));
// version 37 knows C's old-style definitions (int f(a, b) int a; … {),
// and no longer names a macro that only renames another (#define
// inflate_table z_inflate_table), and version 38 finds a typedef's name
// after a macro (} FAR deflate_state;); version 39 reads the declarations of a
// file that starts with a byte order mark (blankBOM); version 40 names
// Swift's class func and class var as members, not as classes; version
// 41 JavaScript's functions declared inside another function, Rust's
// fn new and fn lock (a name after fn, func or fun that elsewhere starts
// a statement), and Rust's strings that hold raw newlines; version 42
// the members of a TypeScript class whose type parameters hold braces
// (class Manager<TUtils extends UtilsRecord = {}> {); version 43 records
// in the Facts whether a chunk declares a contract (Facts.Contract), and
// version 44 names the items Rust gives a macro called where items stand
// (pin_project! { pub struct S … }), and version 45 a Kotlin companion
// object's members as its class's and classes declared inside a
// JavaScript function; version 46 names C's and C++'s variables defined
// with a value where declarations stand (OnigSyntaxType OnigSyntaxPython
// = {), and version 47 a TypeScript class's arrow-function fields with
// type parameters (setFieldValue = <TField extends …>(…) => {), and
// version 48 reads only the first branch of a C preprocessor conditional
// inside a block (#ifdef X … if (a) { #else … if (b) { #endif).
const Version = 48

// withDefaults returns o with its zero fields set to their defaults and
// its overlap capped.
func (o Options) withDefaults() Options {
	if o.MaxChars <= 0 {
		o.MaxChars = DefaultMaxChars
	}
	switch {
	case o.OverlapChars == 0:
		o.OverlapChars = DefaultOverlapChars
	case o.OverlapChars < 0:
		o.OverlapChars = 0
	}
	o.OverlapChars = min(o.OverlapChars, o.MaxChars/2)
	return o
}

// Chunk is one window of a document's lines.
type Chunk struct {
	Ordinal   int    // position among the document's chunks, from 0
	StartLine int    // first line, counted from 1
	EndLine   int    // last line, inclusive
	Text      string // lines StartLine to EndLine exactly as in the input, line endings included
	Hash      string // hex SHA-256 of Text
	// Defines names the declarations whose declaring line (the one with
	// the name) lies in the chunk: functions, methods, types, classes,
	// modules and the like, sorted and each once. Only names that the
	// chunk declares are listed, never names it merely uses; nil for text
	// whose syntax Split does not know. A member of a class, struct,
	// trait, impl or (Ruby) module is named Owner.member: a Go method
	// (*Server) ServeHTTP is "Server.ServeHTTP", a Python method
	// "Session.request", a Rust fn in impl S "S.new". impl and extension
	// blocks name nothing themselves: they add to a type declared
	// elsewhere.
	Defines []string
	// Within names the declaration that the chunk's first line that is
	// not blank lies inside, when that declaration's name is on an
	// earlier line: the function whose middle a long function's later
	// chunk holds, or the class whose later methods a chunk holds. It is named as in Defines (a
	// method "Session.request"), and "" at the top level or for text
	// whose syntax Split does not know. A chunk with neither Defines nor
	// Within holds top-level code or text.
	Within string
}

// Split cuts text into chunks of whole lines, in order.
//
// A line ends after "\n" (so "\r\n" line endings stay in Text); a final
// line without "\n" is a line too. Each chunk holds as many whole lines as
// fit in opts.MaxChars, except that a single longer line is a chunk by
// itself, never cut, so chunks are always valid UTF-8 if text is.
//
// When more text follows, the window is shortened to end at a seam. In
// text of a language whose syntax Split knows (see Options.Language), the
// seam is the last start or end of a declaration (its doc comment,
// decorators and attributes included) such that every declaration that
// starts in the chunk, after its first line, also ends in it; the next
// chunk starts there, with no overlap. So a declaration starts a chunk or
// lies wholly in one. When the window lies inside one declaration, or
// in other text, it is shortened to end before a top-level
// declaration-looking line, or failing that after a blank line (or, in
// code, after the end of a statement), if such a seam lies in its last
// 40%; the next chunk then starts with the last lines of this one, at most
// opts.OverlapChars of them, yet always ends with at least one line this
// one lacks.
//
// Empty text and text of only whitespace give no chunks, and neither does
// any window of only whitespace lines, so every line that is not blank is
// in at least one chunk.
func Split(text string, opts Options) []Chunk {
	opts = opts.withDefaults()
	ls := splitLines(text)
	structText, structLines := text, ls
	if blank, ok := blankBOM(text); ok {
		structText, structLines = blank, splitLines(blank)
	}
	st := parseStructure(structText, structLines, opts.Language)
	var chunks []Chunk
	prevEnd := 0
	for start := 0; start < ls.count(); {
		end := ls.windowEnd(start, opts.MaxChars)
		atDecl := false
		if end < ls.count() {
			if k := st.cut(start, end, prevEnd+1); k > 0 {
				end, atDecl = k, true
			} else {
				end = ls.seamEnd(start, end, prevEnd+1, st != nil)
			}
		}
		if body := ls.text(start, end); strings.TrimSpace(body) != "" {
			chunks = append(chunks, Chunk{
				Ordinal:   len(chunks),
				StartLine: start + 1,
				EndLine:   end,
				Text:      body,
				Hash:      digest.HexSHA256(body),
				Defines:   st.defines(start, end),
				Within:    st.within(ls, start, end),
			})
		}
		if end == ls.count() {
			break
		}
		prevEnd = end
		if atDecl {
			start = end
		} else {
			start = ls.overlapStart(start, end, opts)
		}
	}
	return chunks
}

// blankBOM returns text with its leading byte order mark, if it has one,
// replaced by as many spaces, so that the declaration patterns, which
// expect a line to start with a keyword or blanks, read its first line
// (a C# file saved by Visual Studio starts "\ufeffnamespace"); lines and
// offsets stay as they were.
func blankBOM(text string) (string, bool) {
	const bom = "\ufeff"
	if !strings.HasPrefix(text, bom) {
		return text, false
	}
	return strings.Repeat(" ", len(bom)) + text[len(bom):], true
}

// ChunkID returns the id under which the chunk c of the document docID is
// stored: the first 32 hex digits of the SHA-256 of docID, c.Ordinal and
// c.Hash, separated by NUL bytes. The same file, position and content
// always give the same id, so re-indexing an unchanged file rewrites
// nothing, while any change to the content or position gives a new id.
func ChunkID(docID string, c Chunk) string {
	return digest.HexSHA256(docID, "\x00", strconv.Itoa(c.Ordinal), "\x00", c.Hash)[:32]
}
