package static

import (
	"math"
	"math/rand/v2"
	"testing"
)

// addHalf (the F16C kernel where the CPU has it) gives every float32 bit
// for bit as the Go loop does: for every float16 value that is a number,
// rows of every length up to 300 (kernel body and tail), and weights of
// both signs.
func TestAddHalfMatchesGeneric(t *testing.T) {
	if !useF16C {
		t.Log("this CPU has no F16C: addHalf is the Go loop itself")
	}
	var all []uint16
	for h := range 1 << 16 {
		if f := halfToFloat(uint16(h)); !math.IsNaN(float64(f)) {
			all = append(all, uint16(h))
		}
	}
	check := func(row []uint16, w float32) {
		t.Helper()
		got, want := make([]float32, len(row)), make([]float32, len(row))
		for i := range got {
			got[i] = float32(i%7) - 3.25
			want[i] = got[i]
		}
		addHalf(got, row, w)
		addHalfGeneric(want, row, w)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("len %d, w %v: v[%d] = %v (%#x), want %v (%#x) for half %#04x",
					len(row), w, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]), row[i])
			}
		}
	}
	for _, w := range []float32{1, 3, -0.7, 1e-3} {
		check(all, w)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 301 {
		row := make([]uint16, n)
		for i := range row {
			row[i] = all[r.IntN(len(all))]
		}
		check(row, float32(r.NormFloat64()))
	}
}

// BenchmarkAddHalf adds one row of potion-code's 256 dimensions.
func BenchmarkAddHalf(b *testing.B) {
	row := make([]uint16, 256)
	for i := range row {
		row[i] = floatToHalf(float32(i%17) / 17)
	}
	v := make([]float32, 256)
	b.Run("kernel", func(b *testing.B) {
		for b.Loop() {
			addHalf(v, row, 0.5)
		}
	})
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			addHalfGeneric(v, row, 0.5)
		}
	})
}
