package tools

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// args reads one call's arguments. Every accessor records its argument as
// known; the first problem is kept as an error naming the argument, and
// accessors called after it return zero values. Call Err once every
// argument has been read: it also refuses arguments the tool does not
// know, so a misspelt name is reported rather than silently ignored.
type args struct {
	raw   map[string]any
	known map[string]bool
	err   error
	// progress is the request's progress token, nil when the client
	// asked for no progress notifications.
	progress mcp.ProgressToken
}

func newArgs(req mcp.CallToolRequest) *args {
	a := &args{known: map[string]bool{}}
	if req.Params.Meta != nil {
		a.progress = req.Params.Meta.ProgressToken
	}
	switch v := req.Params.Arguments.(type) {
	case nil:
	case map[string]any:
		a.raw = v
	default:
		a.err = invalid("arguments", "must be a JSON object, got %s", jsonType(v))
	}
	return a
}

// Err reports the first bad argument, or an argument nobody read.
func (a *args) Err() error {
	if a.err != nil {
		return a.err
	}
	var unknown []string
	for name := range a.raw {
		if !a.known[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	known := make([]string, 0, len(a.known))
	for name := range a.known {
		known = append(known, name)
	}
	slices.Sort(known)
	expected := "this tool takes no arguments"
	if len(known) > 0 {
		expected = "expected " + strings.Join(known, ", ")
	}
	return invalid(strings.Join(unknown, ", "), "unknown argument (%s)", expected)
}

// fail keeps the first problem.
func (a *args) fail(err error) {
	if a.err == nil {
		a.err = err
	}
}

// get returns a present, non-null argument. It returns false after an
// earlier problem, so accessors stop doing work.
func (a *args) get(name string) (any, bool) {
	a.known[name] = true
	if a.err != nil {
		return nil, false
	}
	v, ok := a.raw[name]
	return v, ok && v != nil
}

// String returns an optional string argument, "" when absent.
func (a *args) String(name string) string {
	v, ok := a.get(name)
	if !ok {
		return ""
	}
	s, isString := v.(string)
	if !isString {
		a.fail(invalid(name, "must be a string, got %s", jsonType(v)))
	}
	return s
}

// RequiredString returns a string argument that must be present and not
// blank.
func (a *args) RequiredString(name string) string {
	if _, ok := a.get(name); !ok {
		a.fail(invalid(name, "is required"))
		return ""
	}
	s := a.String(name)
	if a.err == nil && strings.TrimSpace(s) == "" {
		a.fail(invalid(name, "must not be empty"))
	}
	return s
}

// number returns an optional numeric argument.
func (a *args) number(name string) (float64, bool) {
	v, ok := a.get(name)
	if !ok {
		return 0, false
	}
	f, isNumber := v.(float64)
	if !isNumber {
		a.fail(invalid(name, "must be a number, got %s", jsonType(v)))
		return 0, false
	}
	return f, true
}

// Int returns an optional whole-number argument within [lo, hi], def when
// absent.
func (a *args) Int(name string, def, lo, hi int) int {
	f, ok := a.number(name)
	switch {
	case !ok:
		return def
	case f != math.Trunc(f):
		a.fail(invalid(name, "must be a whole number, got %s", formatNumber(f)))
	case f < float64(lo) || f > float64(hi):
		a.fail(invalid(name, "must be between %d and %d, got %s", lo, hi, formatNumber(f)))
	default:
		return int(f)
	}
	return def
}

// Seconds returns an optional duration given in seconds, greater than 0
// and at most max seconds; 0 when absent.
func (a *args) Seconds(name string, max float64) time.Duration {
	f, ok := a.number(name)
	switch {
	case !ok:
		return 0
	case f <= 0 || f > max:
		a.fail(invalid(name, "must be greater than 0 and at most %s seconds, got %s", formatNumber(max), formatNumber(f)))
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// Bool returns an optional boolean argument, false when absent.
func (a *args) Bool(name string) bool {
	v, ok := a.get(name)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		a.fail(invalid(name, "must be a boolean, got %s", jsonType(v)))
	}
	return b
}

// Enum returns an optional string argument that must be one of allowed,
// def when absent.
func (a *args) Enum(name, def string, allowed ...string) string {
	if _, ok := a.get(name); !ok {
		return def
	}
	s := a.String(name)
	if a.err == nil && !slices.Contains(allowed, s) {
		a.fail(invalid(name, "must be one of %s, got %q", strings.Join(allowed, ", "), s))
	}
	return s
}

// StringMap returns an optional object whose values are all strings.
func (a *args) StringMap(name string) map[string]string {
	v, ok := a.get(name)
	if !ok {
		return nil
	}
	obj, isObject := v.(map[string]any)
	if !isObject {
		a.fail(invalid(name, "must be an object of string values, got %s", jsonType(v)))
		return nil
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		s, isString := val.(string)
		if !isString {
			a.fail(invalid(name+"."+k, "must be a string, got %s", jsonType(val)))
			return nil
		}
		out[k] = s
	}
	return out
}

// Check records a problem with name unless ok.
func (a *args) Check(ok bool, name, format string, v ...any) {
	if !ok {
		a.fail(invalid(name, format, v...))
	}
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
