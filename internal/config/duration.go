package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written in YAML as a Go duration string
// ("30s", "500ms"). A bare number is refused: it would silently mean
// nanoseconds.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats the duration as Go does.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML parses a duration string. A bad value is a
// *yaml.TypeError, so that decoding goes on and the rest of the file's
// problems are reported with it.
func (d *Duration) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode || node.Tag != "!!str" {
		return durationError(node, "is not a duration string such as \"30s\" or \"500ms\"")
	}
	v, err := time.ParseDuration(node.Value)
	if err != nil {
		return durationError(node, "is not a duration such as \"30s\" or \"500ms\"")
	}
	*d = Duration(v)
	return nil
}

func durationError(node *yaml.Node, what string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q %s", node.Line, node.Value, what)}}
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }
