package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/mark3labs/mcp-go/mcp"
)

// outputSchema declares a tool's output schema, generated from the Go
// type T its handler returns. On top of what the generator infers, the
// fields a struct promotes from an embedded pointer are optional: a nil
// pointer leaves them out of the JSON (engine_status's embedding counts
// exist only for remote embedders).
func outputSchema[T any]() mcp.ToolOption {
	s, err := jsonschema.For[T](&jsonschema.ForOptions{IgnoreInvalidTypes: true})
	if err != nil {
		panic(fmt.Sprintf("output schema of %T: %v", *new(T), err)) // a programming error, seen by every test
	}
	relaxEmbeddedPointers(reflect.TypeFor[T](), s)
	raw, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("output schema of %T: %v", *new(T), err))
	}
	return mcp.WithRawOutputSchema(raw)
}

// relaxEmbeddedPointers walks t and its schema s together and removes
// from each object's required list the fields promoted from embedded
// pointers.
func relaxEmbeddedPointers(t reflect.Type, s *jsonschema.Schema) {
	if s == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		relaxEmbeddedPointers(t.Elem(), s.Items)
		return
	case reflect.Map:
		if s.AdditionalProperties != nil {
			relaxEmbeddedPointers(t.Elem(), s.AdditionalProperties)
		}
		return
	case reflect.Struct:
	default:
		return
	}
	var optional []string
	var walk func(t reflect.Type, viaPointer bool)
	walk = func(t reflect.Type, viaPointer bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() && !f.Anonymous {
				continue
			}
			if f.Anonymous && name == "" {
				ft := f.Type
				ptr := ft.Kind() == reflect.Pointer
				if ptr {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft, viaPointer || ptr)
					continue
				}
			}
			if name == "" {
				name = f.Name
			}
			if viaPointer {
				optional = append(optional, name)
			}
			if p, ok := s.Properties[name]; ok {
				relaxEmbeddedPointers(f.Type, p)
			}
		}
	}
	walk(t, false)
	s.Required = slices.DeleteFunc(s.Required, func(r string) bool { return slices.Contains(optional, r) })
}
