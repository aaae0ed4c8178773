package peer

// The wire format of Protocol: the requests of the calls, and the answers
// that are not a workspace tool's own answer, as explicit DTOs with json
// tags. The engine converts its own types to and from them, so that a
// field renamed in the engine does not silently change what crosses the
// socket; TestWireGolden pins each DTO's JSON under testdata/wire. The
// answers of search, find_related, add_document, get_document,
// list_collections, list_notes and status are the engine's JSON answers
// as the tools show them, pinned by the tools' own tests.
//
// A change to any of them that an older server could misread bumps
// Protocol (and the golden files with it).

// Hello is the indexer's answer to a reader that connects.
type Hello struct {
	PID        int      `json:"pid"`
	Version    string   `json:"version"`
	Protocol   int      `json:"protocol"`
	Roots      []string `json:"roots"`
	Collection string   `json:"collection"`
}

// SearchRequest is a search forwarded by a reader. Ranking experiments
// (tuning and rule overrides) do not cross the wire: a reader refuses
// them.
type SearchRequest struct {
	Query           string   `json:"query"`
	Limit           int      `json:"limit"`
	Mode            string   `json:"mode,omitempty"`
	Collection      string   `json:"collection,omitempty"`
	PathGlob        string   `json:"path_glob,omitempty"`
	Language        string   `json:"language,omitempty"`
	MaxPerFile      int      `json:"max_per_file,omitempty"`
	ScoreThreshold  *float64 `json:"score_threshold,omitempty"`
	MinKeywordScore *float64 `json:"min_keyword_score,omitempty"`
	ContextLines    int      `json:"context_lines,omitempty"`
	Symbol          string   `json:"symbol,omitempty"`
}

// DocumentRef names a document by id or by workspace path.
type DocumentRef struct {
	ID   string `json:"id,omitempty"`
	Path string `json:"path,omitempty"`
}

// RelatedRequest is a find_related forwarded by a reader.
type RelatedRequest struct {
	Ref        DocumentRef `json:"ref"`
	Line       int         `json:"line,omitempty"`
	Limit      int         `json:"limit"`
	MaxPerFile int         `json:"max_per_file,omitempty"`
	PathGlob   string      `json:"path_glob,omitempty"`
	Language   string      `json:"language,omitempty"`
	SameFile   bool        `json:"same_file,omitempty"`
}

// AddDocumentRequest is a note forwarded by a reader.
type AddDocumentRequest struct {
	Content    string            `json:"content"`
	Title      string            `json:"title,omitempty"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	Collection string            `json:"collection,omitempty"`
}

// Deleted is delete_document's answer.
type Deleted struct {
	ID     string `json:"id"`
	Chunks int    `json:"chunks"`
}

// Progress is the indexer's progress, for a reader's WaitIndexed.
type Progress struct {
	Indexing bool `json:"indexing"`
	Done     int  `json:"done"`
	Pending  int  `json:"pending"`
}

// Empty is the request of the calls that take none, and ping's answer.
type Empty struct{}
