package embedded

import (
	"strings"

	"workspace-qdrant-mcp/engine/storage"
)

// filter holds a query's language and path filters; the collection
// filter is applied by choosing what to scan.
type filter struct {
	language string
	glob     string // without its leading "!"
	negate   bool
	defines  string // storage.Query.Defines
}

func newFilter(q storage.Query) (filter, error) {
	f := filter{language: q.Language, defines: q.Defines}
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
	if f.glob == "" && f.language == "" && f.defines == "" {
		return nil
	}
	globOK := make(map[string]bool)
	var match func(string) bool
	if f.glob != "" {
		match = storage.PathMatcher(f.glob)
	}
	return func(it *item) bool {
		if f.language != "" && it.language != f.language {
			return false
		}
		if f.defines != "" && !it.defines(f.defines) {
			return false
		}
		if f.glob == "" {
			return true
		}
		ok, seen := globOK[it.path]
		if !seen {
			ok = match(it.path) != f.negate
			globOK[it.path] = ok
		}
		return ok
	}
}

// definesSignature is the signature every chunk that passes the filter's
// defines has (nameSignature), 0 when the filter has none.
func (f filter) definesSignature() uint64 {
	if f.defines == "" {
		return 0
	}
	return nameSignature(f.defines)
}

// nameSignature is a folded name's two bits of 64, by its FNV-1a hash:
// the signature of a chunk's defined names (namesSignature) holds them
// when it defines the name, so a chunk whose signature lacks one does
// not, and the keyword index skips it without reading its metadata.
func nameSignature(folded string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(folded); i++ {
		h = (h ^ uint64(folded[i])) * 1099511628211
	}
	return 1<<(h&63) | 1<<(h>>6&63)
}

// namesSignature is the signature of a MetaDefines value: the union of
// its names' (the last part of each, folded, as storage.DefinesName
// compares them).
func namesSignature(names string) uint64 {
	var sig uint64
	for n := range strings.FieldsSeq(names) {
		sig |= nameSignature(storage.FoldName(n[strings.LastIndexByte(n, '.')+1:]))
	}
	return sig
}

// metadataSignature is the namesSignature of a chunk's metadata as
// stored (encodeMetadata's JSON).
func metadataSignature(metadata string) uint64 {
	return namesSignature(storedDefines(metadata))
}

// defines reports whether the chunk defines a name that folds to folded
// (storage.Query.Defines), reading its metadata as stored.
func (it *item) defines(folded string) bool {
	return it.info != nil && storage.DefinesName(storedDefines(it.info.meta), folded)
}

// storedDefines returns the MetaDefines value of a chunk's metadata as
// stored, "" when it has none: found without decoding the rest, unless it
// holds an escape.
func storedDefines(metadata string) string {
	if metadata == "" {
		return ""
	}
	v, _, plain := metadataValue(metadata, storage.MetaDefines)
	if !plain {
		m, err := decodeMetadata(metadata)
		if err != nil {
			return ""
		}
		v = m[storage.MetaDefines]
	}
	return v
}

// metadataValue returns the value of key in metadata as encodeMetadata
// writes it (a JSON object of strings, without spaces), found without
// decoding the rest; plain is false when the value holds an escape, which
// only a decoder reads right. A key's quoted name followed by :" cannot
// occur inside another value, where its quotes would be escaped.
func metadataValue(metadata, key string) (value string, ok, plain bool) {
	i := strings.Index(metadata, `"`+key+`":"`)
	if i < 0 {
		return "", false, true
	}
	rest := metadata[i+len(key)+4:]
	end := strings.IndexAny(rest, `"\\`)
	if end < 0 || rest[end] == '\\' {
		return "", false, false
	}
	return rest[:end], true, true
}
