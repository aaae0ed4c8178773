package chunk

import (
	"path/filepath"
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
	".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hh": "cpp", ".hpp": "cpp", ".hxx": "cpp",
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
	return languagesByExt[filepath.Ext(name)]
}
