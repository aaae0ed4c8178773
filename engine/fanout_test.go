package engine

import (
	"slices"
	"testing"
)

// Subscribers are called in the order they subscribed, and one that
// unsubscribed is no longer called.
func TestFanoutOrder(t *testing.T) {
	var f fanout[int]
	var got []int
	removes := make([]func(), 20)
	for i := range 20 {
		removes[i] = f.add(func(int) { got = append(got, i) })
	}
	removes[3]()
	removes[17]()
	f.send(0)
	var want []int
	for i := range 20 {
		if i != 3 && i != 17 {
			want = append(want, i)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("subscribers called in order %v, want %v", got, want)
	}
}
