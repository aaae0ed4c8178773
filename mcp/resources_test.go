package mcp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine"
	"workspace-qdrant-mcp/tools"
)

// TestResources lists the notes page by page, reads a note, a file and
// the status, and finds a deleted note gone from the list.
func TestResources(t *testing.T) {
	defer func(n int) { pageSize = n }(pageSize)
	pageSize = 2
	eng := indexEngine(t)
	s := serveWith(t, New(eng, zerolog.Nop()))
	s.initialize(t)
	ctx := context.Background()

	// While the engine is stopped only the status is listed.
	if uris := listAll(t, s); len(uris) != 1 || uris[0] != tools.StatusURI {
		t.Errorf("resources while stopped = %v, want the status alone", uris)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := eng.WaitIndexed(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, title := range []string{"alpha", "beta", "gamma"} {
		res, err := eng.AddDocument(ctx, engine.AddDocumentRequest{Content: "the " + title + " note\n", Title: title})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ID)
	}
	uris := listAll(t, s)
	if len(uris) != 4 {
		t.Fatalf("resources = %v, want the status and 3 notes", uris)
	}
	for _, id := range ids {
		if !strings.Contains(strings.Join(uris, " "), tools.DocumentURI(id)) {
			t.Errorf("note %s (%s) not listed in %v", id, tools.DocumentURI(id), uris)
		}
	}

	if text := read(t, s, tools.DocumentURI(ids[1])); text != "the beta note\n" {
		t.Errorf("note read as %q", text)
	}
	var st engine.Status
	if err := json.Unmarshal([]byte(read(t, s, tools.StatusURI)), &st); err != nil || st.State != engine.StateRunning || st.Index.Files != 1 {
		t.Errorf("status resource = %+v, %v", st, err)
	}
	// A workspace file is read through the template alone.
	status := eng.Status(ctx)
	file := tools.DocumentURI("file:" + status.Workspace.Roots[0] + "/hello.go")
	if text := read(t, s, file); !strings.Contains(text, "func Hello()") {
		t.Errorf("file %s read as %q", file, text)
	}
	req := mcpgo.ReadResourceRequest{}
	req.Params.URI = tools.DocumentURI("note:missing")
	if _, err := s.client.ReadResource(ctx, req); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("read of a missing note: %v, want not found", err)
	}
	tmpls, err := s.client.ListResourceTemplates(ctx, mcpgo.ListResourceTemplatesRequest{})
	if err != nil || len(tmpls.ResourceTemplates) != 1 || tmpls.ResourceTemplates[0].URITemplate.Raw() != tools.DocumentTemplate {
		t.Errorf("templates = %+v, %v", tmpls, err)
	}

	if _, _, err := eng.DeleteDocument(ctx, engine.DocumentRef{ID: ids[0]}); err != nil {
		t.Fatal(err)
	}
	if uris := listAll(t, s); len(uris) != 3 || strings.Contains(strings.Join(uris, " "), tools.DocumentURI(ids[0])) {
		t.Errorf("resources after deleting %s = %v", ids[0], uris)
	}
}

// listAll lists every resource, following the cursor, and checks that
// the pages are no larger than pageSize.
func listAll(t *testing.T, s *session) []string {
	t.Helper()
	var uris []string
	req := mcpgo.ListResourcesRequest{}
	for range 10 {
		res, err := s.client.ListResourcesByPage(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Resources) > pageSize {
			t.Errorf("a page of %d resources, want at most %d", len(res.Resources), pageSize)
		}
		for _, r := range res.Resources {
			uris = append(uris, r.URI)
		}
		if res.NextCursor == "" {
			return uris
		}
		req.Params.Cursor = res.NextCursor
	}
	t.Fatal("resources/list never ends")
	return nil
}

// read reads a text resource.
func read(t *testing.T, s *session, uri string) string {
	t.Helper()
	req := mcpgo.ReadResourceRequest{}
	req.Params.URI = uri
	res, err := s.client.ReadResource(context.Background(), req)
	if err != nil {
		t.Fatalf("read %s: %v", uri, err)
	}
	if len(res.Contents) != 1 {
		t.Fatalf("read %s: %d contents", uri, len(res.Contents))
	}
	text, ok := res.Contents[0].(mcpgo.TextResourceContents)
	if !ok || text.URI != uri {
		t.Fatalf("read %s: %+v", uri, res.Contents[0])
	}
	return text.Text
}
