package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"workspace-qdrant-mcp/engine/ingest/ignore"
)

// changeSet is what one walk of the workspace found.
type changeSet struct {
	// changed lists, sorted, the files that are new or whose size or
	// modification time differ from their known state, and the known
	// files the walk did not find.
	changed []string
	// ignored holds the paths the ignore rules exclude (a directory, not
	// what is beneath it).
	ignored map[string]struct{}
	// skips maps the paths the walk passed over to why: ignored (see
	// ignoredSkip), unreadable, or an invalid name.
	skips map[string]string
}

// scan walks roots and compares what it finds with the known file
// states: known looks one up, knownPaths lists them all after the walk.
// It changes nothing: the indexer applies the change set. A missing root
// is skipped (what was beneath it is then changed, as not found); a
// cancelled ctx ends the walk with its error.
func scan(ctx context.Context, roots []string, m *ignore.Matcher, log zerolog.Logger,
	known func(path string) (FileState, bool), knownPaths func() []string) (changeSet, error) {
	cs := changeSet{ignored: map[string]struct{}{}, skips: map[string]string{}}
	seen := map[string]struct{}{}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if err != nil && p == root && errors.Is(err, fs.ErrNotExist) {
				// Deleted or moved away: the watcher reports it and Check
				// fails until it is back; what was beneath it is removed,
				// as not seen.
				log.Debug().Str("root", root).Msg("workspace root is missing; scan skips it")
				return nil
			}
			if err != nil {
				log.Warn().Err(err).Str("path", p).Msg("cannot read; skipped")
				cs.skips[p] = SkipUnreadable
				if de != nil && de.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if p == root {
				return nil
			}
			if ign, reason := m.Ignored(p, de.IsDir()); ign {
				cs.ignored[p] = struct{}{}
				cs.skips[p] = ignoredSkip(reason)
				if de.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if top, bad := invalidName(p); bad {
				cs.skips[top] = SkipInvalidName
				if de.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if de.IsDir() {
				return nil
			}
			seen[p] = struct{}{}
			info, err := de.Info()
			if err != nil {
				return nil // vanished during the walk; the watcher reports it
			}
			if old, ok := known(p); !ok || old.Size != info.Size() || old.MtimeNS != info.ModTime().UnixNano() {
				cs.changed = append(cs.changed, p)
			}
			return nil
		})
		if err != nil {
			return changeSet{}, fmt.Errorf("walk %s: %w", root, err)
		}
	}
	for _, p := range knownPaths() {
		if _, ok := seen[p]; !ok {
			cs.changed = append(cs.changed, p)
		}
	}
	sort.Strings(cs.changed)
	return cs, nil
}

// invalidName reports whether path is not valid UTF-8 and, if so, the
// outermost directory (or the file) whose own name is invalid, where it
// is counted, so that a directory counts once.
func invalidName(path string) (top string, invalid bool) {
	if utf8.ValidString(path) {
		return "", false
	}
	top = path
	for p := path; filepath.Dir(p) != p; p = filepath.Dir(p) {
		if !utf8.ValidString(filepath.Base(p)) {
			top = p
		}
	}
	return top, true
}
