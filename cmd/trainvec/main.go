// Command trainvec builds the word vectors of the built-in embedder from
// source code that no evaluation uses.
//
//	trainvec fetch -manifest cmd/trainvec/manifest.txt -dir DIR   # download the corpus
//	trainvec train -corpus DIR -out engine/embed/codewords.bin    # count, PPMI, SVD: the shipped table
//	trainvec near -model engine/embed/codewords.bin timeout parse # nearest terms, by eye
//
// The 18-language experiment (BENCHMARKS.md; its table was not kept):
//
//	M=cmd/trainvec/manifest.txt,cmd/trainvec/manifest-more.txt
//	trainvec fetch -manifest $M -dir DIR
//	trainvec train -manifest $M -languages all -corpus DIR -out /tmp/cw-v.bin
//
// -manifest names one manifest file or several, comma-separated, read in
// that order: manifest.txt holds the shipped table's 678 sources,
// manifest-more.txt the experiment's 164 more. train reads only the
// sources its -manifest lists, each from its directory under -corpus, in
// the manifest's order, so the default reproduces the shipped table
// however many more sources -corpus holds. -languages picks the file
// kinds read: first (the default: .go, .js, .ts, .py, .rs, .rb, .php and
// their kin, the shipped table's) or all (the evaluation's other
// languages too, below).
//
// A manifest names every source and its version, one a line: "go
// MODULE VERSION" (the Go module proxy), "npm PACKAGE VERSION" (the npm
// registry), "deb PACKAGE VERSION" (a Debian package that ships source:
// librust-*-dev, ruby-*, php-*, python3-*, lib*-perl, lua-*, erlang-src)
// or "debsrc PACKAGE VERSION FILE SHA256" (an upstream tarball from
// Debian's source pool, checked against the SHA-256 of bookworm's Sources
// index: Java, Kotlin, Scala, Clojure, C, C++, C#, Haskell, OCaml and
// Elixir projects). None is one of the evaluation's repositories
// (eval/repos.json) or GOROOT (cmd/searcheval's question set), so the
// evaluations measure vectors that never saw their code.
//
// Training: every source file of the -languages kinds (.go, .js, .ts,
// .py, .rs, .rb, .php; with all also .java, .kt, .scala, .c/.h,
// .cc/.cpp/.hpp, .cs, .hs, .ml/.mli, .ex/.exs, .erl/.hrl, .pm/.pl, .lua,
// .clj/.cljs/.cljc, .swift, .dart, .zig, .jl; and their kin; exact
// duplicates, minified and generated files left out) is
// analysed with engine/analysis, so the vocabulary is that of the keyword
// index and of queries. The most frequent -vocab terms are the rows and
// the most frequent -contexts terms the columns of a co-occurrence matrix
// over a window of -window terms either side (weighted 1/distance, never
// across files), plus, so that English ties to the identifiers it
// describes, every pair of a comment block's terms and the terms of the
// -codelines code lines after it (weighted -comments/√(C·D) for C comment
// and D code terms; see comments.go, which reads each language's marks:
// //, #, --, %, ;, /* */, (* *), {- -}, --[[ ]], Perl's POD, Elixir's
// @doc, Python's docstrings); its positive PMI (context distribution
// smoothed by 0.75) is factored by randomized SVD to -dims dimensions,
// and a term's vector is its row of U·Σ^½, unit length. The common
// component of SIF is the first principal direction of the SIF means of
// the corpus's files.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
)

func main() {
	log.SetFlags(log.Ltime)
	log.SetPrefix("trainvec: ")
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: trainvec fetch|train|near [flags]")
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "fetch":
		err = runFetch(context.Background(), args)
	case "train":
		err = runTrain(args)
	case "near":
		err = runNear(args)
	default:
		err = fmt.Errorf("unknown command %q: want fetch, train or near", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func runTrain(args []string) error {
	fs := flag.NewFlagSet("train", flag.ExitOnError)
	dir := fs.String("corpus", "", "the directory fetch wrote")
	manifest := fs.String("manifest", "cmd/trainvec/manifest.txt", "the sources to train on, fetched into -corpus: manifest files, comma-separated; only these are read")
	languages := fs.String("languages", "first", "the file kinds read: first (.go .js .ts .py .rs .rb .php and their kin, the shipped table's) or all (and the evaluation's other languages)")
	out := fs.String("out", "wordvec.bin", "the model file to write")
	vocab := fs.Int("vocab", 50000, "terms in the vocabulary (rows)")
	contexts := fs.Int("contexts", 10000, "context terms (columns)")
	window := fs.Int("window", 3, "terms either side that co-occur")
	comments := fs.Float64("comments", 32, "weight of the pairs of a comment's terms and those of the code after it (0: none)")
	codeLines := fs.Int("codelines", 8, "code lines after a comment that -comments ties to it")
	dims := fs.Int("dims", 128, "vector dimensions")
	power := fs.Float64("power", 0.5, "exponent of the singular values in the vectors")
	common := fs.Bool("common", true, "remove the common component of SIF from text vectors")
	_ = fs.Parse(args)
	if *dir == "" {
		return fmt.Errorf("train: -corpus is required")
	}
	srcs, err := readManifests(*manifest)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	kinds, err := languageKinds(*languages)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	c := newCorpus(kinds, 0)
	if *comments > 0 {
		c.codeLines = *codeLines
	}
	if err := c.readSources(*dir, srcs); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	log.Printf("corpus: %d files, %d MB, %d tokens, %d distinct terms", c.files, c.bytes>>20, len(c.seq)-c.files, len(c.terms))
	rows := c.vocab(*vocab)
	cols := rows[:min(*contexts, len(rows))]
	m := c.cooccur(rows, cols, *window)
	if *comments > 0 {
		c.tieComments(m, rows, cols, *comments)
		log.Printf("comment blocks tied, weight %g (%d ids)", *comments, len(c.blocks))
	}
	log.Printf("co-occurrence %d × %d counted", len(rows), len(cols))
	a := ppmi(m, len(rows), len(cols), 0.75)
	m = nil
	log.Printf("PPMI: %d non-zero", len(a.val))
	u, sv, err := randomizedSVD(a, *dims, 16, 3, 1)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	log.Printf("singular values %.1f … %.1f", sv[0], sv[len(sv)-1])
	wv, err := buildVectors(c, rows, u, sv, *power, *common)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if _, err := wv.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("train: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	log.Printf("wrote %s: %d terms × %d dimensions", *out, wv.Len(), wv.Dims())
	return nil
}
