//go:build !amd64

package half

import "unsafe"

// No vector kernels here: AddScaled and Dot run the Go loops.
const hasF16C, hasDotF16C = false, false

var useF16C, useDotF16C = false, false

func addScaledF16C(v *float32, row *uint16, n int, w float32) {
	panic("half: no F16C kernel on this architecture")
}

func dotF16C(a *float32, h *uint16, n int) float32 {
	panic("half: no F16C kernel on this architecture")
}

func encodeF16C(dst unsafe.Pointer, v *float32, n int) {
	panic("half: no F16C kernel on this architecture")
}

func decodeF16C(dst *float32, h unsafe.Pointer, n int) {
	panic("half: no F16C kernel on this architecture")
}
