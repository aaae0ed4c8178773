// Package hubtest serves a Hugging Face Hub repository on loopback for
// tests, the way the hub answers: a small file with its ETag, a
// .safetensors file through a redirect whose first answer carries
// X-Linked-Etag (its SHA-256), both with X-Repo-Commit.
package hubtest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Commit is the commit every revision resolves to.
const Commit = "0123456789abcdef0123456789abcdef01234567"

// Hub is a fake hub serving one repository's files at revision main.
type Hub struct {
	Server   *httptest.Server
	Requests atomic.Int32 // every request served
	// Lie makes it announce a wrong SHA-256 for large files.
	Lie   atomic.Bool
	repo  string
	files map[string][]byte
}

// Serve starts a hub holding files of repo; it stops with the test.
func Serve(t testing.TB, repo string, files map[string][]byte) *Hub {
	h := &Hub{repo: repo, files: files}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Server.Close)
	return h
}

// URL is the value for HF_ENDPOINT.
func (h *Hub) URL() string { return h.Server.URL }

func (h *Hub) serve(w http.ResponseWriter, r *http.Request) {
	h.Requests.Add(1)
	if name, ok := strings.CutPrefix(r.URL.Path, "/cdn/"); ok {
		w.Write(h.files[name])
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, "/"+h.repo+"/resolve/main/")
	body, exists := h.files[name]
	if !ok || !exists {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Repo-Commit", Commit)
	if strings.HasSuffix(name, ".safetensors") {
		sum := sha256.Sum256(body)
		if h.Lie.Load() {
			sum = sha256.Sum256([]byte("something else"))
		}
		w.Header().Set("X-Linked-Etag", `"`+hex.EncodeToString(sum[:])+`"`)
		http.Redirect(w, r, "/cdn/"+name, http.StatusFound)
		return
	}
	blob := sha256.Sum256(append([]byte("blob "), body...)) // the hub gives a git blob id; any hex name will do
	w.Header().Set("ETag", `"`+hex.EncodeToString(blob[:20])+`"`)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}
