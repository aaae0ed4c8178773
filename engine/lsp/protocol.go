package lsp

import (
	"net/url"
	"path/filepath"
	"strings"
)

// This file holds the few Language Server Protocol types and methods that
// symbol extraction uses, as the specification names them (version 3.17).

// LSP methods used.
const (
	methodInitialize         = "initialize"
	methodInitialized        = "initialized"
	methodShutdown           = "shutdown"
	methodExit               = "exit"
	methodDidOpen            = "textDocument/didOpen"
	methodDidClose           = "textDocument/didClose"
	methodDocumentSymbol     = "textDocument/documentSymbol"
	methodConfiguration      = "workspace/configuration"
	methodWorkspaceFolders   = "workspace/workspaceFolders"
	methodProgressCreate     = "window/workDoneProgress/create"
	methodRegisterCap        = "client/registerCapability"
	methodUnregisterCap      = "client/unregisterCapability"
	methodShowMessageRequest = "window/showMessageRequest"
)

type initializeParams struct {
	ProcessID        int32              `json:"processId"`
	ClientInfo       *clientInfo        `json:"clientInfo,omitempty"`
	RootPath         string             `json:"rootPath,omitempty"`
	RootURI          string             `json:"rootUri"`
	Capabilities     clientCapabilities `json:"capabilities"`
	WorkspaceFolders []workspaceFolder  `json:"workspaceFolders,omitempty"`
}

type clientInfo struct {
	Name string `json:"name"`
}

type clientCapabilities struct {
	TextDocument *textDocumentClientCapabilities `json:"textDocument,omitempty"`
}

type textDocumentClientCapabilities struct {
	Synchronization *struct{}                       `json:"synchronization,omitempty"`
	DocumentSymbol  *documentSymbolClientCapability `json:"documentSymbol,omitempty"`
}

type documentSymbolClientCapability struct {
	HierarchicalDocumentSymbolSupport bool `json:"hierarchicalDocumentSymbolSupport,omitempty"`
}

type workspaceFolder struct {
	URI  string `json:"uri"`
	Name string `json:"name"`
}

type configurationParams struct {
	Items []struct{} `json:"items"` // only their count matters
}

type textDocumentItem struct {
	URI        string `json:"uri"`
	LanguageID string `json:"languageId"`
	Version    int32  `json:"version"`
	Text       string `json:"text"`
}

type textDocumentIdentifier struct {
	URI string `json:"uri"`
}

type didOpenParams struct {
	TextDocument textDocumentItem `json:"textDocument"`
}

type didCloseParams struct {
	TextDocument textDocumentIdentifier `json:"textDocument"`
}

type documentSymbolParams struct {
	TextDocument textDocumentIdentifier `json:"textDocument"`
}

// position and lspRange are 0-based, as the protocol counts.
type position struct {
	Line      uint32 `json:"line"`
	Character uint32 `json:"character"`
}

type lspRange struct {
	Start position `json:"start"`
	End   position `json:"end"`
}

type location struct {
	URI   string   `json:"uri"`
	Range lspRange `json:"range"`
}

// symbolKind is the protocol's SymbolKind.
type symbolKind int

const (
	symbolKindFile symbolKind = iota + 1
	symbolKindModule
	symbolKindNamespace
	symbolKindPackage
	symbolKindClass
	symbolKindMethod
	symbolKindProperty
	symbolKindField
	symbolKindConstructor
	symbolKindEnum
	symbolKindInterface
	symbolKindFunction
	symbolKindVariable
	symbolKindConstant
	symbolKindString
	symbolKindNumber
	symbolKindBoolean
	symbolKindArray
	symbolKindObject
	symbolKindKey
	symbolKindNull
	symbolKindEnumMember
	symbolKindStruct
	symbolKindEvent
	symbolKindOperator
	symbolKindTypeParameter
)

// fileURI is the file:// URI of an absolute path; a Windows path gets
// the leading slash before its drive letter (file:///C:/x).
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
