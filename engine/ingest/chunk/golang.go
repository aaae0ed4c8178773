package chunk

import (
	"go/ast"
	"go/parser"
	"go/token"
)

// goDeclarations returns the top-level declarations of Go source text,
// each with its doc comment, and the names they declare; false if text
// does not parse.
func goDeclarations(text string) ([]unit, []definedName, bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", text, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, false
	}
	line := func(p token.Pos) int { return fset.Position(p).Line - 1 }
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
			if recv := receiverType(d); recv != "" && d.Name.Name != "_" {
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

// receiverType returns the name of a method's receiver type, without its
// pointer or type parameters ("Server" for (s *Server[T])), or "".
func receiverType(d *ast.FuncDecl) string {
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
