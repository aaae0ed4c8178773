//go:build !amd64 && !arm64

package embedded

// quantFirstPass is false: in plain Go the int8 first pass is slower
// than the exact float32 scan (BenchmarkDotI8Scan, portable against
// float32-generic; see BENCHMARKS.md), so sets keep no int8 copies.
const quantFirstPass = false

// dot returns the dot product of a and b[:len(a)].
func dot(a, b []float32) float32 { return dotGeneric(a, b) }

// dotI8 returns the dot product of a and b[:len(a)].
func dotI8(a []int16, b []int8) int32 { return dotI8Generic(a, b) }

// dotI8Kernels lists the int8 kernels this CPU runs, for the tests and
// benchmarks.
func dotI8Kernels() []dotI8Kernel { return []dotI8Kernel{{"portable", dotI8Generic}} }
