//go:build !amd64

package embedded

// useAVX2 is false: see dot_amd64.go.
const useAVX2 = false

// dot returns the dot product of a and b[:len(a)].
func dot(a, b []float32) float32 { return dotGeneric(a, b) }

// dotI8 returns the dot product of a and b[:len(a)].
func dotI8(a []int16, b []int8) int32 { return dotI8Generic(a, b) }
