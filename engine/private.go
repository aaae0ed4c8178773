package engine

import "workspace-qdrant-mcp/internal/private"

// privateDataDir takes from other users whatever access they had to the
// data directory and its files (see package private), saying so once.
func (m *Manager) privateDataDir(dir string) {
	changed, err := private.Tighten(dir)
	if len(changed) > 0 {
		m.log.Warn().Str("data_dir", dir).Int("paths", len(changed)).Strs("first", changed[:min(len(changed), 5)]).
			Msg("the data directory was open to other users: made it private to this user (directories 0700, files 0600; on Windows, an access list of this user alone)")
	}
	if err != nil {
		m.log.Warn().Err(err).Msg("the data directory may still be open to other users")
	}
}
