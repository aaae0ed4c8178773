//go:build !amd64

package embed

// addScaledInt8 adds w × row to v[:len(row)].
func addScaledInt8(v []float32, row []int8, w float32) { addScaledInt8Generic(v, row, w) }
