package storage

import "testing"

// RRF is w/(60+rank) for a ranked hit and nothing for one the leg did not
// find.
func TestRRF(t *testing.T) {
	if got := RRF(1, 1); got != 1.0/61 {
		t.Errorf("RRF(1, 1) = %v, want 1/61", got)
	}
	if got := RRF(40, 0.5); got != 0.5/100 {
		t.Errorf("RRF(40, 0.5) = %v, want 0.5/100", got)
	}
	if got := RRF(0, 1); got != 0 {
		t.Errorf("RRF(0, 1) = %v, want 0 for a hit the leg did not find", got)
	}
}
