// Package rank orders a search's candidates. The store's legs (keyword
// BM25 and semantic cosine) each return their best chunks; rank fuses
// them (by default each leg's score over the leg's best, added; or by
// reciprocal rank, see Tuning.Fusion) and applies ranking rules that
// reflect how code bases are organised and how people ask about them:
//
//   - definition: for a query that names a symbol (an identifier,
//     pkg.Name, Type::method, an Objective-C message [Type method:]; or
//     a signature or short phrase that names one, "the Engine.ServeHTTP
//     method"), a chunk that defines it ranks
//     above chunks that use it (one that defines it as asked ranks above
//     every chunk that does not: definitionsFirst); for a question, a chunk that defines an identifier
//     spelled by adjacent query words ("parse duration" → ParseDuration)
//     gets a smaller lift (a member only when at most MaxCompoundOwners
//     of the candidates' types define it).
//   - path: query words found in the file's name and last directories
//     (half for a path word that abbreviates one: win for windows; half
//     for each of two glued: strbuf for string buffer).
//   - file: a file with several matching chunks beats a file with one
//     stray match (file coherence); for a question that asks where
//     rather than how, the bonus counts Tuning.LocateFileFactor of it.
//   - satellite: tests, examples, benchmarks, fixtures, vendored and
//     generated code (by path, or by a generator's notice at the top of
//     the file), build files (Makefiles, project files, CI), changelogs
//     and docs rank below implementation, unless the query asks for them
//     ("test", "example", "docs", "build"); for a
//     question, so does a chunk of implementation that is mostly
//     comments (a licence header, a package's documentation).
//   - logic: for a question, the chunk of a file that holds its logic
//     (branches, loops, returns) stands for the file rather than its
//     header (imports, constants, a class's doc comment and fields), and
//     a file's first chunk counts Tuning.HeaderFactor of its score in that
//     choice: the file's chunks trade scores, so the file keeps its place.
//     For a question that asks how (not where: Query.AsksHow), a file none
//     of whose candidates holds control flow (prototypes, an interface,
//     types, constants) only declares what another does, and counts
//     Tuning.DeclarationsFactor (named declarations).
//   - later_chunk: further chunks of a file already ranked decay sharply,
//     so a top 10 holds ten files rather than three chunks of one; for a
//     symbol query, those that define the symbol too (overloads) do not
//     decay and are named overload (up to MaxOverloads of a file).
//
// Each ranked hit names the rules that moved it (Ranked.Rules), so a user
// and the evaluation (eval/) can see why it ranks where it ranks. Rules
// are switched off one by one with Rules; Tuning holds the weights.
//
// Use:
//
//	q := rank.ParseQuery(text)
//	ranked := rank.Rank(hits, q, rank.Options{Mode: mode, Roots: roots, Rules: rank.AllRules, Tuning: rank.DefaultTuning})
//
// Everything here is a pure function of its arguments (caches of what is
// known of each path, and of each chunk id's control-flow keywords, only
// save work) and safe for concurrent use.
package rank
