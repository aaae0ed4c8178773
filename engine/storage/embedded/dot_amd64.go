package embedded

import "golang.org/x/sys/cpu"

// useAVX2 is whether dot and dotI8 run AVX2 kernels.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// quantFirstPass is whether vector sets keep int8 copies (see quant.go):
// without AVX2 the int8 first pass would be slower than the exact scan.
var quantFirstPass = useAVX2

// dotAVX2 returns the dot product of a[:n] and b[:n]; n must be a
// multiple of 8.
//
//go:noescape
func dotAVX2(a, b *float32, n int) float32

// dotI8AVX2 returns the dot product of a[:n] and b[:n]; n must be a
// multiple of 16.
//
//go:noescape
func dotI8AVX2(a *int16, b *int8, n int) int32

// dot returns the dot product of a and b[:len(a)].
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	n := len(a) &^ 7
	if !useAVX2 || n == 0 {
		return dotGeneric(a, b)
	}
	s := dotAVX2(&a[0], &b[0], n)
	for i := n; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

// dotI8 returns the dot product of a and b[:len(a)].
func dotI8(a []int16, b []int8) int32 {
	b = b[:len(a)]
	n := len(a) &^ 15
	if !useAVX2 || n == 0 {
		return dotI8Generic(a, b)
	}
	return dotI8AVX2(&a[0], &b[0], n) + dotI8Generic(a[n:], b[n:])
}

// dotI8Kernels lists the int8 kernels this CPU runs, for the tests and
// benchmarks.
func dotI8Kernels() []dotI8Kernel {
	ks := []dotI8Kernel{{"portable", dotI8Generic}}
	if useAVX2 {
		ks = append(ks, dotI8Kernel{"avx2", dotI8})
	}
	return ks
}
