package embed

import "golang.org/x/sys/cpu"

// useAVX2 is whether addScaledInt8's kernel runs.
var useAVX2 = cpu.X86.HasAVX2

// addScaledInt8AVX2 adds w × row[:n] to v[:n]; n must be a multiple of 8.
//
//go:noescape
func addScaledInt8AVX2(v *float32, row *int8, n int, w float32)

// addScaledInt8 adds w × row to v[:len(row)], each element rounded as
// addScaledInt8Generic rounds it.
func addScaledInt8(v []float32, row []int8, w float32) {
	v = v[:len(row)]
	n := len(row) &^ 7
	if !useAVX2 || n == 0 {
		addScaledInt8Generic(v, row, w)
		return
	}
	addScaledInt8AVX2(&v[0], &row[0], n, w)
	addScaledInt8Generic(v[n:], row[n:], w)
}
