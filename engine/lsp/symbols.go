package lsp

import (
	"encoding/json"
	"slices"
	"strings"
)

// Metadata keys that enrichment sets on a chunk.
const (
	// MetaSymbols holds the symbols a chunk defines (whose name lies in
	// its lines) as a JSON array of SymbolRef.
	MetaSymbols = "symbols"
	// MetaSymbol is the chunk's enclosing or, failing one, its main
	// defining symbol as text: kind and name, e.g. "func ParseDuration".
	MetaSymbol = "symbol"
)

// maxSymbolsPerChunk bounds the symbols recorded on one chunk.
const maxSymbolsPerChunk = 64

// Symbol is one document symbol, flattened, with 1-based inclusive lines.
type Symbol struct {
	Name      string
	Kind      string // short kind: func, method, struct, class, ...
	Detail    string
	Container string // the enclosing symbol's name, "" at top level
	Depth     int    // 0 at top level
	StartLine int    // of the whole symbol (its range)
	EndLine   int
	NameLine  int // of its name (the selection range)
}

// Label is the symbol as text: "func ParseDuration".
func (s Symbol) Label() string { return s.Kind + " " + s.Name }

// SymbolRef is a symbol as MetaSymbols encodes it.
type SymbolRef struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	StartLine int    `json:"start"`
	EndLine   int    `json:"end"`
	Container string `json:"container,omitempty"`
}

// Span is a chunk's line range, 1-based and inclusive.
type Span struct{ StartLine, EndLine int }

// kindNames are the short names of the LSP symbol kinds.
var kindNames = map[symbolKind]string{
	symbolKindFile: "file", symbolKindModule: "module",
	symbolKindNamespace: "namespace", symbolKindPackage: "package",
	symbolKindClass: "class", symbolKindMethod: "method",
	symbolKindProperty: "property", symbolKindField: "field",
	symbolKindConstructor: "constructor", symbolKindEnum: "enum",
	symbolKindInterface: "interface", symbolKindFunction: "func",
	symbolKindVariable: "var", symbolKindConstant: "const",
	symbolKindString: "string", symbolKindNumber: "number",
	symbolKindBoolean: "boolean", symbolKindArray: "array",
	symbolKindObject: "object", symbolKindKey: "key",
	symbolKindNull: "null", symbolKindEnumMember: "enum_member",
	symbolKindStruct: "struct", symbolKindEvent: "event",
	symbolKindOperator: "operator", symbolKindTypeParameter: "type_parameter",
}

func kindName(k symbolKind) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "symbol"
}

// anySymbol decodes either form of a documentSymbol answer: a
// hierarchical DocumentSymbol or a flat SymbolInformation (which has a
// location instead of a range).
type anySymbol struct {
	Name           string      `json:"name"`
	Detail         string      `json:"detail"`
	Kind           symbolKind  `json:"kind"`
	Range          *lspRange   `json:"range"`
	SelectionRange *lspRange   `json:"selectionRange"`
	Children       []anySymbol `json:"children"`
	Location       *location   `json:"location"`
	ContainerName  string      `json:"containerName"`
}

// ParseSymbols decodes a textDocument/documentSymbol result (DocumentSymbol[]
// or SymbolInformation[], or null) into flattened symbols sorted by start.
func ParseSymbols(raw []byte) ([]Symbol, error) {
	var top []anySymbol
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, err
	}
	var out []Symbol
	var walk func(list []anySymbol, container string, depth int)
	walk = func(list []anySymbol, container string, depth int) {
		for _, a := range list {
			if strings.TrimSpace(a.Name) == "" {
				continue
			}
			s := Symbol{Name: a.Name, Kind: kindName(a.Kind), Detail: a.Detail, Container: container, Depth: depth}
			switch {
			case a.Range != nil:
				s.StartLine, s.EndLine = lines(*a.Range)
				s.NameLine = s.StartLine
				if a.SelectionRange != nil {
					s.NameLine = int(a.SelectionRange.Start.Line) + 1
				}
			case a.Location != nil:
				s.StartLine, s.EndLine = lines(a.Location.Range)
				s.NameLine = s.StartLine
				if a.ContainerName != "" {
					s.Container, s.Depth = a.ContainerName, 1
				}
			default:
				continue
			}
			out = append(out, s)
			walk(a.Children, a.Name, depth+1)
		}
	}
	walk(top, "", 0)
	if len(out) > 0 && top[0].Location != nil {
		fixFlatDepths(out)
	}
	slices.SortStableFunc(out, func(a, b Symbol) int {
		if a.StartLine != b.StartLine {
			return a.StartLine - b.StartLine
		}
		return a.Depth - b.Depth
	})
	return out, nil
}

// fixFlatDepths gives flat SymbolInformation results a nesting depth by
// range containment, since their container names are only labels.
func fixFlatDepths(syms []Symbol) {
	for i := range syms {
		d := 0
		for j := range syms {
			if i != j && contains(syms[j], syms[i]) && !(contains(syms[i], syms[j]) && j > i) {
				d++
			}
		}
		syms[i].Depth = d
	}
}

func contains(outer, inner Symbol) bool {
	return outer.StartLine <= inner.StartLine && outer.EndLine >= inner.EndLine
}

// lines turns a 0-based LSP range into 1-based inclusive lines; an end at
// column 0 of a later line ends on the line before.
func lines(r lspRange) (int, int) {
	start, end := int(r.Start.Line)+1, int(r.End.Line)+1
	if r.End.Character == 0 && r.End.Line > r.Start.Line {
		end--
	}
	return start, max(start, end)
}

// Attach works out each span's symbols and returns, per span, the
// metadata to add (nil when it has none): MetaSymbols lists the symbols
// whose name lies in the span; MetaSymbol names the innermost symbol that
// encloses the whole span or, failing one, the defined symbol that covers
// most of it.
func Attach(syms []Symbol, spans []Span) []map[string]string {
	out := make([]map[string]string, len(spans))
	for i, sp := range spans {
		var defined []SymbolRef
		var main *Symbol
		mainScore := -1
		var enclosing *Symbol
		for j := range syms {
			s := &syms[j]
			if s.StartLine <= sp.StartLine && s.EndLine >= sp.EndLine {
				if enclosing == nil || s.Depth > enclosing.Depth ||
					(s.Depth == enclosing.Depth && s.EndLine-s.StartLine < enclosing.EndLine-enclosing.StartLine) {
					enclosing = s
				}
			}
			if s.NameLine < sp.StartLine || s.NameLine > sp.EndLine {
				continue
			}
			if len(defined) < maxSymbolsPerChunk {
				defined = append(defined, SymbolRef{Name: s.Name, Kind: s.Kind, StartLine: s.StartLine, EndLine: s.EndLine, Container: s.Container})
			}
			// The defined symbol with most lines inside the span, outer
			// ones first on a tie: the span's main subject.
			overlap := min(s.EndLine, sp.EndLine) - max(s.StartLine, sp.StartLine) + 1
			if overlap > mainScore || (overlap == mainScore && main != nil && s.Depth < main.Depth) {
				main, mainScore = s, overlap
			}
		}
		if enclosing != nil {
			main = enclosing
		}
		if main == nil && len(defined) == 0 {
			continue
		}
		meta := map[string]string{}
		if main != nil {
			meta[MetaSymbol] = main.Label()
		}
		if len(defined) > 0 {
			b, err := json.Marshal(defined)
			if err == nil {
				meta[MetaSymbols] = string(b)
			}
		}
		out[i] = meta
	}
	return out
}

// DecodeSymbols reads MetaSymbols from chunk metadata; nil when absent or
// unreadable.
func DecodeSymbols(meta map[string]string) []SymbolRef {
	raw := meta[MetaSymbols]
	if raw == "" {
		return nil
	}
	var refs []SymbolRef
	if err := json.Unmarshal([]byte(raw), &refs); err != nil {
		return nil
	}
	return refs
}

// Defines reports whether chunk metadata says the chunk defines a symbol
// called name. The match ignores case and also accepts the last part of a
// qualified name, so "Start" matches a method listed as "(*Server).Start".
func Defines(meta map[string]string, name string) bool {
	name = strings.TrimSpace(name)
	if name == "" {
		return true
	}
	for _, r := range DecodeSymbols(meta) {
		if strings.EqualFold(r.Name, name) || strings.EqualFold(shortName(r.Name), name) {
			return true
		}
	}
	return false
}

// shortName is the part of a qualified symbol name after its last dot.
func shortName(n string) string {
	if i := strings.LastIndexByte(n, '.'); i >= 0 {
		return n[i+1:]
	}
	return n
}
