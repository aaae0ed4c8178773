package ignore

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"
)

// ErrInvalidPattern reports a configured pattern that cannot be compiled.
// Invalid lines inside ignore files are skipped instead, as git does.
var ErrInvalidPattern = errors.New("invalid ignore pattern")

// rule is one compiled line of gitignore syntax.
//
// Only the line syntax (comments, escapes, trailing spaces, "!", a trailing
// "/", anchoring) is interpreted here; wildcards ("*", "?", "[...]", "**")
// are matched by wildmatch, as git matches them.
type rule struct {
	glob     string // wildmatch pattern, "/"-separated
	negate   bool   // "!pattern": re-includes
	dirOnly  bool   // "pattern/": matches directories only
	anchored bool   // pattern has a "/" before its end: matched against the relative path, not the base name
}

// ValidatePattern reports whether p, one line of gitignore syntax (as in
// workspace.ignore), compiles; its error wraps ErrInvalidPattern.
func ValidatePattern(p string) error {
	_, _, err := parseLine(p)
	return err
}

// parseLine compiles one line of gitignore syntax. ok is false for blank
// lines and comments.
func parseLine(line string) (r rule, ok bool, err error) {
	line = strings.TrimSuffix(line, "\r")
	if line == "" || line[0] == '#' {
		return rule{}, false, nil
	}
	line = trimTrailingSpaces(line)
	if strings.HasPrefix(line, "!") {
		r.negate = true
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return rule{}, false, nil
	}
	if strings.Contains(line, "/") {
		r.anchored = true
		line = strings.TrimPrefix(line, "/")
	}
	r.glob = line
	if !validGlob(r.glob) {
		return rule{}, false, fmt.Errorf("%w: %q", ErrInvalidPattern, line)
	}
	return r, true, nil
}

// parseRules compiles the content of an ignore file, skipping invalid lines.
func parseRules(data []byte) []rule {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	var rules []rule
	for line := range strings.SplitSeq(string(data), "\n") {
		if r, ok, err := parseLine(line); ok && err == nil {
			rules = append(rules, r)
		}
	}
	return rules
}

// mustParse compiles built-in patterns; they are known to be valid.
func mustParse(lines []string) []rule {
	rules := make([]rule, 0, len(lines))
	for _, line := range lines {
		r, ok, err := parseLine(line)
		if err != nil || !ok {
			panic(fmt.Sprintf("ignore: bad built-in pattern %q: %v", line, err))
		}
		rules = append(rules, r)
	}
	return rules
}

// trimTrailingSpaces drops trailing spaces unless escaped with a backslash.
func trimTrailingSpaces(s string) string {
	for strings.HasSuffix(s, " ") {
		backslashes := 0
		for i := len(s) - 2; i >= 0 && s[i] == '\\'; i-- {
			backslashes++
		}
		if backslashes%2 == 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}

// match reports whether r matches rel, a "/"-separated path relative to the
// directory the rule belongs to.
func (r rule) match(rel string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	if r.anchored {
		return wildmatch(r.glob, rel)
	}
	return wildmatch(r.glob, path.Base(rel))
}

// lastMatch applies git's "last matching rule wins" within one source.
// matched is false when no rule matches; otherwise excluded tells whether
// that rule excludes (true) or re-includes (false).
func lastMatch(rules []rule, rel string, isDir bool) (matched, excluded bool) {
	for i := len(rules) - 1; i >= 0; i-- {
		if rules[i].match(rel, isDir) {
			return true, !rules[i].negate
		}
	}
	return false, false
}
