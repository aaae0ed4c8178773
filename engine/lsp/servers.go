package lsp

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"workspace-qdrant-mcp/internal/config"
)

// command is a language server's command line.
type command struct {
	Command string
	Args    []string
}

// defaultServers lists, per language (as chunk.Language names it), the
// servers tried in order; the first found on PATH serves the language.
var defaultServers = map[string][]command{
	"go":         {{Command: "gopls"}},
	"python":     {{Command: "pylsp"}, {Command: "pyright-langserver", Args: []string{"--stdio"}}},
	"c":          {{Command: "clangd"}},
	"cpp":        {{Command: "clangd"}},
	"rust":       {{Command: "rust-analyzer"}},
	"typescript": {{Command: "typescript-language-server", Args: []string{"--stdio"}}},
	"javascript": {{Command: "typescript-language-server", Args: []string{"--stdio"}}},
}

// diskReaders are the servers that answer documentSymbol for a file
// read from disk, without textDocument/didOpen. Opening a file makes
// gopls load and type-check its package, and a file that no build of
// the workspace includes (runtime/os_plan9.go in GOROOT) as a package of
// its own: 5 to 13 s each on a loaded 2-core machine, against 2 ms at
// the median for a file left closed.
var diskReaders = map[string]bool{"gopls": true}

// Detected is a language server found at startup.
type Detected struct {
	Language string   `json:"language"`
	Command  string   `json:"command"`
	Args     []string `json:"args,omitempty"`
	Path     string   `json:"path"` // the executable LookPath found
	// ReadsDisk says the server is asked for symbols without opening the
	// file; Enrich then checks that the file still holds the text.
	ReadsDisk bool `json:"-"`
}

// detect finds, without starting anything, the server of every language:
// the configured command when lsp.servers names the language, else the
// first default found on PATH. It returns the servers found by language
// and the languages that have none.
func detect(servers map[string]config.LSPServer, lookPath func(string) (string, error)) (map[string]Detected, []string) {
	langs := map[string]bool{}
	for l := range defaultServers {
		langs[l] = true
	}
	for l := range servers {
		langs[l] = true
	}
	found := map[string]Detected{}
	var missing []string
	for _, lang := range slices.Sorted(maps.Keys(langs)) {
		cands := defaultServers[lang]
		if s, ok := servers[lang]; ok {
			if s.Command == "" {
				continue // turned off
			}
			cands = []command{{Command: s.Command, Args: s.Args}}
		}
		ok := false
		for _, c := range cands {
			p, err := lookPath(c.Command)
			if err != nil {
				continue
			}
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
			name := strings.TrimSuffix(filepath.Base(c.Command), ".exe")
			found[lang] = Detected{Language: lang, Command: c.Command, Args: slices.Clone(c.Args), Path: p, ReadsDisk: diskReaders[name]}
			ok = true
			break
		}
		if !ok {
			missing = append(missing, lang)
		}
	}
	return found, missing
}

// languageID is the LSP languageId of a file of the given language.
func languageID(language, path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".tsx":
		return "typescriptreact"
	case ".jsx":
		return "javascriptreact"
	}
	return language
}
