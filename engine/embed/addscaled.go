package embed

// addScaledInt8Generic adds w × row to v[:len(row)]. The conversion of
// the product rounds it before the sum (no fused multiply-add), as the
// assembly kernel does.
func addScaledInt8Generic(v []float32, row []int8, w float32) {
	v = v[:len(row)]
	for i, q := range row {
		v[i] += float32(float32(q) * w)
	}
}
