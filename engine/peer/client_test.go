package peer

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// failingTransport fails every request with err, as net/http's transport
// fails it.
type failingTransport struct{ err error }

func (f failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

// A call that met a kept-alive connection the indexer closed as it
// stopped never reached it, so it is not sent (and a reader sends it
// again, whatever the call); a connection that broke after the call left
// may have delivered it, so only an idempotent call may be sent again.
func TestClosedIdleConnectionIsNotSent(t *testing.T) {
	for _, tt := range []struct {
		err     error
		notSent bool
	}{
		{errors.New("http: server closed idle connection"), true}, // net/http's errServerClosedIdle
		{errors.New("net/http: HTTP/1.x transport connection broken: EOF"), false},
		{errors.New("EOF"), false},
	} {
		c := &Client{path: "/tmp/indexer.sock", hc: &http.Client{Transport: failingTransport{tt.err}}}
		err := c.Call(context.Background(), MethodAddDocument.Name, map[string]string{"content": "x"}, nil)
		if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotSent) != tt.notSent {
			t.Errorf("%q: Call = %v; want ErrUnreachable, ErrNotSent %v", tt.err, err, tt.notSent)
		}
	}
}
