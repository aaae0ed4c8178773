//go:build !amd64

package half

// No vector kernels here: AddScaled and Dot run the Go loops.
const hasF16C, hasDotF16C = false, false

var useF16C, useDotF16C = false, false

func addScaledF16C(v *float32, row *uint16, n int, w float32) {
	panic("half: no F16C kernel on this architecture")
}

func dotF16C(a *float32, h *uint16, n int) float32 {
	panic("half: no F16C kernel on this architecture")
}
