package chunk

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDefines checks the names each language's declarations give, and
// that names which are only called or used are never among them.
func TestDefines(t *testing.T) {
	tests := []struct {
		lang, text string
		want       []string
	}{
		{"javascript", "function Stack() {\n  this.frames = [];\n}\n\nStack.prototype.__proto__ = Array.prototype;\n\nStack.prototype.lookup = function(name){\n  if (name) { return 1; }\n};\n\nStack.create = (n) => new Stack(n);\n\nexports.render = async function(str, fn){\n  return fn(str);\n};\n\nmodule.exports.version = '1';\n\nStack.prototype = {\n  constructor: Stack,\n  peek: function() {\n    return this.frames[0];\n  },\n  size: 2\n};\n",
			[]string{"Stack", "Stack.create", "Stack.lookup", "Stack.peek", "render"}},
		{"perl", "sub helper { 1 }\n\npackage Log::Log4perl::Appender;\n\nsub log {\n    if (1) { 2 }\n}\n\nsub Other::Pkg::name { 3 }\n\npackage Log::Log4perl::Layout;\nsub render { 4 }\n",
			[]string{"Appender.log", "Layout.render", "Log4perl.Appender", "Log4perl.Layout", "Pkg.name", "helper"}},
		{"c", "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\ntypedef unsigned char XML_Bool;\ntypedef struct XML_cp XML_Content;\ntypedef struct XML_ParserStruct XML_ParserStruct;\ntypedef void (XMLCALL *XML_Handler)(void *data);\n\nstruct XML_cp {\n  int n;\n};\n\nstatic int PTRCALL\nPREFIX(contentTok)(const char *p) {\n  return 0;\n}\n\nstatic int PREFIX(scanLit)(int open) {\n  return open;\n}\n\n#ifdef __cplusplus\n}\n#endif\n",
			[]string{"XML_Bool", "XML_Content", "XML_Handler", "XML_cp", "contentTok", "scanLit"}},
		{"c", "#ifndef YAML_H\n#define YAML_H\n#define YAML_VERSION 2\n\n#define READ_LINE(parser,string) \\\n    (STRING_EXTEND(parser,string) ? \\\n     1 : 0)\n\nYAML_DECLARE(int)\nyaml_parser_scan(yaml_parser_t *parser);\n\nYAML_DECLARE(int)\nyaml_parser_scan(yaml_parser_t *parser)\n{\n  return READ_LINE(parser, s);\n}\n\nAPI_EXPORT(muParserHandle_t) mupCreate(int nBaseType)\n{\n  return 0;\n}\n\nstatic YAML_INLINE(int) yaml_check(int x) {\n  return x;\n}\n#endif\n",
			[]string{"READ_LINE", "YAML_H", "YAML_VERSION", "mupCreate", "yaml_check", "yaml_parser_scan"}},
		// Old-style (K&R) definitions, whose parameters are declared below
		// their list, define their names; prototypes do not, and a macro
		// that only renames another is an alias. A typedef's name may
		// follow a macro (} FAR deflate_state;).
		{"c", "#define deflateInit2_ z_deflateInit2_\n#define local static\n#define MAX_WBITS 15\n#define ZLIB_H\n\nint ZEXPORT deflateInit2_ OF((z_streamp strm, int level));\nint f(void);\nint g(a, b);\n\nint ZEXPORT deflateInit2_(strm, level,\n                  version)\n    z_streamp strm;\n    int  level;\n    const char *version;\n{\n    return 0;\n}\n\nlocal void fill_window(s)\n    deflate_state *s;\n{\n    s->x = 1;\n}\n\ntypedef struct internal_state {\n    int status;\n} FAR deflate_state;\n",
			[]string{"MAX_WBITS", "ZLIB_H", "deflateInit2_", "deflate_state", "fill_window", "internal_state"}},
		// In a block only the first branch of a preprocessor conditional
		// is read, so that two opening braces for one closing one keep
		// the file in step; where declarations stand every branch is
		// read; an #if 0 branch never is.
		{"c", "static int f(int x) {\n#ifdef EXTSTORE\n    if (x > 2) {\n#else\n    if (x > 1) {\n#endif\n        return 1;\n    }\n    return 0;\n}\n\n#if 0\nstatic void old(void) {\n#else\nstatic void drive_machine(void) {\n#endif\n}\n\n#ifdef ASMINF\n#  pragma message(\"asm\")\n#else\nvoid inflate_fast(void) {\n}\n#endif\n\nstatic void after(void) {\n}\n",
			[]string{"after", "drive_machine", "f", "inflate_fast"}},
		// A variable defined with a value where declarations stand is
		// named; one declared extern, or local to a function, is not.
		{"cpp", "/* Python 3.9 */\nOnigSyntaxType OnigSyntaxPython = {\n  1, 2\n};\n\nstatic const char *names[] = { \"a\" };\nextern int other;\nstd::vector<int> values = {1, 2};\n\nint f(void) {\n  int local = 3;\n  return local == 3;\n}\n\nnamespace ns {\nconst int kLimit = 10;\n}\n",
			[]string{"OnigSyntaxPython", "f", "kLimit", "names", "values"}},
		{"cpp", "namespace mu\n{\n\tclass API_EXPORT_CXX ParserBase\n\t{\n\tpublic:\n\t\tParserBase();\n\t};\n}\n\nParserBase::ParserBase()\n{\n}\n",
			[]string{"ParserBase", "ParserBase.ParserBase"}},
		{"cpp", "namespace {\n\n// Cleans.\nclass LogCleaner {\n public:\n  LogCleaner();\n  bool enabled() const { return enabled_; }\n};\n\n}  // namespace\n\nLogCleaner::LogCleaner() : enabled_(false) {\n}\n",
			[]string{"LogCleaner", "LogCleaner.LogCleaner", "LogCleaner.enabled"}},
		{"perl", "package Alpha;\nsub bar { 1 }\npackage Beta;\nsub qux { 2 }\n", []string{"Alpha", "Alpha.bar", "Beta", "Beta.qux"}},
		{"javascript", "'use strict'\n\nconst net = require('node:net')\nconst buildConnector = require('../core/connect.js')\nconst kSize = 2048\n\n/**\n * A queue.\n */\nmodule.exports = class FixedQueue {\n  constructor () {\n    this.head = 0\n  }\n\n  push (data) {\n    this.head = data\n  }\n}\n\nexports.Pool = class Pool {\n}\n\nmodule.exports.create = function createPool (opts) {\n  return opts\n}\n",
			[]string{"FixedQueue", "FixedQueue.constructor", "FixedQueue.push", "Pool", "create", "kSize"}},
		// A class's type parameters may hold braces, which open no body.
		{"typescript", "export class Manager<\n  TOutput extends object = Record<string, unknown>,\n  TUtils extends UtilsRecord = {},\n  TFn = () => void,\n> {\n  private id: string\n\n  public generateGlobalKey(key: any): string {\n    return key\n  }\n}\n",
			[]string{"Manager", "Manager.generateGlobalKey"}},
		// A function declared inside another (a factory's inner functions)
		// is named; a function expression is not.
		{"typescript", "export function buildInitiate(api: Api) {\n  function buildGetRunningQuery(name: string) {\n    if (name) {\n      async function* poll() {}\n    }\n    return name\n  }\n  const x = function inner() {}\n  return { buildGetRunningQuery }\n}\n",
			[]string{"buildGetRunningQuery", "buildInitiate", "poll"}},
		// So is a class or interface declared inside a function.
		{"typescript", "export function findEndOfInputAnchor(types: T[]) {\n  class EndAnchorFinder extends Visitor {\n    found = false\n  }\n  interface Entry {\n    n: number\n  }\n  return types\n}\n",
			[]string{"EndAnchorFinder", "Entry", "findEndOfInputAnchor"}},
		// A class's arrow-function fields with type parameters are its methods.
		{"typescript", "export class FormApi<TFormData> {\n  setFieldValue = <TField extends DeepKeys<TFormData>>(\n    field: TField,\n  ) => {\n    return field\n  }\n  getFieldValue = <TField>(field: TField): number => 1\n  count = 0\n}\n",
			[]string{"FormApi", "FormApi.getFieldValue", "FormApi.setFieldValue"}},
		// A companion object's members are its class's, named or not.
		{"kotlin", "data class Conf(\n  val a: Int,\n) {\n  companion object {\n    const val K = \"k\"\n\n    private fun helper(a: Int): Int {\n      return a\n    }\n  }\n}\n\nclass Named {\n  companion object Factory : Maker<Named> {\n    fun create(): Named = Named()\n  }\n}\n",
			[]string{"Conf", "Conf.K", "Conf.helper", "Named", "Named.create"}},
		{"javascript", "module.exports = function createApplication (options) {\n  return options\n}\n", []string{"createApplication"}},
		{"javascript", "module.exports = async function * (options) {\n  yield options\n}\n", nil},
		{"php", "<?php\nnamespace FastRoute;\n\nif (!function_exists('FastRoute\\simpleDispatcher')) {\n    function simpleDispatcher(callable $f, array $o = [])\n    {\n        if ($o) {\n            function inner() {}\n        }\n        return $f();\n    }\n} else {\n    function fallback() {}\n}\n",
			[]string{"fallback", "simpleDispatcher"}},
		{"zig", "const std = @import(\"std\");\n\n/// A list.\npub const List = struct {\n    items: []u8,\n\n    pub fn init() List {\n        return Foo(.{});\n    }\n};\n\nfn helper(c: u8) bool {\n    return c == '}';\n}\n\ntest \"helper\" {\n    Foo();\n}\n",
			[]string{"List", "List.init", "helper"}},
		{"shell", "#!/bin/sh\nset -e\n\n# Prints usage.\nusage() {\n    echo \"usage: $0 {start|stop}\"\n}\n\nfunction start_server {\n    Foo \"${PORT}\"\n}\n\nusage\n",
			[]string{"start_server", "usage"}},
		{"shell", "#!/usr/bin/env bash\ncapture() {\n  for ((i = 2; i != ${#FUNCNAME[@]}; ++i)); do\n    echo \"$# ${x}\"\n  done\n}\n\nusage() {\n  cat <<-EOF\n\tDon't use { here\n\tEOF\n  x=$(( 1 << 2 ))\n}\n\nshim() {\n  cat > \"$f\" <<'SH'\n#!/bin/sh\nexec \"$@\" }\nSH\n}\n\nlast() {\n  echo ok # a comment's }\n}\n",
			[]string{"capture", "last", "shim", "usage"}},
		{"rust", "#[macro_export]\nmacro_rules! __impl_flags {\n    (\n        $vis:vis struct $Name:ident: $T:ty { }\n    ) => {\n        impl $Name {\n            /// Drops unknown bits.\n            pub const fn from_bits_truncate(bits: $T) -> Self {\n                let x = { 1 };\n                Self { bits }\n            }\n        }\n        impl core::fmt::Debug for $Name {\n            fn fmt(&self) -> u8 { 0 }\n        }\n    };\n}\n\nfn after() {}\n",
			[]string{"__impl_flags", "after", "fmt", "from_bits_truncate"}},
		// Items given to a macro called where items stand are declared;
		// a macro called in a function's body declares nothing.
		{"rust", "pin_project! {\n    /// A sink.\n    pub struct CopyInSink<T> {\n        #[pin]\n        sender: Sender<T>,\n    }\n}\n\nbitflags::bitflags! {\n    pub struct Flags: u32 {\n        const A = 1;\n    }\n}\n\nfn main() {\n    quote! {\n        fn inner() {}\n    }\n}\n",
			[]string{"CopyInSink", "Flags", "Flags.A", "main"}},
		{"ruby", "module Rack\n  VERSION = [1, 3]\n  Point = Struct.new(:x, :y) do\n    def norm\n      x == y\n    end\n  end\n  class Builder\n    LIMIT = 5\n    def use(x)\n      @ok = x == LIMIT\n      DEFAULTS ||= {}\n    end\n  end\nend\n",
			[]string{"Builder.LIMIT", "Builder.use", "Point.norm", "Rack", "Rack.Builder", "Rack.Point", "Rack.VERSION"}},
		{"java", "public class Pool {\n    public static final int DEFAULT_MAX_TOTAL = 8;\n    private static final long serialVersionUID = 1L;\n    private static final Map<String, List<Integer>> CACHE = new HashMap<>();\n    public final int size;\n    static final String[] NAMES;\n    public Pool(int size) { this.size = size; }\n}\n",
			[]string{"Pool", "Pool.CACHE", "Pool.DEFAULT_MAX_TOTAL", "Pool.NAMES", "Pool.Pool"}},
		// A byte order mark before the first line (Visual Studio's) hides
		// nothing.
		{"csharp", "\ufeffnamespace RepetierHost.view\r\n{\r\n    partial class PrintPanel\r\n    {\r\n        private void InitializeComponent()\r\n        {\r\n        }\r\n    }\r\n}\r\n",
			[]string{"PrintPanel", "PrintPanel.InitializeComponent"}},
		{"csharp", "namespace A {\n    public class Tag {\n        public const int MaxSize = 64;\n        private static readonly string Name = \"x\";\n        public int Count { get; set; }\n        public void Render() { }\n    }\n}\n",
			[]string{"Tag", "Tag.MaxSize", "Tag.Name", "Tag.Render"}},
		{"swift", "import Foundation\n\n/// A session.\npublic final class Session {\n    public init(config: Config) {\n        Foo()\n    }\n    func request(_ url: URL) -> Request {\n        return Foo(url)\n    }\n}\n\nextension Session {\n    public func download(_ url: URL) {}\n}\n\nprotocol Adapter {\n    func adapt(_ r: Request) throws -> Request\n}\n\nstruct Point { var x: Int }\n",
			[]string{"Adapter", "Adapter.adapt", "Point", "Session", "Session.download", "Session.request"}},
		// A name after fn or func may be a word that elsewhere starts a
		// statement (new, lock); Rust's strings may hold raw newlines.
		{"rust", "impl<'r> SpinLatch<'r> {\n    #[inline]\n    pub(super) fn new(thread: &'r WorkerThread) -> SpinLatch<'r> {\n        let s = \"[\n  {\\\"a\\\": 1\n]\";\n        x(s)\n    }\n\n    fn lock(&self) {}\n}\n\nfn after() {}\n",
			[]string{"SpinLatch.lock", "SpinLatch.new", "after"}},
		{"swift", "class Store {\n    func lock() {\n        x()\n    }\n}\n", []string{"Store", "Store.lock"}},
		// Swift's class func and class var are a type's members, not classes.
		{"swift", "class Mappers {\n    class func mapNextAction(nextAction: X?) -> Y? {\n        return nil\n    }\n    public class func build(e: [Z]) throws -> (a: [E], b: [E]) {\n        return ([], [])\n    }\n    override class var shared: Int { 1 }\n}\n",
			[]string{"Mappers", "Mappers.build", "Mappers.mapNextAction", "Mappers.shared"}},
		{"c", "struct var {\n    struct var *next;\n    int flags;\n};\n\nstruct func {\n    int n;\n};\n", []string{"func", "var"}},
		{"scala", "package p\n\nobject Parsers {\n  type Input = String\n  type Rule[A] = Input => A\n  def parse(s: String): Int = {\n    Foo(s)\n  }\n  case class Token(v: String)\n}\n\ntrait Reader[T] {\n  def read(): T\n}\n\nclass Lexer(in: String) extends Reader[Int] {\n  override def read(): Int = Foo()\n  private[this] def skip(n: Int): Unit = {\n    Foo(n)\n  }\n  protected[p] lazy val size = Foo()\n  def \\\\(name: String): Lexer = Foo(name)\n  def ++ (that: Lexer) = Foo(that)\n}\n",
			[]string{"Lexer", "Lexer.++", `Lexer.\\`, "Lexer.read", "Lexer.size", "Lexer.skip", "Parsers", "Parsers.Input", "Parsers.Rule", "Parsers.Token", "Parsers.parse", "Reader", "Reader.read"}},
		{"dart", "import 'dart:io';\n\nclass Client {\n  final String base;\n  Client(this.base);\n  Future<Response> get(String path) async {\n    return Foo(path);\n  }\n  static Client create() => Client('x');\n}\n\nvoid main() {\n  Foo();\n}\n",
			[]string{"Client", "Client.Client", "Client.create", "Client.get", "main"}},
		{"r", "library(stats)\n\n# Fits.\nfit_model <- function(data, formula = y ~ x) {\n  if (nrow(data) == 0) stop(\"empty\")\n  Foo(data)\n}\n\nsummary.fit = function(object, ...) {\n  Foo(object)\n}\nx <- Foo(1)\n",
			[]string{"fit_model", "summary.fit"}},
		{"r", "#' A token.\nToken <- R6::R6Class(\"Token\", inherit = Base, list(\n  refresh = function(force = FALSE) {\n    self$cb <- function(y) Foo(y)\n  },\n  can_refresh = function() FALSE\n))\n\n\"%||%\" <- function(a, b) if (is.null(a)) b else a\n`[.url` <- function(x, i) Foo(x)\nsetGeneric(\"area\", function(shape) standardGeneric(\"area\"))\nsetClass(\"Circle\", representation(r = \"numeric\"))\nx <- Foo(list(y = function() 1))\n",
			[]string{"%||%", "Circle", "Token", "Token.can_refresh", "Token.refresh", "[.url", "area"}},
		{"objective-c", "#import <Foundation/Foundation.h>\n\n@implementation Session\n\n- (instancetype)initWithURL:(NSURL *)url {\n    return Foo(url);\n}\n\n+ (Session *)shared {\n    return Foo();\n}\n@end\n",
			[]string{"Session", "initWithURL", "shared"}},
		{"objective-c", "#import <Foundation/Foundation.h>\n\n@protocol CDVDelegate;\n\n/// A result.\n@interface CDVPluginResult : NSObject {}\n\n@property (nonatomic, readonly) int status;\n- (instancetype)initWithStatus:(int)status;\n+ (CDVPluginResult *)resultWithStatus:(int)status;\n\n@end\n\n@protocol CDVCommandDelegate <NSObject>\n- (void)sendPluginResult:(CDVPluginResult *)result;\n@end\n",
			[]string{"CDVCommandDelegate", "CDVPluginResult"}},
		{"ocaml", "open Printf\n\n(* Parses. *)\nlet rec parse s =\n  Foo s\n\nand parse_all l = List.map parse l\n\ntype token =\n  | Word of string\n\nmodule Lexer = struct\n  let x = 1\nend\n",
			[]string{"Lexer", "parse", "parse_all", "token"}},
		{"clojure", "(ns app.core\n  (:require [x]))\n\n;; Adds.\n(defn add\n  [a b]\n  (Foo a b))\n\n(defrecord Point [x y])\n(def ^:private limit 10)\n(deftype FixedBuffer [buf n]\n  impl/Buffer\n  (full? [this]\n    (let [x 1]\n      (Foo x)))\n  (remove! [this]\n    (Foo buf)))\n",
			[]string{"FixedBuffer", "FixedBuffer.full?", "FixedBuffer.remove!", "Point", "add", "limit"}},
		{"julia", "module Dates\n\n# Parses.\nfunction parse_date(s::String)\n    if isempty(s)\n        return Foo(s)\n    end\nend\n\nstruct Date\n    y::Int\nend\n\nabstract type Period end\nBase.show(io, d) = Foo(io)\nend\n",
			[]string{"Date", "Dates", "Period", "parse_date"}},
		{"go", "package p\n\n// T is.\ntype T struct{ f Foo }\n\nfunc (t *T) ServeHTTP() { Foo() }\n\nconst (\n\tA = 1\n\t_ = 2\n)\n\nvar x, y = Bar(), 2\n",
			[]string{"A", "T", "T.ServeHTTP", "x", "y"}},
		{"python", "import os\nMAX = 3\nx = Foo()\n\n@decorator\nclass A(Base):\n    def m(self):\n        Foo()\n\nasync def f():\n    s = '''\ndef g():\n'''\n",
			[]string{"A", "A.m", "MAX", "f"}},
		{"python", "NumberOrString: TypeAlias = \"float | str\"\nPoint = namedtuple(\"Point\", \"x y\")\ntype Vector[T] = list[T]\nlogger = logging.getLogger()\nif X == 1:\n    Y = 2\nX[0] = 3\nC.attr = 4\n", []string{"NumberOrString", "Point", "Vector"}},
		{"typescript", "export class RouterCore {\n  commitLocation: CommitLocationFn = async ({\n    viewTransition,\n    ...next\n  }) => {\n    return next\n  }\n\n  total = (\n    1 + 2\n  )\n\n  load = async (\n    opts: LoadOptions,\n  ) => {\n    return opts\n  }\n}\n", []string{"RouterCore", "RouterCore.commitLocation", "RouterCore.load"}},
		{"javascript", "const a = 1;\nFoo();\nfunction b() { Foo(); }\nclass C extends D {\n  m() {\n    if (x) {\n      Foo();\n    }\n  }\n}\nexport default function e() {}\nexport default class extends Base {\n}\n",
			[]string{"C", "C.m", "a", "b", "e"}},
		{"typescript", "export interface I {\n  f(): void;\n}\nexport type T = string | number;\nexport enum E { A }\nexport const g = async (x: number) => x;\ndeclare function h(): void;\nFoo(g);\n",
			[]string{"E", "I", "I.f", "T", "g", "h"}},
		{"rust", "pub struct S;\nimpl<T> Tr for S<T> {\n    fn m(&self) { Foo(); }\n}\nimpl S {\n    pub(crate) const fn n() {}\n}\nmacro_rules! mac { () => {} }\npub mod m2 {\n    pub fn inner() { let x = 'x'; }\n}\nenum E { A }\ntrait Q {\n    type Out;\n}\nfn main() { Foo(); }\n",
			[]string{"E", "Q", "Q.Out", "S", "S.m", "S.n", "inner", "m2", "mac", "main"}},
		{"ruby", "module M\n  class C < Base\n    def self.build\n      Foo()\n    end\n\n    def valid?\n      true\n    end\n\n    private def secret = 42\n\n    def name=(v)\n      @name = v\n    end\n  end\nend\nFoo.new\n",
			[]string{"C.build", "C.name", "C.secret", "C.valid?", "M", "M.C"}},
		{"php", "<?php\nnamespace App\\Models;\ninterface I {}\ntrait T {}\nclass C {\n    public static function make() { return Foo(); }\n}\nfunction f() { Foo(); }\nFoo();\n",
			[]string{"C", "C.make", "I", "T", "f"}},
		{"java", "class A {\n    @Override\n    public String toString() {\n        return Foo();\n    }\n    A(int x) { this.x = Foo(x); }\n    private final Map<String, Integer> m = new HashMap<>();\n    enum E { X }\n    record R(int y) {}\n}\ninterface B {\n    void run();\n}\n",
			[]string{"A", "A.E", "A.R", "A.toString", "B", "B.run"}},
		{"c", "#include <stdio.h>\nstatic int helper(int x);\nstruct point { int x; };\nint main(int argc, char **argv) {\n    return helper(Foo(argc));\n}\nMODULE_INIT(main);\n",
			[]string{"main", "point"}},
		{"c", "typedef enum {\n  K_A,\n  K_B\n} jv_kind;\n\ntypedef struct jv_refcnt jv_refcnt_t;\nstruct jv_refcnt;\n\ntypedef struct tag {\n  struct jv_refcnt* ptr;\n  int n;\n} jv;\n\nstruct jq_state {\n  void (*nomem_handler)(void *);\n  struct bytecode* bc;\n};\n\nstatic struct frame* frame_current(struct jq_state* jq) {\n  struct frame* fp = Foo(jq);\n  return fp;\n}\n\nstatic int\njq_set_colors(const char *c)\n{\n  return Foo(c);\n}\nMODULE_INIT(main);\n",
			[]string{"frame_current", "jq_set_colors", "jq_state", "jv", "jv_kind", "jv_refcnt_t", "tag"}},
		{"cpp", "namespace spdlog {\nclass SPDLOG_API logger\n{\npublic:\n    explicit logger(std::string name);\n    void log(int lvl) {\n        Foo(lvl);\n    }\n};\n\nSPDLOG_INLINE void logger::set_pattern(std::string pattern)\n{\n    Foo(pattern);\n}\n\ntemplate<typename Mutex>\nSPDLOG_INLINE void rotating_file_sink<Mutex>::sink_it_(const details::log_msg &msg)\n{\n    Foo(msg);\n}\n\ntemplate<typename Mutex>\nSPDLOG_INLINE rotating_file_sink<Mutex>::rotating_file_sink(\n    filename_t base_filename)\n    : base_filename_(std::move(base_filename))\n{\n}\n\nFMT_CONSTEXPR inline auto to_hex(const char *s) -> int { return Foo(s); }\n} // namespace spdlog\n",
			[]string{"logger", "logger.log", "logger.set_pattern", "rotating_file_sink.rotating_file_sink", "rotating_file_sink.sink_it_", "to_hex"}},
		{"java", "enum HtmlTreeBuilderState {\n    Initial {\n        boolean process(Token t, HtmlTreeBuilder tb) {\n            return Foo(t);\n        }\n    },\n    InBody {\n        boolean process(Token t, HtmlTreeBuilder tb) {\n            return Foo(t);\n        }\n\n        private boolean inBodyEndTagAdoption(Token t, HtmlTreeBuilder tb) {\n            return Foo(tb);\n        }\n    };\n\n    static {\n        Foo();\n    }\n\n    abstract boolean process(Token t, HtmlTreeBuilder tb);\n}\nclass Tokeniser {\n    @Nullable int[] consumeCharacterReference(Character c, boolean inAttribute) {\n        return Foo();\n    }\n    void emit(String str) {\n        Foo(str);\n    }\n    public static @Nullable Element selectFirst(String q) {\n        return Foo(q);\n    }\n}\n",
			[]string{"HtmlTreeBuilderState", "HtmlTreeBuilderState.InBody", "HtmlTreeBuilderState.Initial", "HtmlTreeBuilderState.inBodyEndTagAdoption", "HtmlTreeBuilderState.process", "Tokeniser", "Tokeniser.consumeCharacterReference", "Tokeniser.emit", "Tokeniser.selectFirst"}},
		{"cpp", "template<typename T>\nclass circular_q\n{\npublic:\n    T &front()\n    {\n        return Foo();\n    }\n};\n",
			[]string{"circular_q", "circular_q.front"}},
		{"csharp", "namespace N\n{\n    [Serializable] public class JsonConvert\n    {\n        public static T DeserializeObject<T>(string value)\n        {\n            return Foo<T>(value);\n        }\n\n        void IList<JToken>.Insert(int index, JToken item)\n        {\n            Foo(item);\n        }\n    }\n}\n",
			[]string{"JsonConvert", "JsonConvert.DeserializeObject", "JsonConvert.Insert"}},
		{"kotlin", "data class P(val x: Int)\nfun String.shout(): String = uppercase()\nobject O {\n    fun f() = Foo()\n}\npublic suspend inline fun <E> ReceiveChannel<E>.consumeEach(action: (E) -> Unit) {\n    Foo(action)\n}\nfun Job?.orNone(): Job = Foo()\n",
			[]string{"O", "O.f", "P", "consumeEach", "orNone", "shout"}},
		{"elixir", "defmodule Plug.Conn do\n  @moduledoc \"x\"\n  defstruct [:a]\n\n  # Sends.\n  def send_resp(conn, status, body) do\n    Foo(conn)\n  end\n\n  def halted?(conn), do: conn.halted\n\n  defp put(\n         conn,\n         key\n       ) do\n    Foo(key)\n  end\n\n  defmodule Adapter do\n    defmacro __using__(_), do: nil\n  end\nend\nFoo.bar()\n",
			[]string{"Adapter.__using__", "Conn", "Conn.Adapter", "Conn.halted?", "Conn.put", "Conn.send_resp"}},
		{"lua", "local M = {}\n\n-- Compares.\nfunction M.deepcompare(a, b)\n  if a then\n    return Foo(a)\n  end\nend\n\nlocal function helper() return 1 end\n\nfunction M:method()\nend\n\nM.other = function(x)\n  return x\nend\n\nFoo(M)\nreturn M\n",
			[]string{"M.deepcompare", "M.method", "M.other", "helper"}},
		{"haskell", "{-# LANGUAGE GADTs #-}\nmodule Options.Types\n  ( Parser\n  , runP\n  ) where\n\nimport Data.Maybe\n\n-- | A parser.\ndata Parser a\n  = NilP (Maybe a)\n  | OptP (Option a)\n\nnewtype ParserM r = ParserM\n  { runParserM :: Foo r }\n\ninstance Functor Parser where\n  fmap f (NilP x) = NilP (fmap f x)\n\n-- | Runs it.\nrunP :: Parser a -> Maybe a\nrunP (NilP x) = x\nrunP _ = Foo\n\nmapParser\n  :: (a -> b)\n  -> Parser a\nmapParser f = Foo f\n\n(<#>) :: Int -> Int -> Int\na <#> b = a\n",
			[]string{"<#>", "Parser", "ParserM", "mapParser", "runP"}},
		{"erlang", "-module(elixir_dispatch).\n-export([dispatch/3]).\n-record(state, {a, b}).\n-type kind() :: atom().\n\n%% Dispatches.\n-spec dispatch(atom(), list(), map()) -> term().\ndispatch(Meta, [], E) ->\n    Foo(Meta);\ndispatch(Meta, Args, E) ->\n    case Args of\n        [] -> ok\n    end.\n\nfind(Name) -> Foo(Name).\n",
			[]string{"elixir_dispatch.dispatch", "elixir_dispatch.find", "elixir_dispatch.kind", "elixir_dispatch.state"}},
		{"perl", "package Plack::Request;\nuse strict;\n\n# Makes one.\nsub new {\n    my($class, $env) = @_;\n    return Foo($env) if $env =~ /{/;\n}\n\n=head2 method\n\nIt's the method { of the request.\n\n=cut\n\nsub method { $_[0]->env->{REQUEST_METHOD} }\n\n1;\n__END__\n\nsub not_code {\n}\n",
			[]string{"Plack.Request", "Request.method", "Request.new"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			opts := Options{Language: tt.lang}
			chunks := Split(tt.text, opts)
			checkInvariants(t, tt.text, opts, chunks)
			var got []string
			for _, c := range chunks {
				got = append(got, c.Defines...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Defines = %q, want %q", got, tt.want)
			}
			if slices.Contains(got, "Foo") {
				t.Error("a name only called is listed as defined")
			}
		})
	}
}

// TestSplitSyntax checks where chunks of code are cut.
func TestSplitSyntax(t *testing.T) {
	fn := func(name string, n int) string { // a function of n+2 lines of 10 bytes each but the first
		return "func " + name + "() {\n" + strings.Repeat("\tx += 1;\n", n) + "}\n"
	}
	doc := "// f does.\n"
	tests := []struct {
		name, lang, text string
		want             []span
	}{
		{"small functions packed, none cut", "go", "package p\n\n" + fn("a", 3) + fn("b", 3) + doc + fn("c", 3),
			[]span{{1, 12}, {13, 18}}},
		{"a long function starts a chunk", "go", "package p\n\n" + fn("a", 1) + doc + fn("b", 14),
			[]span{{1, 5}, {6, 17}, {15, 22}}},
		{"not Go: cut by lines", "", "package p\n\n" + fn("a", 1) + doc + fn("b", 14),
			[]span{{1, 14}, {12, 22}}},
		{"unparsable Go: cut by lines", "go", "package p\n\n" + fn("a", 1) + doc + fn("b", 14) + "{",
			[]span{{1, 14}, {12, 23}}},
		{"decorators stay with their def", "python", "x = 1\n" + strings.Repeat("y = 2\n", 10) + "@dec\n# c\ndef f():\n" + strings.Repeat("    pass\n", 6),
			[]span{{1, 11}, {12, 20}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{MaxChars: 120, OverlapChars: 30, Language: tt.lang}
			chunks := Split(tt.text, opts)
			checkInvariants(t, tt.text, opts, chunks)
			if got := spans(chunks); !slices.Equal(got, tt.want) {
				t.Errorf("Split line ranges = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDeclarationSpans checks the lines each declaration spans, its doc
// comment, decorators and attributes included.
func TestDeclarationSpans(t *testing.T) {
	tests := []struct {
		lang, text string
		want       []span
	}{
		{"go", "package p\n\n// A is.\n//go:noinline\nfunc A() {\n}\n\ntype (\n\tB int\n)\n", []span{{3, 6}, {8, 10}}},
		{"python", "# c\n@d(\n  1)\ndef f():\n    x = '''\nnot code\n'''\n# after\ndef g(): pass\n", []span{{1, 7}, {8, 9}}},
		{"ruby", "class A\n  # n\n  def name=(v)\n    @n = v\n  end\n\n  def x = 1\nend\n", []span{{1, 8}, {2, 5}, {7, 7}}},
		{"typescript", "/** C */\n@dec()\nexport class C {\n  // m\n  m(): void {\n    const s = \"}\";\n  }\n}\nexport type T =\n  | A\n  | B;\n", []span{{1, 8}, {4, 7}, {9, 11}}},
		{"rust", "/// S\n#[derive(Debug)]\npub struct S {\n    a: u8,\n}\n\nimpl<'a> S {\n    fn f(&self) -> char { '}' }\n}\n", []span{{1, 5}, {7, 9}, {8, 8}}},
		{"c", "/* Sets. */\nstatic int\njq_set_colors(const char *c)\n{\n  return 0;\n}\ntypedef struct {\n  int n;\n} jv;\n", []span{{1, 6}, {7, 9}}},
		{"cpp", "template<typename Mutex>\nSPDLOG_INLINE void sink<Mutex>::flush_()\n{\n}\n", []span{{1, 4}}},
		{"java", "/**\n * A.\n */\n@Entity\npublic class A {\n    @Override\n    public String toString() {\n        return \"{\";\n    }\n}\n", []span{{1, 10}, {6, 9}}},
		{"elixir", "defmodule M do\n  @moduledoc false\n  @doc \"\"\"\n  Sends.\n  \"\"\"\n  @spec f(t) :: t\n  def f(x) do\n    x\n  end\n\n  def g(x), do: x\nend\n", []span{{1, 12}, {3, 9}, {11, 11}}},
		{"elixir", "defmodule M do\n  @spec call(t) :: t\n  def call(s)\n      when is_pid(s) or\n             is_atom(s) do\n    s\n  end\n\n  defp f(x)\n       when is_integer(x),\n       do: x\n\n  def g(x), do: x\nend\n", []span{{1, 14}, {2, 7}, {9, 11}, {13, 13}}},
		{"haskell", "module M where\n\n-- | P.\ndata P = P\n\n-- | f.\nf :: Int\nf 0 = 1\nf n =\n  n\n\ng = 2\n", []span{{3, 4}, {6, 10}, {12, 12}}},
		{"haskell", "-- | W.\nparseWord :: String -> Maybe Int\nparseWord ('-' : w) = Just 1\nparseWord (x:xs) = Nothing\n\ng = 2\n", []span{{1, 4}, {6, 6}}},
		{"erlang", "-module(m).\n\n%% F.\n-spec f(t) -> t.\nf(0) ->\n    1;\nf(N) ->\n    N.\n\ng() -> 2.\n", []span{{3, 8}, {10, 10}}},
		{"perl", "package P;\n\n# New.\nsub new {\n    1;\n}\n\n=head1 X\n\nsub gone {\n\n=cut\n\nsub m { 2 }\n", []span{{1, 1}, {3, 6}, {14, 14}}},
		{"scala", "object F {\n  def r = 1\n}\n\n/** Formats. */\n@implicitNotFound(\n  \"No Formats.\"\n)\ntrait F {\n  def d: Int\n}\n", []span{{1, 3}, {2, 2}, {5, 11}, {10, 10}}},
		{"csharp", "// C.\n[Obsolete(\n    \"Use B.\")]\npublic class C {\n}\n", []span{{1, 5}}},
		{"java", "class A {\n    int a() {\n        return f(\n            1);\n    }\n    @SuppressWarnings({\n        \"unchecked\",\n    })\n    void b() {\n    }\n}\n", []span{{1, 11}, {2, 5}, {6, 10}}},
		{"ocaml", "let e = 1\n\n(* N.B. A comment\n   of two lines. *)\nlet add t k =\n  k\n", []span{{1, 1}, {3, 6}}},
		{"php", "<?php\nclass L {\n    function a() {\n        $r = '{\n            \\s*\n        }x';\n    }\n\n    function b() {\n        $s = <<<'EOT'\n        It's { open\n        EOT;\n    }\n}\n", []span{{2, 14}, {3, 7}, {9, 13}}},
		{"php", "<?php\nnamespace A {\n    class C {\n    }\n}\n\nnamespace {\n    use A\\C;\n\nfunction f($x)\n{\n}\n}\n", []span{{2, 5}, {3, 4}, {7, 13}, {10, 12}}},
		{"typescript", "class B<T> {\n  create<O extends Opts<T, Map<K, V>>>(\n    opts?: O,\n  ): R {\n    return 1;\n  }\n}\n", []span{{1, 7}, {2, 6}}},
		{"perl", "package P;\n\nsub a {\n    for my $c (split /('(?:''|[^'])*')/, $f) {\n        if ($c =~ /\\A'(.*)'\\z/) {\n            $c =~ s{'}{\"}g;\n        }\n    }\n    my $n = $#list / 2 + $self->w / 2;\n    my $q = q{it's};\n    $t =~ tr/a-z/A-Z/;\n}\n\nsub b {\n    1;\n}\n", []span{{1, 1}, {3, 12}, {14, 16}}},
		{"groovy", "class C {\n    void a() {\n        x = y ?: '**/*.groovy'\n    }\n\n    /** B. */\n    void b() {\n    }\n}\n", []span{{1, 9}, {2, 4}, {6, 8}}},
		{"javascript", "function a(s) {\n  return s.replace(/\\/*$/, '').replace(/'/g, '');\n}\n\nfunction b(x) {\n  return x / 2 / 3;\n}\n/* end */\n", []span{{1, 3}, {5, 7}}},
		{"lua", "-- F.\nfunction M.f(a)\n  if a then\n    return 1\n  end\nend\n\nlocal function g() return 1 end\n", []span{{1, 6}, {8, 8}}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			st := parseStructure(tt.text, splitLines(tt.text), tt.lang)
			var got []span
			for _, u := range st.units {
				got = append(got, span{u.start + 1, u.end})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("declarations span lines %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPerlLiteral(t *testing.T) {
	for _, tt := range []struct {
		line string
		at   int
		end  int
		ok   bool
	}{
		{"$x =~ /a{b/ ) {", 6, 11, true},
		{"$x / 2", 3, 0, false},
		{"$self->w / 2", 9, 0, false},
		{"split /,/, $s", 6, 9, true},
		{"(/'/)", 1, 4, true},
		{"s{a}{b}g;", 0, 8, true},
		{"s{a} {b};", 0, 8, true},
		{"s/a/b/;", 0, 6, true},
		{"tr/a-z/A-Z/;", 0, 11, true},
		{"q{it's {x}}", 0, 11, true},
		{"qw(a b)", 0, 7, true},
		{"$s = 1", 1, 0, false},
		{"y => 1", 0, 0, false},
		{"$o->s(1)", 4, 0, false},
		{"m/unterminated", 0, -1, true},
		{"sub s { 1 }", 4, 0, false},
	} {
		end, ok := perlLiteral(tt.line, tt.at)
		if ok != tt.ok || ok && end != tt.end {
			t.Errorf("perlLiteral(%q, %d) = %d, %v, want %d, %v", tt.line, tt.at, end, ok, tt.end, tt.ok)
		}
	}
}

func TestJSRegexEnd(t *testing.T) {
	for _, tt := range []struct {
		line    string
		at, end int
	}{
		{"x = /a[/*]b/g;", 4, 13},
		{"a / b / c", 2, -1},
		{"a.length / 2", 9, -1},
		{"return /x/.test(s)", 7, 10},
		{"f(/'/g)", 2, 6},
		{"// c", 0, -1},
		{"/* c */", 0, -1},
		{"x = /unterminated", 4, -1},
	} {
		if got := jsRegexEnd(tt.line, tt.at); got != tt.end {
			t.Errorf("jsRegexEnd(%q, %d) = %d, want %d", tt.line, tt.at, got, tt.end)
		}
	}
}

// BenchmarkMinifiedLine: a long line of slashes that each might begin a
// pattern costs linear time in the lexer.
func BenchmarkMinifiedLine(b *testing.B) {
	line := strings.Repeat("f(/[a", 20000) + "\n"
	for b.Loop() {
		Split(line, Options{Language: "javascript"})
	}
}

// A pattern is skipped only on lines it cannot match: every line of the
// fixtures and of these declarations that a pattern of mustContain
// matches holds one of its literals.
func TestMustContainHolds(t *testing.T) {
	lines := []string{
		"static int jq_set_colors(const char *c)", "Foo::Foo(int x)", "void Foo<T>::bar(int)", "fun main() {", "def f(x)",
		"val x = 1", "var y: Int = 2", "let z = 3", "public class A {", "@interface Foo : NSObject", "data class P(val x: Int)",
		"enum E {", "struct S {", "namespace ns {", "namespace {", "typedef struct jv jv;", "typedef void (*cb)(int);",
		"typedef struct {", `extern "C" {`, "type Alias = Int", "impl<T> Foo for Bar<T> {", "macro_rules! m {", "package Foo::Bar;",
		"sub new {", "pub const List = struct {", "pub fn init() void {", "f <- function(x) {", `Foo <- R6Class("Foo",`,
		`setClass("Person",`, "@implementation CDVPlugin", "function start_server {", "module.exports = class FixedQueue {",
		"exports.Pool = class Pool {", "module.exports = function createApplication (o) {", "Stack.prototype = {",
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "input"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata", "input", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(data), "\n")...)
	}
	matched := map[*regexp.Regexp]bool{}
	for re := range mustContain {
		for _, line := range lines {
			if re.MatchString(line) {
				matched[re] = true
				if !mayMatch(re, line) {
					t.Errorf("%s matches %q, which holds none of %q", re, line, mustContain[re])
				}
			}
		}
	}
	for re := range mustContain {
		if !matched[re] {
			t.Errorf("no line of the test matches %s: add one", re)
		}
	}
}

// TestWithin checks the declaration each chunk starts inside: the function
// a long function's later chunk continues, the class whose later members
// a chunk holds, nothing at the top level or in text without syntax, and
// never a unit that names nothing itself (a Rust impl block).
func TestWithin(t *testing.T) {
	body := func(indent string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%sif x > %d {\n%s\treturn %d\n%s}\n", indent, i, indent, i, indent)
		}
		return b.String()
	}
	pyBody := func(indent string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%sif x > %d:\n%s    return %d\n", indent, i, indent, i)
		}
		return b.String()
	}
	tests := []struct {
		name, lang, text string
		want             []string // each chunk's Within
	}{
		{"go function cut in two", "go", "package p\n\nfunc Long(x int) int {\n" + body("\t", 12) + "\treturn 0\n}\n",
			[]string{"", "", "Long"}},
		{"go method", "go", "package p\n\ntype S struct{}\n\nfunc (s *S) Long(x int) int {\n" + body("\t", 12) + "\treturn 0\n}\n",
			[]string{"", "", "S.Long"}},
		{"python methods of a class", "python", "class Session:\n    def short(self):\n        return 1\n\n    def long(self, x):\n" + pyBody("        ", 14) + "        return 0\n",
			[]string{"", "Session", "Session.long", "Session.long"}},
		{"rust impl names nothing", "rust", "struct S;\n\nimpl S {\n    fn a(&self) -> u8 { 1 }\n\n    fn long(&self, x: u8) -> u8 {\n" + body("        ", 10) + "        0\n    }\n}\n",
			[]string{"", "", "", "S.long"}},
		{"top level only", "go", "package p\n\nvar a = 1\n\nvar b = 2\n", []string{""}},
		{"text without syntax", "", strings.Repeat("a line of prose\n", 30), []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks := Split(tt.text, Options{MaxChars: 300, OverlapChars: 60, Language: tt.lang})
			var got []string
			for _, c := range chunks {
				got = append(got, c.Within)
			}
			if !slices.Equal(got, tt.want) {
				for _, c := range chunks {
					t.Logf("chunk %d lines %d-%d defines %q within %q", c.Ordinal, c.StartLine, c.EndLine, c.Defines, c.Within)
				}
				t.Errorf("Within = %q, want %q", got, tt.want)
			}
		})
	}
}
