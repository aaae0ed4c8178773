// Package hfhub fetches files of a Hugging Face Hub model repository into
// the standard hub cache, the one Python's huggingface_hub uses, so that
// both share downloads:
//
//	<cache>/models--org--name/refs/<revision>        the commit it resolved to
//	<cache>/models--org--name/blobs/<etag>           the files' contents
//	<cache>/models--org--name/snapshots/<commit>/... links to the blobs (copies on Windows)
//
// The cache is $HF_HUB_CACHE, else $HF_HOME/hub, else
// ~/.cache/huggingface/hub. Files come from $HF_ENDPOINT (default
// https://huggingface.co) at /{repo}/resolve/{revision}/{file}, with
// $HF_TOKEN when set and the usual proxy variables. A file whose
// snapshot is cached is used with no network call; HF_HUB_OFFLINE=1
// forbids any. Downloads are checked against the SHA-256 the hub
// announces (its X-Linked-Etag for large files), written to a temporary
// file under a lock and renamed, so two processes never corrupt one.
//
// A test binary (testing.Testing) never reaches the real hub nor reads
// the user's cache: see FromEnv.
//
//	h := hfhub.FromEnv()
//	path, commit, err := h.Fetch(ctx, "minishlab/potion-code-16M", "main", "tokenizer.json")
package hfhub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// Errors, compared with errors.Is.
var (
	ErrNotFound = errors.New("not in the repository")
	ErrOffline  = errors.New("not cached, and HF_HUB_OFFLINE forbids downloading")
	ErrChecksum = errors.New("checksum mismatch")
)

// DefaultEndpoint is the hub, when HF_ENDPOINT is not set.
const DefaultEndpoint = "https://huggingface.co"

// Hub fetches files from one endpoint into one cache.
type Hub struct {
	Endpoint string // without a trailing slash
	Cache    string // the hub cache directory
	Token    string // sent as a bearer token when set
	Offline  bool
	Client   *http.Client // nil: http.DefaultClient's transport, redirects followed
}

// FromEnv configures a Hub from the environment as huggingface_hub does.
//
// In a test binary (testing.Testing reports true) it guards the rule
// that no test ever contacts the real hub, whatever the configuration's
// default provider: without HF_ENDPOINT (a test's loopback hub) the Hub
// is offline, and without HF_HUB_CACHE or HF_HOME it has no cache, so
// that a model in the developer's ~/.cache never changes a test's
// outcome. Servers a test spawns are ordinary binaries: the test gives
// them HF_HUB_OFFLINE=1 and a cache of their own.
func FromEnv() Hub {
	h := Hub{Endpoint: strings.TrimRight(os.Getenv("HF_ENDPOINT"), "/"), Token: os.Getenv("HF_TOKEN")}
	underTest := testing.Testing()
	if h.Endpoint == "" {
		h.Endpoint = DefaultEndpoint
		h.Offline = underTest
	}
	switch strings.ToLower(os.Getenv("HF_HUB_OFFLINE")) {
	case "1", "true", "yes", "on":
		h.Offline = true
	}
	h.Cache = os.Getenv("HF_HUB_CACHE")
	if h.Cache == "" {
		if home := os.Getenv("HF_HOME"); home != "" {
			h.Cache = filepath.Join(home, "hub")
		} else if dir, err := os.UserHomeDir(); err == nil && !underTest {
			h.Cache = filepath.Join(dir, ".cache", "huggingface", "hub")
		}
	}
	return h
}

// ErrNoCache is a Fetch by a Hub without a cache directory.
var ErrNoCache = errors.New("no hub cache directory (set HF_HUB_CACHE or HF_HOME)")

var commitPattern = regexp.MustCompile(`^[0-9a-f]{40}$`)

// repoDir is the cache directory of a model repository.
func (h Hub) repoDir(repo string) string {
	return filepath.Join(h.Cache, "models--"+strings.ReplaceAll(repo, "/", "--"))
}

// Cached returns the path of file in the cached snapshot of repo at
// revision, and the commit, or ok false. It makes no network call.
func (h Hub) Cached(repo, revision, file string) (path, commit string, ok bool) {
	if h.Cache == "" {
		return "", "", false
	}
	commit = revision
	if !commitPattern.MatchString(revision) {
		data, err := os.ReadFile(filepath.Join(h.repoDir(repo), "refs", revision))
		if err != nil {
			return "", "", false
		}
		commit = strings.TrimSpace(string(data))
	}
	path = filepath.Join(h.repoDir(repo), "snapshots", commit, filepath.FromSlash(file))
	if _, err := os.Stat(path); err != nil {
		return "", "", false
	}
	return path, commit, true
}

// Fetch returns the local path of file in repo at revision, downloading
// it into the cache unless it is there, and the commit the revision
// resolved to.
func (h Hub) Fetch(ctx context.Context, repo, revision, file string) (string, string, error) {
	if err := checkNames(repo, revision, file); err != nil {
		return "", "", err
	}
	if path, commit, ok := h.Cached(repo, revision, file); ok {
		return path, commit, nil
	}
	if h.Cache == "" {
		return "", "", fmt.Errorf("%s %s at %s: %w", repo, file, revision, ErrNoCache)
	}
	if h.Offline {
		return "", "", fmt.Errorf("%s %s at %s: %w (run with -fetch-model on a connected machine, or unset HF_HUB_OFFLINE)", repo, file, revision, ErrOffline)
	}
	url := fmt.Sprintf("%s/%s/resolve/%s/%s", h.Endpoint, repo, revision, file)
	meta, err := h.head(ctx, url)
	if err != nil {
		return "", "", err
	}
	if meta.commit == "" {
		meta.commit = revision
		if !commitPattern.MatchString(revision) {
			return "", "", fmt.Errorf("fetch %s: the hub named no commit (X-Repo-Commit) for revision %s", url, revision)
		}
	}
	dir := h.repoDir(repo)
	blob := filepath.Join(dir, "blobs", meta.etag)
	if _, err := os.Stat(blob); err != nil {
		if err := h.download(ctx, url, blob, meta.etag); err != nil {
			return "", "", err
		}
	}
	if revision != meta.commit {
		if err := writeAtomic(filepath.Join(dir, "refs", revision), []byte(meta.commit)); err != nil {
			return "", "", fmt.Errorf("record the commit of %s: %w", revision, err)
		}
	}
	path := filepath.Join(dir, "snapshots", meta.commit, filepath.FromSlash(file))
	if err := link(blob, path); err != nil {
		return "", "", fmt.Errorf("place %s in the snapshot: %w", file, err)
	}
	return path, meta.commit, nil
}

// checkNames refuses names that would leave the cache directory.
func checkNames(repo, revision, file string) error {
	for _, s := range []string{repo, revision, file} {
		if s == "" || strings.Contains(s, "..") || strings.HasPrefix(s, "/") || strings.Contains(s, `\`) {
			return fmt.Errorf("hub name %q is empty or not a plain relative name", s)
		}
	}
	if strings.Count(repo, "/") != 1 {
		return fmt.Errorf("model %q is not a hub repository id (owner/name)", repo)
	}
	return nil
}

type fileMeta struct {
	commit, etag string
}

// head asks the hub for a file's commit and etag without following the
// redirect large files get: the headers that matter are on the first
// answer.
func (h Hub) head(ctx context.Context, url string) (fileMeta, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return fileMeta{}, err
	}
	h.authorize(req)
	c := h.client()
	noRedirect := *c
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Do(req)
	if err != nil {
		return fileMeta{}, fmt.Errorf("ask the hub for %s: %w", url, err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fileMeta{}, fmt.Errorf("%s: %w", url, ErrNotFound)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fileMeta{}, fmt.Errorf("%s: %s: a gated or private model needs HF_TOKEN", url, resp.Status)
	case resp.StatusCode >= 400:
		return fileMeta{}, fmt.Errorf("%s: %s", url, resp.Status)
	}
	etag := resp.Header.Get("X-Linked-Etag")
	if etag == "" {
		etag = resp.Header.Get("ETag")
	}
	etag = strings.Trim(strings.TrimPrefix(etag, "W/"), `"`)
	if etag == "" || strings.ContainsAny(etag, `/\.`) {
		return fileMeta{}, fmt.Errorf("%s: the hub gave no usable ETag (%q)", url, etag)
	}
	return fileMeta{commit: resp.Header.Get("X-Repo-Commit"), etag: etag}, nil
}

func (h Hub) client() *http.Client {
	if h.Client != nil {
		return h.Client
	}
	return &http.Client{Timeout: 30 * time.Minute}
}

func (h Hub) authorize(req *http.Request) {
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
}

var sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// download writes url's body to blob under a lock, checking it against
// etag when that is a SHA-256.
func (h Hub) download(ctx context.Context, url, blob, etag string) error {
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return err
	}
	lock := flock.New(blob + ".lock")
	if err := lock.Lock(); err != nil {
		return fmt.Errorf("lock %s: %w", blob, err)
	}
	defer lock.Unlock()
	if _, err := os.Stat(blob); err == nil {
		return nil // another process finished it while we waited
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	h.authorize(req)
	resp, err := h.client().Do(req)
	if err != nil {
		return fmt.Errorf("download %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: %s", url, resp.Status)
	}
	tmp := blob + ".incomplete"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	sum := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, sum), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("download %s: %w", url, err)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); sha256Pattern.MatchString(etag) && got != etag {
		os.Remove(tmp)
		return fmt.Errorf("download %s: %w: the hub announced sha256 %s, the file has %s", url, ErrChecksum, etag, got)
	}
	return os.Rename(tmp, blob)
}

// link places blob at path in a snapshot: a relative symbolic link, as
// huggingface_hub makes, or a copy on Windows.
func link(blob, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return nil
	}
	if runtime.GOOS == "windows" {
		data, err := os.ReadFile(blob)
		if err != nil {
			return err
		}
		return writeAtomic(path, data)
	}
	rel, err := filepath.Rel(filepath.Dir(path), blob)
	if err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	os.Remove(tmp)
	if err := os.Symlink(rel, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
