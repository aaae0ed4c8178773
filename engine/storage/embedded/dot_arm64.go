package embedded

// quantFirstPass is true: every arm64 CPU has NEON (Advanced SIMD is
// part of ARMv8-A and required by Go on arm64), so dotI8 always runs
// dotI8NEON and the quantised first pass beats the exact scan.
const quantFirstPass = true

// dotI8NEON returns the dot product of a[:n] and b[:n]; n must be a
// multiple of 16.
//
//go:noescape
func dotI8NEON(a *int16, b *int8, n int) int32

// dot returns the dot product of a and b[:len(a)].
func dot(a, b []float32) float32 { return dotGeneric(a, b) }

// dotI8 returns the dot product of a and b[:len(a)].
func dotI8(a []int16, b []int8) int32 {
	b = b[:len(a)]
	n := len(a) &^ 15
	if n == 0 {
		return dotI8Generic(a, b)
	}
	return dotI8NEON(&a[0], &b[0], n) + dotI8Generic(a[n:], b[n:])
}

// dotI8Kernels lists the int8 kernels this CPU runs, for the tests and
// benchmarks.
func dotI8Kernels() []dotI8Kernel {
	return []dotI8Kernel{{"portable", dotI8Generic}, {"neon", dotI8}}
}
