// Package half converts IEEE 754 half-precision (float16) values and runs
// the row kernels that read them: the static embedder adds float16 rows,
// the embedded store scores queries against float16 vectors. On amd64
// with F16C (and FMA for Dot) the kernels convert eight values per
// instruction; everywhere else they run the Go loops of this file, which
// read a 256 KiB table instead of converting.
package half

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// ToFloat32 converts an IEEE 754 half-precision value exactly.
func ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		f := float32(frac) / 1024 / 16384
		if sign != 0 {
			return -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// FromFloat32 converts to IEEE 754 half precision, rounding to nearest
// even; out-of-range values become infinities.
func FromFloat32(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	frac := b & 0x7fffff
	switch {
	case b&0x7fffffff == 0:
		return sign
	case int32(b>>23&0xff) == 0xff: // inf or NaN
		if frac != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp >= 0x1f:
		return sign | 0x7c00
	case exp <= 0: // subnormal or zero
		if exp < -10 {
			return sign
		}
		frac |= 0x800000
		shift := uint32(14 - exp)
		h := frac >> shift
		rem := frac & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(exp)<<10 | frac>>13
	rem := frac & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, which is right
	}
	return sign | uint16(h)
}

// Encode stores v in dst as float16, which must be as long, as
// FromFloat32 does (a NaN stays a NaN, its payload not kept the same).
func Encode(dst []uint16, v []float32) {
	dst = dst[:len(v)]
	n := len(v) &^ 7
	if useF16C && n > 0 {
		encodeF16C(unsafe.Pointer(&dst[0]), &v[0], n)
	} else {
		n = 0
	}
	for i, f := range v[n:] {
		dst[n+i] = FromFloat32(f)
	}
}

// EncodeBytes stores v in dst as little-endian float16 values, as Encode
// does; dst must hold 2 × len(v) bytes.
func EncodeBytes(dst []byte, v []float32) {
	dst = dst[:2*len(v)]
	n := len(v) &^ 7
	if useF16C && n > 0 { // amd64, little-endian: the values are the bytes
		encodeF16C(unsafe.Pointer(&dst[0]), &v[0], n)
	} else {
		n = 0
	}
	for i := n; i < len(v); i++ {
		binary.LittleEndian.PutUint16(dst[2*i:], FromFloat32(v[i]))
	}
}

// Decode stores h in dst as float32, which must be as long, as ToFloat32
// does (a NaN stays a NaN, its payload not kept the same).
func Decode(dst []float32, h []uint16) {
	dst = dst[:len(h)]
	n := len(h) &^ 7
	if useF16C && n > 0 {
		decodeF16C(&dst[0], unsafe.Pointer(&h[0]), n)
	} else {
		n = 0
	}
	tab := table
	for i, x := range h[n:] {
		dst[n+i] = tab[x]
	}
}

// DecodeBytes stores the little-endian float16 values of b in dst as
// float32; dst must hold len(b)/2 values.
func DecodeBytes(dst []float32, b []byte) {
	dst = dst[:len(b)/2]
	n := len(dst) &^ 7
	if useF16C && n > 0 { // amd64, little-endian: b holds the values as they are
		decodeF16C(&dst[0], unsafe.Pointer(&b[0]), n)
	} else {
		n = 0
	}
	tab := table
	for i := n; i < len(dst); i++ {
		dst[i] = tab[binary.LittleEndian.Uint16(b[2*i:])]
	}
}

// table maps every float16 bit pattern to its float32 value: a lookup is
// faster than the conversion in Go, and the table is 256 KiB.
var table = func() *[1 << 16]float32 {
	t := new([1 << 16]float32)
	for i := range t {
		t[i] = ToFloat32(uint16(i))
	}
	return t
}()

// AddScaled adds w × row (float16) to v, which is as long. The kernel
// rounds every v[i] exactly as the Go loop does.
func AddScaled(v []float32, row []uint16, w float32) {
	v = v[:len(row)]
	n := len(row) &^ 7
	if !useF16C || n == 0 {
		addScaledGeneric(v, row, w)
		return
	}
	addScaledF16C(&v[0], &row[0], n, w)
	addScaledGeneric(v[n:], row[n:], w)
}

// Dot returns the dot product of a and h[:len(a)] (float16). The kernel
// sums in another order, with fused multiply-adds: its result differs
// from the Go loop's in the last bits.
func Dot(a []float32, h []uint16) float32 {
	h = h[:len(a)]
	n := len(a) &^ 7
	if !useDotF16C || n == 0 {
		return dotGeneric(a, h)
	}
	return dotF16C(&a[0], &h[0], n) + dotGeneric(a[n:], h[n:])
}

// Accelerated reports whether AddScaled (and Encode and Decode) and Dot
// run vector kernels.
func Accelerated() (add, dot bool) { return useF16C, useDotF16C }

// SetAccelerated turns the vector kernels off (false) or back on where
// the CPU has them (true), and returns the function that restores the
// previous setting: for tests and benchmarks, which compare both paths.
// It must not run beside calls of AddScaled or Dot.
func SetAccelerated(on bool) (restore func()) {
	add, dot := useF16C, useDotF16C
	useF16C, useDotF16C = on && hasF16C, on && hasDotF16C
	return func() { useF16C, useDotF16C = add, dot }
}

// addScaledGeneric is AddScaled in Go, and the tail of a row the kernel
// leaves.
func addScaledGeneric(v []float32, row []uint16, w float32) {
	v = v[:len(row)]
	tab := table        // an array index by uint16: no bounds check
	for len(row) >= 8 { // unrolled: each v[j] still sums its terms in the same order
		o, r := v[:8:8], row[:8:8]
		o[0] += w * tab[r[0]]
		o[1] += w * tab[r[1]]
		o[2] += w * tab[r[2]]
		o[3] += w * tab[r[3]]
		o[4] += w * tab[r[4]]
		o[5] += w * tab[r[5]]
		o[6] += w * tab[r[6]]
		o[7] += w * tab[r[7]]
		v, row = v[8:], row[8:]
	}
	for j, x := range row {
		v[j] += w * tab[x]
	}
}

// dotGeneric is Dot in Go, and the tail of a row the kernel leaves:
// eight independent sums keep the floating point units busy.
func dotGeneric(a []float32, h []uint16) float32 {
	h = h[:len(a)]
	tab := table
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	for len(a) >= 8 && len(h) >= 8 {
		a8, h8 := (*[8]float32)(a), (*[8]uint16)(h)
		s0 += a8[0] * tab[h8[0]]
		s1 += a8[1] * tab[h8[1]]
		s2 += a8[2] * tab[h8[2]]
		s3 += a8[3] * tab[h8[3]]
		s4 += a8[4] * tab[h8[4]]
		s5 += a8[5] * tab[h8[5]]
		s6 += a8[6] * tab[h8[6]]
		s7 += a8[7] * tab[h8[7]]
		a, h = a[8:], h[8:]
	}
	for i := range min(len(a), len(h)) {
		s0 += a[i] * tab[h[i]]
	}
	return (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7)
}
