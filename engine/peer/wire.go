package peer

// The wire format of Protocol: the requests of the calls, and the answers
// that are not a tool's own JSON answer, as explicit DTOs with json tags.
// The engine converts its own types to and from them, so that a field
// renamed in the engine does not silently change what crosses the socket;
// TestWireGolden pins each DTO's JSON under testdata/wire. The answers of
// search, find_related, add_document, list_notes_page and status cross as the
// engine's JSON answers, which the tools show as they are and their own
// tests pin.
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

// NotesQuery is a list_notes_page forwarded by a reader: the cursor of
// the previous page ("" for the first) and the page's size (0: the
// indexer's default).
type NotesQuery struct {
	Cursor string `json:"cursor,omitempty"`
	Limit  int    `json:"limit,omitempty"`
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

// Document is get_document's answer: a stored document with its chunks,
// without their vectors.
type Document struct {
	ID         string            `json:"id"`
	Collection string            `json:"collection"`
	Kind       string            `json:"kind"`
	Path       string            `json:"path,omitempty"`
	Title      string            `json:"title,omitempty"`
	Metadata   map[string]string `json:"metadata"`
	Chunks     []Chunk           `json:"chunks"`
}

// Chunk is one chunk of a Document.
type Chunk struct {
	ID         string            `json:"id"`
	DocID      string            `json:"doc_id"`
	Collection string            `json:"collection"`
	Kind       string            `json:"kind"`
	Path       string            `json:"path,omitempty"`
	Title      string            `json:"title,omitempty"`
	Language   string            `json:"language,omitempty"`
	Ordinal    int               `json:"ordinal"`
	StartLine  int               `json:"start_line"`
	EndLine    int               `json:"end_line"`
	Text       string            `json:"text"`
	Hash       string            `json:"hash"`
	Metadata   map[string]string `json:"metadata"`
}

// CollectionInfo is one collection of list_collections' answer.
type CollectionInfo struct {
	Name      string `json:"name"`
	Documents int    `json:"documents"`
	Chunks    int    `json:"chunks"`
}

// Empty is the request of the calls that take none, and ping's answer.
type Empty struct{}

// LineOutside is the detail of find_related's refusal of a line that no
// chunk of the document holds (the engine's LineError).
type LineOutside struct {
	Line  int `json:"line"`
	First int `json:"first"`
	Last  int `json:"last"`
}
