package tools

import (
	"context"
	"errors"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"workspace-qdrant-mcp/engine"
)

func findRelated(eng Engine) server.ServerTool {
	params := append(documentParams("to start from"),
		mcp.WithInteger("line", mcp.Min(1),
			mcp.Description("A line of the document: the chunk holding it is the one compared (default: the first chunk).")),
		mcp.WithInteger("limit", mcp.Min(1), mcp.Max(maxLimit), mcp.DefaultNumber(defaultLimit),
			mcp.Description("Maximum number of results.")),
		mcp.WithInteger("max_per_file", mcp.Min(0), mcp.Max(maxLimit), mcp.DefaultNumber(engine.DefaultMaxPerFile),
			mcp.Description("At most this many results from one file; 0: no cap.")),
		mcp.WithString("path_glob",
			mcp.Description(`Only files whose path matches this glob, e.g. "**/*.go"; a leading "!" excludes matches instead.`)),
		mcp.WithString("language", mcp.Description(`Only files of this language, e.g. "go".`)),
		mcp.WithBoolean("same_file", mcp.DefaultBool(false),
			mcp.Description("Also return other parts of the same file (never the chunk itself or chunks overlapping it).")),
	)
	tool := newTool("find_related", "Find related code",
		"Find the code most like one place of the workspace, elsewhere in it: give a file (path) and a line, "+
			"or a document id. The chunk holding the line is compared by meaning (its embedding) and by its most "+
			"frequent words, and the results have search's shape and ranking rules. source names the chunk "+
			"compared. Use it to find similar implementations, other callers of a pattern, or duplicated code; "+
			"exact copies of one text are one result that lists them in copies.",
		readOnly, append(params, outputSchema[engine.RelatedResponse]())...)
	return server.ServerTool{Tool: tool, Handler: adapt(tool.Name, func(ctx context.Context, a *args) (any, error) {
		req := engine.RelatedRequest{
			Ref:      documentRef(a),
			Line:     a.Int("line", 0, 1, 1<<31-1),
			Limit:    a.Int("limit", defaultLimit, 1, maxLimit),
			PathGlob: a.String("path_glob"),
			Language: a.String("language"),
			SameFile: a.Bool("same_file"),
		}
		req.MaxPerFile = maxPerFile(a)
		checkPathGlob(a, req.PathGlob)
		if err := a.Err(); err != nil {
			return nil, err
		}
		resp, err := eng.FindRelated(ctx, req)
		if le, ok := errors.AsType[*engine.LineError](err); ok {
			return nil, invalid("line", "%v: the document's chunks cover lines %d-%d", engine.ErrLineOutside, le.First, le.Last)
		}
		if err != nil {
			return nil, documentError(req.Ref, err)
		}
		return resp, nil
	})}
}
