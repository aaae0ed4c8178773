package peer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"
)

// Handler answers one call; in is the request's JSON body ("null" when
// the caller sent nothing). The result is sent as JSON.
type Handler func(ctx context.Context, in json.RawMessage) (any, error)

// Errors names the sentinel errors that cross the socket. A handler error
// that wraps one of them travels with its name, and the caller's error
// wraps the same sentinel, so errors.Is works on both sides.
type Errors map[string]error

// kindOf names err's sentinel, or "" when it wraps none of kinds.
func (k Errors) kindOf(err error) string {
	for name, sentinel := range k {
		if errors.Is(err, sentinel) {
			return name
		}
	}
	return ""
}

// wireError is an error as it crosses the socket: its sentinel's name in
// Errors, its text, and the fields of a Detailed error.
type wireError struct {
	Kind    string          `json:"kind,omitempty"`
	Message string          `json:"message"`
	Detail  json.RawMessage `json:"detail,omitempty"`
}

// Detailed is an error whose fields cross the socket beside its kind: a
// handler error that is one (errors.As) is sent with WireDetail's JSON,
// which the caller's RemoteError keeps in Detail, so that the caller can
// rebuild the typed error (see RemoteError.Rebuilt).
type Detailed interface {
	error
	WireDetail() any
}

// wireErrorOf is err as it crosses the socket.
func (k Errors) wireErrorOf(err error) wireError {
	we := wireError{Kind: k.kindOf(err), Message: err.Error()}
	if d, ok := errors.AsType[Detailed](err); ok {
		if detail, merr := json.Marshal(d.WireDetail()); merr == nil {
			we.Detail = detail
		}
	}
	return we
}

// maxRequestBytes bounds one call's body (add_document carries a whole
// note).
const maxRequestBytes = 64 << 20

// Server answers readers' calls on a unix socket. Close stops it and
// waits for its goroutines.
type Server struct {
	path    string
	hs      *http.Server
	done    chan struct{}
	closing chan struct{} // closed by Close: watches end
}

// Listen serves handlers on a unix socket at path. The caller must hold
// the indexer lock: a socket file left by a dead holder is removed first.
func Listen(path string, handlers map[string]Handler, kinds Errors, log zerolog.Logger) (*Server, error) {
	if err := privateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := restrictSocket(path); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("restrict socket %s: %w", path, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /call/{method}", func(w http.ResponseWriter, req *http.Request) {
		method := req.PathValue("method")
		h, ok := handlers[method]
		if !ok {
			writeJSON(w, http.StatusNotFound, wireError{Message: fmt.Sprintf("the indexer has no call %q (another version?)", method)})
			return
		}
		var in json.RawMessage
		if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxRequestBytes)).Decode(&in); err != nil {
			writeJSON(w, http.StatusBadRequest, wireError{Message: fmt.Sprintf("decode %s request: %v", method, err)})
			return
		}
		begin := time.Now()
		out, err := h(req.Context(), in)
		log.Debug().Str("call", method).Dur("took", time.Since(begin)).AnErr("error", err).Msg("reader call")
		if err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, kinds.wireErrorOf(err))
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
	s := &Server{
		path:    path,
		hs:      &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		done:    make(chan struct{}),
		closing: make(chan struct{}),
	}
	// A reader's watch: held open while this server serves, so that the
	// reader learns at once when it goes (the connection breaks when the
	// process dies; Close answers it).
	mux.HandleFunc("POST /watch", func(w http.ResponseWriter, req *http.Request) {
		w.WriteHeader(http.StatusOK)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		select {
		case <-req.Context().Done():
		case <-s.closing:
		}
	})
	go func() {
		defer close(s.done)
		if err := s.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Str("socket", path).Msg("reader socket failed")
		}
	}()
	return s, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Close stops accepting calls, waits for those in flight until ctx ends
// (then cuts them), removes the socket file and waits for the server's
// goroutines.
func (s *Server) Close(ctx context.Context) error {
	close(s.closing)
	err := s.hs.Shutdown(ctx)
	if err != nil {
		_ = s.hs.Close()
		err = fmt.Errorf("reader calls still in flight when the socket closed: %w", err)
	}
	<-s.done
	if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = errors.Join(err, fmt.Errorf("remove socket %s: %w", s.path, rerr))
	}
	return err
}

// privateDir creates dir (0700) if needed and refuses one that another
// user owns or others may write (ownedPrivately, per OS): the socket's
// directory is what keeps other local users from calling the indexer.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create socket directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("socket directory: %w", err)
	}
	return ownedPrivately(dir, fi)
}
