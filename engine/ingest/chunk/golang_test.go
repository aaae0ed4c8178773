package chunk

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

var allGoroot = flag.Bool("goroot", false, "TestGoDeclarationsGOROOT, TestGoLexerMatchesScanner: compare over every .go file of GOROOT/src, not a few directories")

// goDeclarationsParser is goDeclarations as it was with go/parser, the
// reference the token pass must agree with on every file go/parser
// accepts. Lines are those of the text (PositionFor(p, false)): the
// go/parser version used fset.Position, which follows //line directives.
func goDeclarationsParser(text string) ([]unit, []definedName, bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", text, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, false
	}
	line := func(p token.Pos) int { return fset.PositionFor(p, false).Line - 1 }
	var units []unit
	var names []definedName
	name := func(id *ast.Ident) {
		if id != nil && id.Name != "_" {
			names = append(names, definedName{line(id.Pos()), id.Name})
		}
	}
	for _, d := range f.Decls {
		var doc *ast.CommentGroup
		switch d := d.(type) {
		case *ast.FuncDecl:
			doc = d.Doc
			if recv := parserReceiverType(d); recv != "" && d.Name.Name != "_" {
				names = append(names, definedName{line(d.Name.Pos()), recv + "." + d.Name.Name})
			} else {
				name(d.Name)
			}
		case *ast.GenDecl:
			doc = d.Doc
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					name(s.Name)
				case *ast.ValueSpec:
					for _, id := range s.Names {
						name(id)
					}
				}
			}
		}
		start := line(d.Pos())
		if doc != nil {
			start = line(doc.Pos())
		}
		units = append(units, unit{start, line(d.End()) + 1})
	}
	return units, names, true
}

// parserReceiverType returns the name of a method's receiver type, without
// its pointer or type parameters ("Server" for (s *Server[T])), or "".
func parserReceiverType(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return ""
	}
	t := d.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// declarationsString writes what goDeclarations returns one to a line,
// lines counted from 1: "unit 3-5" for lines 3 to 5, "name 4 T.M".
func declarationsString(units []unit, names []definedName, ok bool) string {
	if !ok {
		return "does not parse\n"
	}
	var b strings.Builder
	for _, u := range units {
		fmt.Fprintf(&b, "unit %d-%d\n", u.start+1, u.end)
	}
	for _, n := range names {
		fmt.Fprintf(&b, "name %d %s\n", n.line+1, n.name)
	}
	return b.String()
}

// sameAsParser reports how goDeclarations differs from the reference on
// text, or "" if it does not: it must agree where go/parser accepts text.
func sameAsParser(text string) string {
	want := declarationsString(goDeclarationsParser(text))
	if want == "does not parse\n" {
		return ""
	}
	if got := declarationsString(goDeclarations(text)); got != want {
		return fmt.Sprintf("go/scanner:\n%sgo/parser:\n%s", got, want)
	}
	return ""
}

// A goDeclarationsTest is a text and what goDeclarations returns for it,
// as declarationsString writes it.
type goDeclarationsTest struct{ name, text, want string }

// goDeclarationsTests are tricky cases, go/parser's result the same.
var goDeclarationsTests = []goDeclarationsTest{
	{"doc comment", "package p\n\n// F does.\n// It does.\nfunc F() {}\n",
		"unit 3-5\nname 5 F\n"},
	{"doc comment apart by a blank line", "package p\n\n// Not F's.\n\nfunc F() {}\n",
		"unit 5-5\nname 5 F\n"},
	{"only the last group is the doc", "package p\n\n// a\n\n// b\n/* c\n*/\nfunc F() {\n}\n",
		"unit 5-9\nname 8 F\n"},
	{"build constraint and package doc", "//go:build linux\n\n// Package p is.\npackage p\n\n//go:noinline\nfunc f() {}\n",
		"unit 6-7\nname 7 f\n"},
	{"comment on the line of the previous declaration", "package p\n\nvar a = 1 // about a\n// F.\nfunc F() {}\n",
		"unit 3-3\nunit 4-5\nname 3 a\nname 5 F\n"},
	{"comment between declarations", "package p\n\nfunc a() {}\n\n/* between */\n\nfunc b() {}\n",
		"unit 3-3\nunit 7-7\nname 3 a\nname 7 b\n"},
	{"comment on the line of the declaration", "package p\n\n// doc\n/* x */ func f() {}\n",
		"unit 4-4\nname 4 f\n"},
	{"generic receiver", "package p\n\nfunc (s *Server[K, V]) Get(k K) V {\n\treturn s.m[k]\n}\n\nfunc (Server[K, V]) Len() int { return 0 }\n",
		"unit 3-5\nunit 7-7\nname 3 Server.Get\nname 7 Server.Len\n"},
	{"receivers in parentheses, shared, unnamed, qualified", "package p\n\nfunc (s (*T)) A() {}\nfunc ((T)) B() {}\nfunc (a, b T) C() {}\nfunc (*T) D() {}\nfunc (x pkg.T) E() {}\nfunc (T) _() {}\nfunc (s T,) F() {}\n",
		"unit 3-3\nunit 4-4\nunit 5-5\nunit 6-6\nunit 7-7\nunit 8-8\nunit 9-9\nname 3 T.A\nname 4 T.B\nname 5 T.C\nname 6 T.D\nname 7 E\nname 9 T.F\n"},
	{"generic function", "package p\n\nfunc Map[T, U any](xs []T, f func(T) U) []U {\n\treturn nil\n}\n",
		"unit 3-5\nname 3 Map\n"},
	{"grouped declarations", "package p\n\nvar (\n\ta, b = 1, 2\n\t_, c int\n)\n\ntype (\n\tA int\n\tB struct {\n\t\tx int\n\t}\n)\n\nconst (\n\tX = iota\n\tY\n)\n",
		"unit 3-6\nunit 8-13\nunit 15-18\nname 4 a\nname 4 b\nname 5 c\nname 9 A\nname 10 B\nname 16 X\nname 17 Y\n"},
	{"empty group", "package p\n\nvar ()\n", "unit 3-3\n"},
	{"imports, no names", "package p\n\nimport \"fmt\"\n\n// The rest.\nimport (\n\t\"os\"\n\tx \"strings\"\n\t. \"errors\"\n\t_ \"embed\"\n)\n",
		"unit 3-3\nunit 5-11\n"},
	{"function without a body", "package p\n\n// add is in assembly.\nfunc add(a, b int) int\n\nfunc sub(a, b int) (r int)\n",
		"unit 3-4\nunit 6-6\nname 4 add\nname 6 sub\n"},
	{"braces in strings, runes, raw strings, tags", "package p\n\ntype T struct {\n\tA string `json:\"a}\"`\n}\n\nvar r = '{'\nvar s = \"}{\"\nvar raw = `\n}\nfunc fake() {\n`\n\nfunc g() {}\n",
		"unit 3-5\nunit 7-7\nunit 8-8\nunit 9-12\nunit 14-14\nname 3 T\nname 7 r\nname 8 s\nname 9 raw\nname 14 g\n"},
	{"semicolons on one line", "package p; var a = 1; var b = 2; func f() {}\n",
		"unit 1-1\nunit 1-1\nunit 1-1\nname 1 a\nname 1 b\nname 1 f\n"},
	{"alias and generic types", "package p\n\ntype A = B\ntype L[T any] struct{ next *L[T] }\n",
		"unit 3-3\nunit 4-4\nname 3 A\nname 4 L\n"},
	{"function literal and composite literal", "package p\n\nvar f = func() {\n\tx := T{\n\t\ta: 1,\n\t}\n}\n\nvar m = map[string]int{\n\t\"a\": 1,\n}\n",
		"unit 3-7\nunit 9-11\nname 3 f\nname 9 m\n"},
	{"no trailing newline", "package p\nfunc f() {}", "unit 2-2\nname 2 f\n"},
	{"carriage returns", "package p\r\n\r\n// F.\r\nvar s = `a\r\nb`\r\n", "unit 3-5\nname 4 s\n"},

	{"scan error", "package p\n\nvar s = \"unterminated\n", "does not parse\n"},
	{"unbalanced braces", "package p\n\nfunc f() {\n", "does not parse\n"},
	{"mismatched brackets", "package p\n\nfunc f() { g(] }\n", "does not parse\n"},
	{"closing brace too many", "package p\n\nfunc f() {}}\n", "does not parse\n"},
	{"closing parenthesis after the last declaration", "package p\nfunc (T) A()\n)", "does not parse\n"},
	{"no package clause", "func f() {}\n", "does not parse\n"},
	{"empty", "", "does not parse\n"},
	{"function without a name", "package p\n\nfunc (t T) () {}\n", "does not parse\n"},
	{"type without a name", "package p\n\ntype = int\n", "does not parse\n"},
	{"var without a name in a group", "package p\n\nvar (\n\t= 1\n)\n", "does not parse\n"},
	{"statement at top level", "package p\n\nx := 1\n", "does not parse\n"},
	{"import after a declaration", "package p\n\nvar a = 1\n\nimport \"fmt\"\n", "does not parse\n"},
	{"import without a path", "package p\n\nimport fmt\n", "does not parse\n"},
	{"body on the next line", "package p\n\nfunc f()\n{\n}\n", "does not parse\n"},
}

// goDeclarationsRelaxed are texts go/parser rejects; the token pass does
// not look into declarations, their lines are known all the same.
var goDeclarationsRelaxed = []goDeclarationsTest{
	{"error in a body", "package p\n\nfunc f() {\n\tx := \n}\n\nfunc g() {}\n",
		"unit 3-5\nunit 7-7\nname 3 f\nname 7 g\n"},
	{"var with neither type nor value", "package p\n\nvar x\n", "unit 3-3\nname 3 x\n"},
}

func TestGoDeclarations(t *testing.T) {
	for i, tt := range slices.Concat(goDeclarationsTests, goDeclarationsRelaxed) {
		t.Run(tt.name, func(t *testing.T) {
			if got := declarationsString(goDeclarations(tt.text)); got != tt.want {
				t.Errorf("goDeclarations(%q):\n%swant:\n%s", tt.text, got, tt.want)
			}
			if diff := sameAsParser(tt.text); diff != "" {
				t.Errorf("goDeclarations(%q) differs from go/parser's:\n%s", tt.text, diff)
			}
			if _, _, ok := goDeclarationsParser(tt.text); ok != (i < len(goDeclarationsTests) && tt.want != "does not parse\n") {
				t.Errorf("go/parser accepts %q: %v", tt.text, ok)
			}
		})
	}
}

// goInputs returns the Go files the GOROOT tests read: the chunk
// package's Go inputs and a few directories of the standard library, or
// all of GOROOT/src with -goroot.
func goInputs(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "input", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(runtime.GOROOT(), "src")
	if *allGoroot {
		err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	} else {
		// 3 MB of Go: some of the net/http server and transport, the
		// type checker, JSON, and the runtime's stubs, syscalls, signals
		// and stack (functions without bodies, //go: directives).
		for _, glob := range []string{"net/http/[st]*.go", "go/types/*.go", "encoding/json/*.go", "runtime/s*.go"} {
			matches, err := filepath.Glob(filepath.Join(src, glob))
			if err != nil || len(matches) == 0 {
				t.Fatalf("no files %s in GOROOT: %v", glob, err)
			}
			files = append(files, matches...)
		}
	}
	return files
}

// TestGoDeclarationsGOROOT compares goDeclarations with the reference
// on real code: the chunk package's Go inputs and a few directories of
// the standard library (all of GOROOT/src with -goroot).
func TestGoDeclarationsGOROOT(t *testing.T) {
	files := goInputs(t)
	var same, rejected, accepted int // rejected by both; rejected by go/parser alone
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		_, _, okParser := goDeclarationsParser(text)
		_, _, ok := goDeclarations(text)
		switch diff := sameAsParser(text); {
		case diff != "":
			t.Errorf("%s:\n%s", path, diff)
		case okParser:
			same++
		case ok:
			accepted++
			t.Logf("%s: go/parser rejects it, go/scanner does not", path)
		default:
			rejected++
		}
	}
	t.Logf("%d files: %d the same, %d rejected by both, %d rejected by go/parser alone", len(files), same, rejected, accepted)
	if same == 0 {
		t.Error("no file to compare")
	}
}

// benchmarkFiles are the files of GOROOT/src BenchmarkGoDeclarations
// reads: 830 kB, 28,232 lines of Go.
var benchmarkFiles = []string{
	"net/http/server.go", "net/http/transport.go", "go/types/expr.go", "go/types/stmt.go",
	"runtime/proc.go", "runtime/mgc.go", "encoding/json/decode.go", "fmt/print.go",
	"strings/strings.go", "sort/sort.go", "go/parser/parser.go", "math/big/nat.go",
}

// BenchmarkGoDeclarations finds the declarations of benchmarkFiles, all of
// them in one op, with go/scanner and with the go/parser reference.
func BenchmarkGoDeclarations(b *testing.B) {
	var texts []string
	var size int64
	for _, f := range benchmarkFiles {
		text := readFile(b, filepath.Join(runtime.GOROOT(), "src", f))
		texts = append(texts, text)
		size += int64(len(text))
	}
	for _, impl := range []struct {
		name string
		f    func(string) ([]unit, []definedName, bool)
	}{{"scanner", goDeclarations}, {"parser", goDeclarationsParser}} {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, text := range texts {
					if _, _, ok := impl.f(text); !ok {
						b.Fatal("does not parse")
					}
				}
			}
		})
	}
}

// FuzzGoDeclarations checks that goDeclarations does not panic, that its
// units and names are within the text's lines, and that it agrees with
// the go/parser reference where that accepts the text.
func FuzzGoDeclarations(f *testing.F) {
	f.Add("package p\n\n// F.\nfunc (s *S[K]) F() {}\n\nvar (\n\ta, _ = 1, `\n}`\n)\n")
	f.Add("package p; import \"fmt\"; type T struct{ A int `x:\"{\"`}; const c = '{'\n")
	f.Add("package p\n/* a\n*/ func f()\n// b\n\nfunc (T) g() {\n}")
	for _, tt := range slices.Concat(goDeclarationsTests, goDeclarationsRelaxed) {
		f.Add(tt.text)
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "input", "limiter.go")); err == nil {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, text string) {
		units, names, ok := goDeclarations(text)
		n := strings.Count(text, "\n") + 1
		if !ok && (units != nil || names != nil) {
			t.Fatalf("not ok with units %v and names %v", units, names)
		}
		for _, u := range units {
			if u.start < 0 || u.start >= u.end || u.end > n {
				t.Fatalf("unit %v of a text of %d lines", u, n)
			}
		}
		for _, dn := range names {
			if dn.line < 0 || dn.line >= n || dn.name == "" || dn.name == "_" {
				t.Fatalf("name %v of a text of %d lines", dn, n)
			}
		}
		if diff := sameAsParser(text); diff != "" {
			t.Fatalf("differs from go/parser's:\n%s", diff)
		}
	})
}
