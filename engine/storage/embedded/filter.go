package embedded

import (
	"workspace-qdrant-mcp/engine/storage"
)

// filter holds a query's language and path filters; the collection
// filter is applied by choosing what to scan.
type filter struct {
	language string
	glob     string // without its leading "!"
	negate   bool
}

func newFilter(q storage.Query) (filter, error) {
	f := filter{language: q.Language}
	var err error
	if f.glob, f.negate, err = storage.ParsePathGlob(q.PathGlob); err != nil {
		return f, err
	}
	return f, nil
}

// itemFilter returns a function reporting whether a chunk passes the
// language and path filters, or nil when every chunk does. The function
// caches glob answers by path, so one must not be shared between
// goroutines.
func (f filter) itemFilter() func(*item) bool {
	if f.glob == "" && f.language == "" {
		return nil
	}
	globOK := make(map[string]bool)
	return func(it *item) bool {
		if f.language != "" && it.language != f.language {
			return false
		}
		if f.glob == "" {
			return true
		}
		ok, seen := globOK[it.path]
		if !seen {
			ok = storage.MatchPath(f.glob, it.path) != f.negate
			globOK[it.path] = ok
		}
		return ok
	}
}
