package chunk

import (
	"path/filepath"
	"regexp"
	"strings"
)

// languagesByExt names the language of files by their extension.
var languagesByExt = map[string]string{
	".go": "go",
	".py": "python", ".pyi": "python", ".pyw": "python",
	".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
	".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
	".rs": "rust",
	".c":  "c", ".h": "c",
	".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hh": "cpp", ".hpp": "cpp", ".hxx": "cpp", ".h++": "cpp",
	".inl": "cpp", ".ipp": "cpp", ".tpp": "cpp", ".tcc": "cpp", // template and inline definitions a header includes
	".java": "java", ".kt": "kotlin", ".kts": "kotlin", ".scala": "scala", ".groovy": "groovy",
	".cs": "csharp", ".fs": "fsharp", ".swift": "swift", ".m": "objective-c", ".mm": "objective-cpp",
	".rb": "ruby", ".php": "php", ".pl": "perl", ".pm": "perl", ".lua": "lua", ".r": "r",
	".dart": "dart", ".ex": "elixir", ".exs": "elixir", ".erl": "erlang", ".hrl": "erlang", ".hs": "haskell",
	".ml": "ocaml", ".mli": "ocaml", ".clj": "clojure", ".cljs": "clojure", ".cljc": "clojure", ".zig": "zig", ".nim": "nim", ".jl": "julia",
	".sh": "shell", ".bash": "shell", ".zsh": "shell", ".fish": "fish", ".ps1": "powershell",
	".md": "markdown", ".markdown": "markdown", ".mdx": "markdown", ".rst": "restructuredtext",
	".txt": "text", ".adoc": "asciidoc", ".tex": "latex",
	".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonc": "json", ".toml": "toml",
	".ini": "ini", ".cfg": "ini", ".xml": "xml", ".csv": "csv",
	".html": "html", ".htm": "html", ".css": "css", ".scss": "scss", ".sass": "sass", ".less": "less",
	".vue": "vue", ".svelte": "svelte",
	".sql": "sql", ".proto": "protobuf", ".graphql": "graphql", ".gql": "graphql",
	".tf": "terraform", ".hcl": "hcl", ".nix": "nix",
	".cmake": "cmake", ".mk": "makefile", ".gradle": "groovy",
}

// languagesByName names the language of files known by their whole name.
var languagesByName = map[string]string{
	"makefile": "makefile", "gnumakefile": "makefile",
	"dockerfile": "dockerfile", "containerfile": "dockerfile",
	"cmakelists.txt": "cmake", "go.mod": "gomod", "go.sum": "gosum",
	"gemfile": "ruby", "rakefile": "ruby", "justfile": "just",
}

// Language returns the name of the language of the file at path, judged
// by its name and extension (case-insensitively), or "" if unknown.
func Language(path string) string {
	name := strings.ToLower(filepath.Base(path))
	if lang, ok := languagesByName[name]; ok {
		return lang
	}
	if strings.HasPrefix(name, "dockerfile.") {
		return "dockerfile"
	}
	if base, ok := strings.CutSuffix(name, ".in"); ok && base != "" {
		// A template that CMake's configure_file or autoconf fills in:
		// glog/logging.h.in is C++, Makefile.in a makefile.
		return Language(base)
	}
	return languagesByExt[filepath.Ext(name)]
}

// Detect returns the language of the file at path whose text is text:
// Language(path) when the name says (and Objective-C for a .h header
// that declares Objective-C classes or #imports), else the language of the
// interpreter its #! line names, so that a script without an extension
// (bin/deploy, libexec/rbenv-exec) is cut at its functions like one with
// one. Only the first line is read.
func Detect(path, text string) string {
	lang := Language(path)
	if lang == "c" && strings.HasSuffix(strings.ToLower(path), ".h") && objcHeader.MatchString(text) {
		return "objective-c" // a header of Objective-C classes
	}
	if lang != "" {
		return lang
	}
	return Interpreted(text)
}

// objcHeader matches a line that only Objective-C starts so: a class's or
// protocol's interface, or #import.
var objcHeader = regexp.MustCompile(`(?m)^(?:@interface|@protocol|#import)\b`)

// Interpreted returns the language of the interpreter the #! line at the
// start of text names ("#!/bin/sh", "#!/usr/bin/env python3",
// "#!/usr/bin/env -S node --flag"), or "" if there is none or it is not
// one of a language Language knows.
func Interpreted(text string) string {
	if !strings.HasPrefix(text, "#!") {
		return ""
	}
	line := text[2:]
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if len(line) > maxShebang {
		return "" // no interpreter line is this long: a binary, or junk
	}
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return ""
	}
	prog := lastElem(fields[0])
	if prog == "env" {
		prog = ""
		for _, f := range fields[1:] {
			if strings.HasPrefix(f, "-") || strings.Contains(f, "=") {
				continue // env's own flags (-S, -i) and VAR=value
			}
			prog = lastElem(f)
			break
		}
	}
	prog = strings.TrimRight(strings.ToLower(prog), "0123456789.-") // python3.11, lua5.4, perl5
	return interpreters[prog]
}

// maxShebang bounds the #! line Interpreted reads.
const maxShebang = 256

// lastElem returns the last element of a slash-separated path.
func lastElem(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// interpreters names the language of each interpreter a #! line may name,
// without its version.
var interpreters = map[string]string{
	"sh": "shell", "bash": "shell", "zsh": "shell", "ksh": "shell", "dash": "shell", "ash": "shell", "mksh": "shell",
	"python": "python", "pypy": "python",
	"ruby": "ruby", "jruby": "ruby",
	"node": "javascript", "nodejs": "javascript", "bun": "javascript", "deno": "typescript", "ts-node": "typescript", "tsx": "typescript",
	"perl": "perl", "php": "php", "lua": "lua", "luajit": "lua", "rscript": "r",
	"escript": "erlang", "elixir": "elixir", "julia": "julia", "fish": "fish", "pwsh": "powershell",
	"runhaskell": "haskell", "runghc": "haskell", "groovy": "groovy", "scala": "scala", "ocaml": "ocaml", "swift": "swift", "dart": "dart",
}
