package chunk_test

import (
	"fmt"
	"strings"

	"workspace-qdrant-mcp/engine/ingest/chunk"
)

func ExampleSplit() {
	text := `package greet

import "fmt"

// Hello greets someone.
func Hello(name string) { fmt.Println("hello,", name) }

// Bye says goodbye.
func Bye() { fmt.Println("bye") }
`
	opts := chunk.Options{MaxChars: 120, Language: chunk.Language("greet.go")}
	for _, c := range chunk.Split(text, opts) {
		first, _, _ := strings.Cut(c.Text, "\n")
		fmt.Printf("%d: lines %d-%d, %q... defines %v\n", c.Ordinal, c.StartLine, c.EndLine, first, c.Defines)
	}
	// Output:
	// 0: lines 1-7, "package greet"... defines [Hello]
	// 1: lines 8-9, "// Bye says goodbye."... defines [Bye]
}

func ExampleLanguage() {
	fmt.Println(chunk.Language("cmd/server/main.go"), chunk.Language("README.md"), chunk.Language("logo.png") == "")
	// Output: go markdown true
}
