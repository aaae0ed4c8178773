package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/config"
	"workspace-qdrant-mcp/internal/enginetest"
	"workspace-qdrant-mcp/internal/version"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testConfig is a valid configuration whose data lives in temporary
// directories; workspace roots are the given directories.
func testConfig(t testing.TB, roots ...string) config.Config {
	t.Helper()
	return enginetest.Valid(t, roots)
}

// stoppedEngine is a real engine that is never started.
func stoppedEngine(t testing.TB) *engine.Manager {
	return engine.New(testConfig(t), engine.Options{Logger: zerolog.Nop()})
}

// toolNamed returns the tool called name, bound to eng.
func toolNamed(t testing.TB, eng Engine, name string) server.ServerTool {
	t.Helper()
	for _, tool := range Tools(eng) {
		if tool.Tool.Name == name {
			return tool
		}
	}
	t.Fatalf("no tool %q", name)
	return server.ServerTool{}
}

// call runs a tool's real handler with arguments as a client would send
// them (decoded from JSON).
func call(t testing.TB, eng Engine, name, arguments string) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	if arguments != "" {
		if err := json.Unmarshal([]byte(arguments), &req.Params.Arguments); err != nil {
			t.Fatalf("bad test arguments %s: %v", arguments, err)
		}
	}
	st := toolNamed(t, eng, name)
	res, err := st.Handler(context.Background(), req)
	if err != nil {
		t.Fatalf("%s returned a protocol error: %v", name, err)
	}
	conforms(t, st.Tool, res)
	return res
}

// conforms checks a result's structured content, errors included,
// against the tool's declared output schema: every call a test makes
// through call is checked.
func conforms(t testing.TB, tool mcp.Tool, res *mcp.CallToolResult) {
	t.Helper()
	if res.StructuredContent == nil {
		return
	}
	raw := []byte(tool.RawOutputSchema)
	var schema jsonschema.Schema
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatalf("%s: output schema %s: %v", tool.Name, raw, err)
	}
	resolved, err := schema.Resolve(nil)
	if err != nil {
		t.Fatalf("%s: output schema: %v", tool.Name, err)
	}
	var instance any
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &instance); err != nil {
		t.Fatal(err)
	}
	if err := resolved.Validate(instance); err != nil {
		t.Errorf("%s: structured content does not conform to its output schema: %v\n%s", tool.Name, err, b)
	}
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := mcp.AsTextContent(c); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// structuredMap decodes a result's structured content as JSON.
func structuredMap(t testing.TB, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("structured content %s is not an object: %v", b, err)
	}
	return m
}

func TestArgumentValidation(t *testing.T) {
	eng := stoppedEngine(t)
	tests := []struct {
		tool, args, want string
	}{
		{"search", `{}`, "query: is required"},
		{"search", `{"query": ""}`, "query: must not be empty"},
		{"search", `{"query": "   "}`, "query: must not be empty"},
		{"search", `{"query": 5}`, "query: must be a string, got number"},
		{"search", `{"query": "x", "limit": 500}`, "limit: must be between 1 and 100, got 500"},
		{"search", `{"query": "x", "limit": 0}`, "limit: must be between 1 and 100, got 0"},
		{"search", `{"query": "x", "limit": 2.5}`, "limit: must be a whole number, got 2.5"},
		{"search", `{"query": "x", "limit": "10"}`, "limit: must be a number, got string"},
		{"search", `{"query": "x", "mode": "fuzzy"}`, `mode: must be one of hybrid, semantic, keyword, got "fuzzy"`},
		{"search", `{"query": "x", "mode": 1}`, "mode: must be a string, got number"},
		{"search", `{"query": "x", "collection": true}`, "collection: must be a string, got boolean"},
		{"search", `{"query": "x", "path_glob": "src/[a"}`, `path_glob: "src/[a" is not a valid glob pattern: syntax error in pattern`},
		{"search", `{"query": "x", "path_glob": "!"}`, `path_glob: "!" is not a valid glob pattern: nothing to exclude`},
		{"search", `{"query": "x", "language": ["go"]}`, "language: must be a string, got array"},
		{"search", `{"query": "x", "top_k": 3}`, "top_k: unknown argument (expected collection, context_lines, language, limit, max_per_file, min_keyword_score, mode, path_glob, query, score_threshold, symbol)"},
		{"search", `{"query": "how is it"}`, `query: "how is it" has no searchable words: it is only stop words or punctuation`},
		{"search", `{"query": "?!"}`, `query: "?!" has no searchable words: it is only stop words or punctuation`},
		{"search", `{"query": "` + strings.Repeat("word ", 4000) + `"}`, "query: is 20000 bytes long; at most 16384: search with the words that matter"},
		{"search", `{"query": "x", "max_per_file": -1}`, "max_per_file: must be between 0 and 100, got -1"},
		{"search", `{"query": "x", "max_per_file": 1.5}`, "max_per_file: must be a whole number, got 1.5"},
		{"search", `{"query": "x", "score_threshold": 1.5}`, "score_threshold: must be between -1 and 1, got 1.5"},
		{"search", `{"query": "x", "score_threshold": "high"}`, "score_threshold: must be a number, got string"},
		{"search", `{"query": "x", "min_keyword_score": -2}`, "min_keyword_score: must be at least 0, got -2"},
		{"search", `{"query": "x", "context_lines": 51}`, "context_lines: must be between 0 and 50, got 51"},
		{"find_related", `{}`, "id, path: one of id or path is required"},
		{"find_related", `{"path": "a.go", "line": 0}`, "line: must be between 1 and"},
		{"find_related", `{"path": "a.go", "line": "3"}`, "line: must be a number, got string"},
		{"find_related", `{"id": "x", "same_file": "yes"}`, "same_file: must be a boolean, got string"},
		{"find_related", `{"id": "x", "path_glob": "[a"}`, `path_glob: "[a" is not a valid glob pattern`},
		{"add_document", `{}`, "content: is required"},
		{"add_document", `{"content": ""}`, "content: must not be empty"},
		{"add_document", `{"content": 7}`, "content: must be a string, got number"},
		{"add_document", `{"content": "x", "title": 1}`, "title: must be a string, got number"},
		{"add_document", `{"content": "x", "metadata": "tag"}`, "metadata: must be an object of string values, got string"},
		{"add_document", `{"content": "x", "metadata": {"n": 1}}`, "metadata.n: must be a string, got number"},
		{"add_document", `{"content": "x", "collection": false}`, "collection: must be a string, got boolean"},
		{"get_document", `{}`, "id, path: one of id or path is required"},
		{"get_document", `{"id": "a", "path": "b"}`, "id, path: give exactly one of id or path, not both"},
		{"get_document", `{"id": 5}`, "id: must be a string, got number"},
		{"get_document", `{"path": {}}`, "path: must be a string, got object"},
		{"delete_document", `{}`, "id, path: one of id or path is required"},
		{"delete_document", `{"id": "a", "path": "b"}`, "id, path: give exactly one of id or path, not both"},
		{"engine_stop", `{"timeout_seconds": 0}`, "timeout_seconds: must be greater than 0 and at most 3600 seconds, got 0"},
		{"engine_stop", `{"timeout_seconds": -1}`, "timeout_seconds: must be greater than 0"},
		{"engine_stop", `{"timeout_seconds": 4000}`, "timeout_seconds: must be greater than 0 and at most 3600 seconds, got 4000"},
		{"engine_stop", `{"timeout_seconds": "5"}`, "timeout_seconds: must be a number, got string"},
		{"engine_stop", `{"force": "yes"}`, "force: must be a boolean, got string"},
		{"engine_status", `{"verbose": true}`, "verbose: unknown argument (this tool takes no arguments)"},
		{"engine_start", `{"now": true}`, "now: unknown argument"},
		{"list_collections", `{"name": "x"}`, "name: unknown argument"},
		{"engine_health", `[1]`, "arguments: must be a JSON object, got array"},
		{"engine_health", `{"history_limit": -1}`, "history_limit: must be between 0 and 100, got -1"},
		{"engine_health", `{"history_limit": 101}`, "history_limit: must be between 0 and 100, got 101"},
		{"engine_health", `{"history_limit": 1.5}`, "history_limit: must be a whole number, got 1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.args, func(t *testing.T) {
			res := call(t, eng, tt.tool, tt.args)
			if !res.IsError {
				t.Fatalf("IsError = false, want a tool error; text: %s", text(res))
			}
			if got := text(res); !strings.HasPrefix(got, tt.want) {
				t.Errorf("error = %q, want it to start with %q", got, tt.want)
			}
		})
	}
	if st := eng.State(); st != engine.StateStopped {
		t.Errorf("state after invalid calls = %s, want stopped", st)
	}
}

func TestWorkspaceToolsRefuseWhileStopped(t *testing.T) {
	eng := stoppedEngine(t)
	calls := map[string]string{
		"search":           `{"query": "parse duration"}`,
		"add_document":     `{"content": "remember this"}`,
		"get_document":     `{"id": "note:1"}`,
		"delete_document":  `{"path": "main.go"}`,
		"list_collections": ``,
		"find_related":     `{"path": "main.go", "line": 3}`,
	}
	for name, args := range calls {
		t.Run(name, func(t *testing.T) {
			res := call(t, eng, name, args)
			got := text(res)
			if !res.IsError {
				t.Fatalf("IsError = false; text: %s", got)
			}
			for _, want := range []string{name + ":", "not running", "stopped", "engine_start"} {
				if !strings.Contains(got, want) {
					t.Errorf("error %q does not mention %q", got, want)
				}
			}
		})
	}
}

func TestLifecycleToolsOnStoppedEngine(t *testing.T) {
	eng := stoppedEngine(t)

	res := call(t, eng, "engine_status", "")
	if res.IsError || structuredMap(t, res)["state"] != "stopped" {
		t.Errorf("engine_status = %s, want state stopped", text(res))
	}

	res = call(t, eng, "engine_health", "{}")
	if m := structuredMap(t, res); res.IsError || m["overall_status"] != "UNHEALTHY" {
		t.Errorf("engine_health = %s, want UNHEALTHY", text(res))
	}

	res = call(t, eng, "engine_stop", `{"timeout_seconds": 1.5, "force": true}`)
	m := structuredMap(t, res)
	if res.IsError || m["state"] != "stopped" || m["message"] != "engine already stopped" {
		t.Errorf("engine_stop = %s, want a harmless stop of a stopped engine", text(res))
	}
	for _, key := range []string{"drained_tasks", "remaining_tasks", "duration_ms"} {
		if _, ok := m[key]; !ok {
			t.Errorf("engine_stop result lacks %s: %s", key, text(res))
		}
	}
}

// TestResultsAreJSONText checks that the text of every answer is the JSON
// of its structured content.
func TestResultsAreJSONText(t *testing.T) {
	eng := stoppedEngine(t)
	for _, name := range []string{"engine_status", "engine_health", "engine_stop"} {
		res := call(t, eng, name, "")
		want, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if got := text(res); got != string(want) {
			t.Errorf("%s text = %s, want %s", name, got, want)
		}
	}
}

func TestToolDefinitions(t *testing.T) {
	all := Tools(stoppedEngine(t))
	if len(all) != 11 {
		t.Fatalf("%d tools, want 11", len(all))
	}
	readOnly := map[string]bool{"engine_status": true, "engine_health": true, "search": true, "find_related": true, "get_document": true, "list_collections": true}
	// Destructive: what a call can lose. delete_document forgets a note
	// for good; engine_restart with reindex drops the workspace index.
	destructive := map[string]bool{"delete_document": true, "engine_restart": true}
	seen := map[string]bool{}
	for _, st := range all {
		tool := st.Tool
		if seen[tool.Name] {
			t.Errorf("tool %s listed twice", tool.Name)
		}
		seen[tool.Name] = true
		a := tool.Annotations
		switch {
		case tool.Description == "":
			t.Errorf("%s has no description", tool.Name)
		case a.OpenWorldHint == nil || *a.OpenWorldHint:
			t.Errorf("%s: openWorldHint should be false", tool.Name)
		case a.ReadOnlyHint == nil || *a.ReadOnlyHint != readOnly[tool.Name]:
			t.Errorf("%s: readOnlyHint should be %v", tool.Name, readOnly[tool.Name])
		case a.DestructiveHint == nil || *a.DestructiveHint != destructive[tool.Name]:
			t.Errorf("%s: destructiveHint should be %v", tool.Name, destructive[tool.Name])
		case !strings.Contains(string(tool.RawOutputSchema), `"properties"`) || !strings.Contains(string(tool.RawOutputSchema), `"type":"object"`):
			t.Errorf("%s: no output schema: %s", tool.Name, tool.RawOutputSchema)
		case tool.Title == "" || tool.Title != a.Title:
			t.Errorf("%s: title %q should be set and match the title annotation %q", tool.Name, tool.Title, a.Title)
		case tool.InputSchema.AdditionalProperties != false:
			t.Errorf("%s: input schema should refuse unknown properties", tool.Name)
		}
		if _, err := json.Marshal(tool); err != nil {
			t.Errorf("%s does not marshal: %v", tool.Name, err)
		}
	}

	search := toolNamed(t, stoppedEngine(t), "search").Tool.InputSchema
	if fmt.Sprint(search.Required) != "[query]" {
		t.Errorf("search requires %v, want [query]", search.Required)
	}
	limit := search.Properties["limit"].(map[string]any)
	if limit["type"] != "integer" || limit["minimum"] != 1 || limit["maximum"] != maxLimit {
		t.Errorf("search limit schema = %v", limit)
	}
	mode := search.Properties["mode"].(map[string]any)
	if fmt.Sprint(mode["enum"]) != "[hybrid semantic keyword]" {
		t.Errorf("search mode enum = %v", mode["enum"])
	}
}

// fakeEngine is a stopped real engine whose chosen methods fail on demand.
type fakeEngine struct {
	*engine.Manager
	startErr error
	docErr   error
}

func (f *fakeEngine) Start(context.Context) error { return f.startErr }

func (f *fakeEngine) GetDocument(context.Context, engine.DocumentRef) (storage.Document, error) {
	return storage.Document{}, f.docErr
}

func (f *fakeEngine) DeleteDocument(context.Context, engine.DocumentRef) (string, int, error) {
	return "", 0, f.docErr
}

func (f *fakeEngine) AddDocument(context.Context, engine.AddDocumentRequest) (engine.AddDocumentResult, error) {
	return engine.AddDocumentResult{}, f.docErr
}

func TestEngineStartOutcomes(t *testing.T) {
	eng := &fakeEngine{Manager: stoppedEngine(t), startErr: engine.ErrAlreadyRunning}
	res := call(t, eng, "engine_start", "")
	if m := structuredMap(t, res); res.IsError || m["message"] != "engine already running" || m["state"] == nil {
		t.Errorf("engine_start on a running engine = %s, want a no-op that says so", text(res))
	}

	eng.startErr = fmt.Errorf("startup phase initialize: %w", errors.New("disk full"))
	res = call(t, eng, "engine_start", "")
	m := structuredMap(t, res)
	if !res.IsError {
		t.Fatalf("failed start is not a tool error: %s", text(res))
	}
	if msg, _ := m["message"].(string); msg != "engine start failed: startup phase initialize: disk full" {
		t.Errorf("message = %q", msg)
	}
	if m["state"] != "stopped" || m["version"] != version.String() {
		t.Errorf("failed start does not carry the status: %s", text(res))
	}
}

func TestDocumentErrors(t *testing.T) {
	eng := &fakeEngine{Manager: stoppedEngine(t)}
	tests := []struct {
		err        error
		tool, args string
		want       string
	}{
		{fmt.Errorf("get note:9: %w", storage.ErrNotFound), "get_document", `{"id": "note:9"}`, "document note:9 not found"},
		{fmt.Errorf("delete: %w", storage.ErrNotFound), "delete_document", `{"id": "note:9"}`, "document note:9 not found"},
		{fmt.Errorf("delete: %w", storage.ErrNotFound), "delete_document", `{"path": "gone.go"}`, "document gone.go not found"},
		{fmt.Errorf("%w: /etc/passwd resolves to /etc/passwd, which is not under /ws", engine.ErrOutsideWorkspace), "get_document", `{"path": "/etc/passwd"}`,
			"get_document: path is outside the workspace: /etc/passwd resolves to /etc/passwd, which is not under /ws"},
		{fmt.Errorf("%w: writes are refused while the engine shuts down; call engine_start once it has stopped", engine.ErrStopping), "add_document", `{"content": "x"}`,
			"add_document: engine stopping: writes are refused while the engine shuts down; call engine_start once it has stopped"},
	}
	for _, tt := range tests {
		eng.docErr = tt.err
		res := call(t, eng, tt.tool, tt.args)
		if got := text(res); !res.IsError || !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s %s with %v = %q (IsError %v), want %q", tt.tool, tt.args, tt.err, got, res.IsError, tt.want)
		}
	}
}

// Every argument a handler reads is declared in its tool's input schema,
// and the reverse: the schema refuses unknown properties, so an argument
// missing from it would be rejected by a client that validates, and never
// offered to the model.
func TestSchemasDeclareEveryArgument(t *testing.T) {
	required := map[string]string{ // the least each tool needs to read its arguments
		"search":          `"query": "x"`,
		"add_document":    `"content": "x"`,
		"get_document":    `"id": "x"`,
		"delete_document": `"id": "x"`,
		"find_related":    `"id": "x"`,
	}
	eng := stoppedEngine(t)
	for _, st := range Tools(eng) {
		name := st.Tool.Name
		t.Run(name, func(t *testing.T) {
			args := `{"zz_unknown": 1}`
			if r := required[name]; r != "" {
				args = `{` + r + `, "zz_unknown": 1}`
			}
			got := text(call(t, eng, name, args))
			_, expected, ok := strings.Cut(got, "unknown argument (")
			if !ok {
				t.Fatalf("%s with an unknown argument = %q, want it refused", name, got)
			}
			var read []string
			if list, ok := strings.CutPrefix(strings.TrimSuffix(expected, ")"), "expected "); ok {
				read = strings.Split(list, ", ")
			}
			declared := slices.Sorted(maps.Keys(st.Tool.InputSchema.Properties))
			if !slices.Equal(read, declared) {
				t.Errorf("the handler reads %v, the schema declares %v", read, declared)
			}
		})
	}
}
