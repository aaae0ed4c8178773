//go:build !amd64

package static

// useF16C is false: no vector kernel here (the benchmark switches it).
var useF16C = false

// addHalf adds w × row (float16) to v, which is as long.
func addHalf(v []float32, row []uint16, w float32) { addHalfGeneric(v, row, w) }
