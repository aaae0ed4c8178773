package retry

import "testing"

// TestBackoff checks the exponential backoff between retry attempts:
// each retry attempt waits for the backoff, and the backoff between
// attempts grows exponentially with every retry.
func TestBackoff(t *testing.T) {
	if Backoff(1) <= Backoff(0) {
		t.Fatal("backoff between retry attempts must grow")
	}
}
