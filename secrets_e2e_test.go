package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"workspace-qdrant-mcp/internal/secrettest"
)

// secretWorkspace is a workspace holding the files many repositories hold
// by mistake or by design, and ordinary files with secrets inside.
type secretWorkspace struct {
	samples []secrettest.Sample
	leaks   []string // text that must never leave the machine nor come back from a tool
	files   []string // secret files, never to be indexed
}

// newSecretWorkspace writes, into ws: .env (an API key and a database URL
// with a password), id_rsa (a private key), server.pem, an .env.example
// (indexed), and config.go, holding one secret of each provider family.
func newSecretWorkspace(t *testing.T, ws string) *secretWorkspace {
	t.Helper()
	doc, samples := secrettest.Document()
	key := samples[len(samples)-1].Secret // the private key
	const dbPassword = "zq7hunterdbpass"
	// (pemcertword, the certificate's, is not a leak to look for: the
	// test searches for it, and search queries go to the endpoint.)
	sw := &secretWorkspace{samples: samples, leaks: []string{dbPassword}}
	for _, sm := range samples {
		sw.leaks = append(sw.leaks, sm.Secret)
	}
	sw.leaks = append(sw.leaks, strings.Split(key, "\n")[1]) // a line of the key's body
	files := map[string]string{
		".env":         "OPENAI_API_KEY=" + samples[5].Secret + "\nDATABASE_URL=postgres://app:" + dbPassword + "@db.internal:5432/app\n",
		"id_rsa":       key + "\n",
		"server.pem":   "-----BEGIN CERTIFICATE-----\npemcertword\n-----END CERTIFICATE-----\n",
		".env.example": "# exampleenvword: copy to .env\nOPENAI_API_KEY=your-key-here\n",
		"config.go":    doc,
	}
	for name, content := range files {
		p := filepath.Join(ws, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if name == ".env" || name == "id_rsa" || name == "server.pem" {
			sw.files = append(sw.files, p)
		}
	}
	return sw
}

// check asserts, once the index has settled, that no secret reached the
// embedding endpoint (fake, when not nil), search or get_document; that
// the secret files are skipped and counted, and the secrets in config.go
// replaced and counted; that add_document redacts a note the same way.
func (sw *secretWorkspace) check(t *testing.T, p *proc, fake *fakeEmbeddings, ws string) {
	t.Helper()
	leaked := func(where, text string) {
		t.Helper()
		for _, l := range sw.leaks {
			if strings.Contains(text, l) {
				t.Errorf("%s holds the secret %.12s…:\n%.400s", where, l, text)
			}
		}
	}

	st := p.mustCall(t, "engine_status", nil)
	idx, _ := st.obj["index"].(map[string]any)
	skipped, _ := idx["skipped"].(map[string]any)
	if skipped["secret"] != float64(len(sw.files)) || idx["redacted"] != float64(len(sw.samples)) {
		t.Errorf("index.skipped = %v, index.redacted = %v; want secret: %d, redacted %d", skipped, idx["redacted"], len(sw.files), len(sw.samples))
	}
	for _, f := range sw.files {
		if r := p.call(t, "get_document", map[string]any{"path": f}); !r.isError {
			t.Errorf("get_document(%s) returned it: %s", f, r.text)
		}
	}
	doc := p.mustCall(t, "get_document", map[string]any{"path": filepath.Join(ws, "config.go")})
	leaked("get_document(config.go)", doc.text)
	for _, sm := range sw.samples {
		if !strings.Contains(doc.text, "[REDACTED:"+sm.Rule+"]") {
			t.Errorf("get_document(config.go) lacks [REDACTED:%s]", sm.Rule)
		}
		for _, mode := range []string{"keyword", "hybrid"} {
			r := p.mustCall(t, "search", map[string]any{"query": sm.Family + " credential token", "mode": mode, "limit": 20})
			leaked(fmt.Sprintf("search %s %q", mode, sm.Family), r.text)
		}
	}
	for _, q := range []string{"DATABASE_URL postgres", "OPENAI_API_KEY", "BEGIN RSA PRIVATE KEY", "pemcertword", "CERTIFICATE"} {
		r := p.mustCall(t, "search", map[string]any{"query": q, "limit": 20})
		leaked("search "+q, r.text)
		for _, f := range sw.files {
			if strings.Contains(r.text, f+`"`) {
				t.Errorf("search %q returned %s", q, f)
			}
		}
	}
	if r := p.mustCall(t, "search", map[string]any{"query": "exampleenvword", "mode": "keyword"}); !strings.Contains(r.text, ".env.example") {
		t.Errorf(".env.example is not indexed: %s", r.text)
	}

	note := p.mustCall(t, "add_document", map[string]any{
		"title":   "deploy " + sw.samples[2].Secret,
		"content": "Deploy with " + sw.samples[4].Secret + "\nthen notecheckword.\n",
	})
	if note.num("redacted") != 2 {
		t.Errorf("add_document = %s, want redacted 2 (title and content)", note.text)
	}
	got := p.mustCall(t, "get_document", map[string]any{"id": note.str("id")})
	leaked("get_document(note)", got.text)
	if !strings.Contains(got.text, "notecheckword") || !strings.Contains(got.text, "[REDACTED:stripe-access-token]") {
		t.Errorf("the note is not stored redacted: %s", got.text)
	}
	leaked("search of the note", p.mustCall(t, "search", map[string]any{"query": "notecheckword deploy"}).text)

	if fake != nil {
		in := fake.received()
		if len(in) == 0 {
			t.Fatal("the embedding endpoint received nothing")
		}
		for i, text := range in {
			leaked(fmt.Sprintf("embedding input %d", i), text)
		}
	}
}

// stopCleanly closes the server's input and checks that it exits with 0
// within the shutdown timeout.
func stopCleanly(t *testing.T, p *proc) {
	t.Helper()
	p.closeStdin(t)
	if !p.waitExit(20 * time.Second) {
		t.Fatal("the server did not exit within 20s of stdin closing")
	}
	if code := p.exitCode(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestSecretsNeverLeave: with the openai provider, against a fake endpoint
// that records every input, secret files are neither read nor returned,
// and the secret of each provider family in an ordinary file, or in a
// note, is replaced before anything is embedded, stored or returned.
func TestSecretsNeverLeave(t *testing.T) {
	const key = "sk-e2e-embed-key"
	fake := newFakeEmbeddings(t, 64, key)
	fx := newFixture(t, fixtureOptions{autostart: true, extraConfig: openAIConfig(fake.srv.URL, 64)})
	fx.env = append(fx.env, "WQM_E2E_EMBED_KEY="+key)
	sw := newSecretWorkspace(t, fx.workspace)
	p := fx.spawnIdle(t)
	sw.check(t, p, fake, fx.workspace)
	stopCleanly(t, p)
}
