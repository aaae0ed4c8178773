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

// Detected is a language server found at startup.
type Detected struct {
	Language string   `json:"language"`
	Command  string   `json:"command"`
	Args     []string `json:"args,omitempty"`
	Path     string   `json:"path"` // the executable LookPath found
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
			found[lang] = Detected{Language: lang, Command: c.Command, Args: slices.Clone(c.Args), Path: p}
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
