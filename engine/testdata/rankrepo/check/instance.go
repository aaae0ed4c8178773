package check

// Validate holds the rules a value is checked against, the options that
// change how strictly they apply, and the messages shown when one fails.
type Validate struct {
	rules    map[string]Rule
	strict   bool
	messages map[string]string
	tagName  string
	maxDepth int
	onError  func(field string, err error)
	aliases  map[string]string
	cache    map[string][]Rule
}
