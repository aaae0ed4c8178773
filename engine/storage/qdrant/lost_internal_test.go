package qdrant

import (
	"errors"
	"testing"
	"time"

	"workspace-qdrant-mcp/engine/analysis"
	"workspace-qdrant-mcp/engine/storage"
	"workspace-qdrant-mcp/engine/storage/qdrant/qdranttest"
)

// A store whose gRPC connection was shut down under it (not by Close)
// reports storage.ErrConnectionLost from every request and from Ping
// from then on, even once the server answers again, since that
// connection never comes back; a Qdrant that merely stops answering is
// transient, not lost. Closing the lost store succeeds.
func TestLostConnection(t *testing.T) {
	srv, err := qdranttest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	st, err := Open(t.Context(), Options{URL: srv.Addr(), CollectionPrefix: "l_", Analyzer: analysis.Terms})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	srv.Stop()
	err = st.Ping(t.Context())
	if err == nil || errors.Is(err, storage.ErrConnectionLost) || !IsTransient(err) {
		t.Fatalf("Ping of a stopped server = %v, want transient, not lost", err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) { // gRPC reconnects with its backoff
		err := st.Ping(t.Context())
		if err == nil {
			break
		}
		if errors.Is(err, storage.ErrConnectionLost) || time.Now().After(deadline) {
			t.Fatalf("Ping once the server is back: %v", err)
		}
	}

	if err := st.conn.Close(); err != nil { // the connection goes away under the store
		t.Fatal(err)
	}
	if _, err := st.Collections(t.Context()); !errors.Is(err, storage.ErrConnectionLost) {
		t.Errorf("Collections on a shut down connection = %v, want ErrConnectionLost", err)
	}
	for range 2 {
		if err := st.Ping(t.Context()); !errors.Is(err, storage.ErrConnectionLost) {
			t.Errorf("Ping on a shut down connection = %v, want ErrConnectionLost", err)
		}
	}
	if err := st.Close(); err != nil {
		t.Errorf("Close of a store whose connection is lost = %v, want nil", err)
	}
}
