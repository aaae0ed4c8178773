package analysis_test

import (
	"fmt"

	"workspace-qdrant-mcp/engine/analysis"
)

func ExampleTerms() {
	fmt.Println(analysis.Terms("d, err := time.ParseDuration(s) // parse the HTTPServer's timeouts"))
	// Output: [d err time parse duration parseduration parse http server httpserver timeout]
}

func ExampleQueryTerms() {
	fmt.Println(analysis.QueryTerms("How do I parse a duration? parse_duration"))
	// Output: [do parse duration parseduration]
}
