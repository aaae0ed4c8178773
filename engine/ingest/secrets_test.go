package ingest_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"workspace-qdrant-mcp/engine/ingest"
	"workspace-qdrant-mcp/engine/ingest/secrets"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/internal/secrettest"
)

// leaky is a store that writes what indexes built before secrets were
// redacted held: the secret itself where the chunk says [REDACTED:rule].
// It writes one document at a time (it is no storage.BatchReplacer).
type leaky struct {
	storage.Store
	rule, secret string
}

func (s leaky) ReplaceDocument(ctx context.Context, doc storage.Document, chunks []storage.Chunk) error {
	out := make([]storage.Chunk, len(chunks))
	for i, c := range chunks {
		c.Text = strings.ReplaceAll(c.Text, "[REDACTED:"+s.rule+"]", s.secret)
		out[i] = c
	}
	return s.Store.ReplaceDocument(ctx, doc, out)
}

// stampWithoutSecrets makes the ledger in data look like one written
// before secrets were redacted: its identity lacks the secrets part.
func stampWithoutSecrets(t *testing.T, data string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE meta SET value = replace(value, ?, '') WHERE key = 'identity'`, " secrets="+secrets.Version)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("identity rows stamped: %d, %v", n, err)
	}
}

// TestSecretsLeaveOldIndexes: an index built before secrets were
// redacted, holding a .env file and a file with a token in clear, is
// cleaned at the next start: the .env document is removed and counted as
// a secret skip, the token is replaced in the stored text and counted as
// redacted. The count survives a restart that reads no file, and follows
// the file when the token is taken out.
func TestSecretsLeaveOldIndexes(t *testing.T) {
	root, data := newDirs(t)
	sm := secrettest.Samples()[1] // github
	app := writeFile(t, root, "app.go", "package app\n\n// appword\n"+sm.Line+"\n")
	dotenv := writeFile(t, root, ".env", "API_KEY=envword\n")

	oldCfg := testConfig(t, root, data)
	oldCfg.Workspace.Ignore = []string{"!.env"} // the old index read .env: so does this one, with it re-included
	old := startEnvWith(t, oldCfg, func(s storage.Store) storage.Store { return leaky{s, sm.Rule, sm.Secret} })
	old.waitSettled()
	if !old.hasDoc(dotenv) || !strings.Contains(old.docText(app), sm.Secret) {
		t.Fatalf("the old index is not as old indexes were: .env indexed %v, text of app.go:\n%s", old.hasDoc(dotenv), old.docText(app))
	}
	old.stop()
	stampWithoutSecrets(t, data)

	cfg := testConfig(t, root, data)
	e := startEnv(t, cfg)
	e.waitSettled()
	if e.hasDoc(dotenv) {
		t.Error(".env is still indexed")
	}
	text := e.docText(app)
	if strings.Contains(text, sm.Secret) || !strings.Contains(text, "[REDACTED:"+sm.Rule+"]") || !strings.Contains(text, "appword") {
		t.Errorf("app.go was not written again redacted:\n%s", text)
	}
	st := e.ix.Stats()
	if st.Skipped[ingest.SkipSecret] != 1 || st.Redacted != 1 {
		t.Errorf("skipped %v, redacted %d; want secret: 1, redacted 1", st.Skipped, st.Redacted)
	}
	e.stop()

	again := startEnv(t, cfg)
	again.waitSettled()
	if n := again.emb.texts.Load(); n != 0 {
		t.Errorf("a start with nothing changed embedded %d texts", n)
	}
	if st := again.ix.Stats(); st.Redacted != 1 || st.Skipped[ingest.SkipSecret] != 1 {
		t.Errorf("after a restart: skipped %v, redacted %d; want secret: 1, redacted 1", st.Skipped, st.Redacted)
	}
	writeFile(t, root, "app.go", "package app\n\n// appword, the token is gone\n")
	waitFor(t, "the redaction count to follow the file", func() bool { return again.ix.Stats().Redacted == 0 })
}

// TestSecretFileReincluded: a secret file re-included with "!pattern" is
// read and indexed, its secrets still redacted.
func TestSecretFileReincluded(t *testing.T) {
	root, data := newDirs(t)
	sm := secrettest.Samples()[0] // aws
	writeFile(t, root, ".wqmignore", "!.env.local\n")
	local := writeFile(t, root, ".env.local", "# localword\nAWS_ACCESS_KEY_ID="+sm.Secret+"\n")
	prod := writeFile(t, root, ".env.production", "# prodword\n")
	e := startEnv(t, testConfig(t, root, data))
	e.waitSettled()
	if e.hasDoc(prod) || !e.hasDoc(local) {
		t.Fatalf(".env.production indexed %v, .env.local indexed %v; want false, true", e.hasDoc(prod), e.hasDoc(local))
	}
	if text := e.docText(local); strings.Contains(text, sm.Secret) || !strings.Contains(text, "localword") {
		t.Errorf("re-included .env.local:\n%s", text)
	}
	if st := e.ix.Stats(); st.Skipped[ingest.SkipSecret] != 1 || st.Redacted != 1 {
		t.Errorf("skipped %v, redacted %d", st.Skipped, st.Redacted)
	}
}
