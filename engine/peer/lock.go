// Package peer lets several servers that share one storage.data_dir work
// as one, without racing each other's writes.
//
// Exactly one of them is the indexer: it holds an OS file lock on
// data_dir/indexer.lock (flock on Unix, LockFileEx on Windows, released by
// the kernel when the process exits or dies, so a kill never leaves a
// stale lock), runs the watcher,
// writes the store, and serves the other servers' requests on a local
// socket. The others are readers: TryLock reports ErrHeld, ReadHolder says
// who the indexer is, and a ServiceClient forwards their workspace tools
// to it.
// Readers keep trying the lock; the first to get it after the indexer is
// gone becomes the next indexer.
//
// The protocol is deliberately small: HTTP over a unix socket (0600, in a
// 0700 directory of this user's; on Windows, where AF_UNIX sockets exist
// since Windows 10, the directory must be this user's and its inherited
// ACL decides who else may connect), one POST /call/{method} per call
// with a JSON body,
// answered with a JSON result or a JSON error of a named kind that the
// caller maps back to its sentinel error (see Errors). The calls are
// Methods (methods.go), each with whether it may be sent again; their
// requests and answers are the DTOs of wire.go. Both are versioned as
// Protocol and pinned by golden files under testdata. An error that is
// Detailed also sends its fields, so that the caller rebuilds its type
// (find_related's *workspace.LineError).
//
// Two layers: Client and Server carry calls on the socket; ServiceClient
// and ServiceHandlers put a workspace.Service on them. ServiceClient is a
// reader's Service: it converts each call to its Method and DTO and sends
// it through a Caller (the engine's link to the indexer, which adds the
// timeout, the retries to the next indexer and the takeover); the
// indexer's Server answers with ServiceHandlers of the Service it serves.
// Both are driven by one table (service.go): an entry per workspace call
// names its Method, the Service method it runs and the conversions of its
// request and answer, each way.
//
//	lock, err := peer.TryLock(dataDir)            // indexer or ErrHeld
//	srv, err := peer.Listen(peer.SocketPath(dataDir), handlers, kinds, log)
//	err = lock.Publish(peer.Holder{PID: os.Getpid(), ...})
//
//	h, err := peer.ReadHolder(dataDir)            // a reader
//	c := peer.Dial(peer.SocketPath(dataDir), kinds)
//	err = c.Call(ctx, "search", req, &resp)
//	svc := peer.NewServiceClient(caller)           // caller sends through c
//	resp, err := svc.Search(ctx, workspace.SearchRequest{...})
package peer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gofrs/flock"
)

// Protocol is the version of the calls (Methods) and their JSON (the
// DTOs of wire.go); a reader refuses an indexer that speaks another one.
// Version 2 gave the requests explicit json tags.
const Protocol = 2

// ErrHeld is TryLock's answer when another server (or another Lock in this
// process) holds the indexer lock.
var ErrHeld = errors.New("the indexer lock is held by another server")

// Holder describes the server that holds the indexer lock.
type Holder struct {
	PID      int       `json:"pid"`
	Socket   string    `json:"socket"`
	Since    time.Time `json:"since"`
	Version  string    `json:"version"`
	Protocol int       `json:"protocol"`
}

// Lock is the indexer lock, held.
type Lock struct {
	dir string
	fl  *flock.Flock
}

const (
	lockFile   = "indexer.lock"
	holderFile = "indexer.json"
)

// TryLock takes the indexer lock of dataDir without waiting. It returns an
// error wrapping ErrHeld when another holder has it.
func TryLock(dataDir string) (*Lock, error) {
	path := filepath.Join(dataDir, lockFile)
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s: %w", path, ErrHeld)
	}
	return &Lock{dir: dataDir, fl: fl}, nil
}

// Publish records h as the lock's holder for ReadHolder. The file is
// replaced atomically, so a reader never sees half of it.
func (l *Lock) Publish(h Holder) error {
	data, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode indexer holder: %w", err)
	}
	path := filepath.Join(l.dir, holderFile)
	tmp := path + "." + strconv.Itoa(os.Getpid()) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := replaceFile(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("publish %s: %w", path, err)
	}
	return nil
}

// Release gives the lock up. The holder file stays: it names the last
// holder, and ReadHolder's callers trust it only while the lock is held.
func (l *Lock) Release() error {
	if err := l.fl.Unlock(); err != nil {
		return fmt.Errorf("unlock %s: %w", l.fl.Path(), err)
	}
	return nil
}

// ReadHolder returns the holder that the lock's current or last holder
// published in dataDir.
func ReadHolder(dataDir string) (Holder, error) {
	path := filepath.Join(dataDir, holderFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return Holder{}, fmt.Errorf("read indexer holder: %w", err)
	}
	var h Holder
	if err := json.Unmarshal(data, &h); err != nil {
		return Holder{}, fmt.Errorf("decode indexer holder %s: %w", path, err)
	}
	return h, nil
}

// maxSocketPath is the longest unix socket path every platform accepts
// (sun_path is 104 bytes on the BSDs and macOS, 108 on Linux).
const maxSocketPath = 100

// SocketPath is where the indexer of dataDir listens: dataDir/indexer.sock,
// or, when that path is too long for a unix socket, a file named after a
// hash of dataDir in a per-user directory under os.TempDir() ($TMPDIR on
// Unix, %TMP% on Windows), named after the user (userTag).
func SocketPath(dataDir string) string {
	p := filepath.Join(dataDir, "indexer.sock")
	if len(p) <= maxSocketPath {
		return p
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "wqm-"+userTag(), hex.EncodeToString(sum[:8])+".sock")
}
