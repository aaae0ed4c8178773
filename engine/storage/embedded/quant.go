package embedded

import "math"

// Quantised first pass of the semantic scan. The exact scan reads every
// vector, held as float16 (44 MB for 57k vectors of 384 dimensions; see
// vectors.go), and is bound by memory bandwidth once the arithmetic runs
// on F16C and FMA (half.Dot). Each set therefore
// also keeps an int8 copy of its vectors (a quarter of the bytes), each
// scaled by its largest absolute value; the scan ranks every vector by
// the int8 dot product with an int16 copy of the query, then rescoring
// computes the cosine of the float32 query with the float16 vector of the
// best rescoreCount(k)
// candidates, from which the k best are returned. The int8 copy is made
// from the float16 vector; float16 keeps each value within 2^-11 of
// itself, a cosine within 5e-4 of the float32 one. The int8 error of a
// unit vector's dot product is around 1e-3 of its score, far less than
// the gap between rank k and rank rescoreCount(k) in practice; the tests
// compare the result with the exact scan's.
//
// Which int8 kernel dotI8 runs, and whether sets keep int8 copies at all
// (quantFirstPass):
//   - amd64 with AVX2 and FMA: dotI8AVX2 (dot_amd64.s); copies kept.
//   - amd64 without them: dotI8Generic; no copies, the exact scan runs.
//   - arm64 (darwin, linux, every other OS): dotI8NEON (dot_arm64.s),
//     NEON being part of every arm64 CPU; copies kept.
//   - every other architecture: dotI8Generic; no copies.
//
// Every kernel computes the same int32 as the scalar loop, bit for bit.

// maxQuantDims bounds the vector size with an int8 copy. The int32 sum
// of n int8×int16 products cannot overflow because quantizeQuery scales
// the query to at most queryMax(n): 32767 up to 516 dimensions, 4,128 at
// 4096 (12 bits, still far finer than the int8 side).
const maxQuantDims = 4096

// queryMax is the largest magnitude of a query of n dimensions scaled to
// int16 such that n products with int8 values (at most 127 in
// magnitude) sum within an int32.
func queryMax(n int) float32 {
	return float32(min(32767, math.MaxInt32/(127*max(1, n))))
}

// rescoreCount is how many quantised candidates are rescored exactly for
// a search of the k best.
func rescoreCount(k int) int { return max(4*k, 256) }

// quantMinVectors is the least number of vectors for which a search of
// the k best takes the quantised first pass. Below it the exact scan is
// cheaper: keeping the best rescoreCount(k) of a few thousand int8 scores
// in a heap costs more than scoring every float32 vector and keeping k.
func quantMinVectors(k int) int { return quantMinFactor * rescoreCount(k) }

// quantMinFactor is a variable so that tests can force the first pass on
// small sets.
var quantMinFactor = 16

// quantize stores v scaled to int8 in dst and returns the factor that
// scales dst back: v[i] ≈ scale·dst[i].
func quantize(dst []int8, v []float32) float32 {
	var m float32
	for _, x := range v {
		m = max(m, abs32(x))
	}
	if m == 0 {
		clear(dst)
		return 0
	}
	f := 127 / m
	for i, x := range v {
		dst[i] = int8(roundHalfAway(x * f))
	}
	return m / 127
}

// roundHalfAway returns y rounded to the nearest integer, halves away from
// zero, as math.Round(float64(y)) does, without the round trip through
// float64 and math.Round's bit handling (a third of quantize's time).
// y - float32(t), the fraction, is exact.
func roundHalfAway(y float32) int32 {
	t := int32(y) // toward zero
	switch d := y - float32(t); {
	case d >= 0.5:
		t++
	case d <= -0.5:
		t--
	}
	return t
}

// quantizeQuery returns v scaled to int16, within queryMax(len(v)).
func quantizeQuery(v []float32) []int16 {
	var m float32
	for _, x := range v {
		m = max(m, abs32(x))
	}
	out := make([]int16, len(v))
	if m == 0 {
		return out
	}
	f := queryMax(len(v)) / m
	for i, x := range v {
		out[i] = int16(math.Round(float64(x * f)))
	}
	return out
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// dotI8Kernel is a named implementation of dotI8, for the tests and
// benchmarks, which compare every kernel the machine runs (see each
// platform's dotI8Kernels) with the scalar loop.
type dotI8Kernel struct {
	name string
	dot  func(a []int16, b []int8) int32
}

// dotI8Generic returns the dot product of a and b[:len(a)]: the portable
// kernel, which dotI8 runs where no assembly kernel does and for the
// last len(a)%16 values where one does. Eight independent sums keep the
// multipliers busy, and the array pointers and the loop condition on
// both lengths let the compiler drop every bounds check. Integer
// arithmetic makes it exact in any order, wrapping included.
func dotI8Generic(a []int16, b []int8) int32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 int32
	for len(a) >= 8 && len(b) >= 8 {
		a8, b8 := (*[8]int16)(a), (*[8]int8)(b)
		s0 += int32(a8[0]) * int32(b8[0])
		s1 += int32(a8[1]) * int32(b8[1])
		s2 += int32(a8[2]) * int32(b8[2])
		s3 += int32(a8[3]) * int32(b8[3])
		s4 += int32(a8[4]) * int32(b8[4])
		s5 += int32(a8[5]) * int32(b8[5])
		s6 += int32(a8[6]) * int32(b8[6])
		s7 += int32(a8[7]) * int32(b8[7])
		a, b = a[8:], b[8:]
	}
	for i := range min(len(a), len(b)) {
		s0 += int32(a[i]) * int32(b[i])
	}
	return (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7)
}
