package embed

import (
	_ "embed" // the code word vectors
	"fmt"
	"hash/crc32"
	"sync"
)

// codeWordsFile is the table of code word vectors that cmd/trainvec
// trains (see its package comment and README "Embedding"): 50,000
// analysis terms × 128 dimensions, int8, from about 90,000 source files
// of Go modules, npm packages and Debian source packages, none of them a
// repository of the evaluations; each comment is tied to the code after
// it, so English words lie near the identifiers they describe. trainvec
// train with its defaults (manifest.txt, -languages first) writes it
// byte for byte.
//
//go:embed codewords.bin
var codeWordsFile []byte

// CodeWordsWeight is β, the share of the code word vectors in the cosine
// of two built-in vectors (BENCHMARKS.md, "Search quality: word vectors
// trained on code").
const CodeWordsWeight = 0.3

// codeWordsTag is appended to the built-in model's name: the table's
// checksum, so that a retrained table re-embeds every index. It is
// computed on first use, as the table is read: a process that embeds
// otherwise never touches the table's 7 MB.
var codeWordsTag = sync.OnceValue(func() string {
	return fmt.Sprintf("+cw%08x", crc32.ChecksumIEEE(codeWordsFile))
})

var codeWords = sync.OnceValue(func() *WordVectors {
	wv, err := ReadWordVectors(codeWordsFile)
	if err != nil {
		// The file is part of the binary: a damaged one is a build error.
		panic(fmt.Sprintf("embed: the built-in code word vectors: %v", err))
	}
	return wv
})

// CodeWords returns the code word vectors built into the binary, read on
// first use and shared.
func CodeWords() *WordVectors { return codeWords() }
