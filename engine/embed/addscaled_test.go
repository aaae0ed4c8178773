package embed

import (
	"math/rand/v2"
	"testing"
)

// TestAddScaledInt8 checks addScaledInt8 (the assembly kernel where the
// CPU has it) against the Go loop, bit for bit, at every length up to
// 300 and at offsets that leave the slices unaligned.
func TestAddScaledInt8(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		for _, off := range []int{0, 1, 3} {
			row := make([]int8, n+off)
			for i := range row {
				row[i] = int8(r.IntN(256) - 128)
			}
			v := make([]float32, n+off)
			for i := range v {
				v[i] = float32(r.NormFloat64())
			}
			w := float32(r.NormFloat64()) / 100
			want := append([]float32(nil), v...)
			addScaledInt8Generic(want[off:], row[off:], w)
			got := append([]float32(nil), v...)
			addScaledInt8(got[off:], row[off:], w)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("n=%d off=%d: v[%d] = %v, the Go loop gives %v", n, off, i, got[i], want[i])
				}
			}
		}
	}
}

func BenchmarkAddScaledInt8(b *testing.B) {
	row := make([]int8, 128)
	for i := range row {
		row[i] = int8(i*7 - 300)
	}
	v := make([]float32, 128)
	for _, impl := range []struct {
		name string
		f    func([]float32, []int8, float32)
	}{{"go", addScaledInt8Generic}, {"kernel", addScaledInt8}} {
		b.Run(impl.name, func(b *testing.B) {
			for b.Loop() {
				impl.f(v, row, 0.001)
			}
		})
	}
}
