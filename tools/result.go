package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// handler is one tool's logic: it reads its arguments from a (checking
// a.Err before acting) and returns the object to answer with, or an error
// that becomes a tool error.
type handler func(ctx context.Context, a *args) (any, error)

// toolError is an error whose message is shown to the model as is, with
// an optional object (such as the engine status) sent along with it.
type toolError struct {
	msg  string
	data any
}

func (e *toolError) Error() string { return e.msg }

// invalid reports a bad argument; the message starts with its name.
func invalid(name, format string, v ...any) error {
	return &toolError{msg: name + ": " + fmt.Sprintf(format, v...)}
}

// failed reports a failure that carries data, whose JSON form is what
// the model reads; data should include the message.
func failed(msg string, data any) error { return &toolError{msg: msg, data: data} }

// adapt turns a handler into an MCP tool handler: the answer becomes a
// structured result, an error becomes a tool error. Errors other than
// toolErrors come from the engine and are prefixed with the tool's name.
func adapt(name string, h handler) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		out, err := h(ctx, newArgs(req))
		if err != nil {
			return errorResult(name, err), nil
		}
		return structured(out, false), nil
	}
}

// structured answers with obj as structured content and as JSON text.
func structured(obj any, isError bool) *mcp.CallToolResult {
	text, err := json.Marshal(obj)
	if err != nil {
		return mcp.NewToolResultError(fmt.Sprintf("encode result: %v", err))
	}
	res := mcp.NewToolResultStructured(obj, string(text))
	res.IsError = isError
	return res
}

func errorResult(name string, err error) *mcp.CallToolResult {
	var te *toolError
	if errors.As(err, &te) {
		if te.data != nil {
			return structured(te.data, true)
		}
		return mcp.NewToolResultError(te.msg)
	}
	return mcp.NewToolResultError(name + ": " + err.Error())
}

// newTool builds a tool whose input schema refuses unknown properties.
func newTool(name, title, description string, behaviour mcp.ToolOption, params ...mcp.ToolOption) mcp.Tool {
	opts := []mcp.ToolOption{
		mcp.WithDescription(description),
		mcp.WithToolTitle(title), // what clients show since protocol 2025-06-18
		mcp.WithTitleAnnotation(title),
		behaviour,
		mcp.WithSchemaAdditionalProperties(false),
	}
	return mcp.NewTool(name, append(opts, params...)...)
}

// hints sets the behaviour annotations of a tool; openWorld is always
// false, as every tool acts on the local engine and index only.
func hints(readOnly, destructive, idempotent bool) mcp.ToolOption {
	opts := []mcp.ToolOption{
		mcp.WithReadOnlyHintAnnotation(readOnly),
		mcp.WithDestructiveHintAnnotation(destructive),
		mcp.WithIdempotentHintAnnotation(idempotent),
		mcp.WithOpenWorldHintAnnotation(false),
	}
	return func(t *mcp.Tool) {
		for _, o := range opts {
			o(t)
		}
	}
}

// readOnly marks a tool that only reads.
var readOnly = hints(true, false, true)
