package half

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

var (
	// hasF16C and hasDotF16C are what the CPU runs: AddScaled's kernel
	// needs AVX and F16C, Dot's FMA as well.
	hasF16C    = cpu.X86.HasAVX && cpu.X86.HasF16C
	hasDotF16C = hasF16C && cpu.X86.HasFMA
	// useF16C and useDotF16C are what runs (see SetAccelerated).
	useF16C    = hasF16C
	useDotF16C = hasDotF16C
)

// addScaledF16C adds w × row[:n] (float16) to v[:n]; n must be a
// multiple of 8.
//
//go:noescape
func addScaledF16C(v *float32, row *uint16, n int, w float32)

// dotF16C returns the dot product of a[:n] and h[:n] (float16); n must
// be a multiple of 8.
//
//go:noescape
func dotF16C(a *float32, h *uint16, n int) float32

// encodeF16C stores v[:n] at dst as n little-endian float16 values (at
// any alignment), rounding to nearest even; n must be a multiple of 8.
//
//go:noescape
func encodeF16C(dst unsafe.Pointer, v *float32, n int)

// decodeF16C stores the n float16 values at h (little-endian, at any
// alignment) in dst[:n] as float32; n must be a multiple of 8.
//
//go:noescape
func decodeF16C(dst *float32, h unsafe.Pointer, n int)
