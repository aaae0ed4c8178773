package half

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// numbers returns every float16 bit pattern that is a number.
func numbers() []uint16 {
	var all []uint16
	for h := range 1 << 16 {
		if f := ToFloat32(uint16(h)); !math.IsNaN(float64(f)) {
			all = append(all, uint16(h))
		}
	}
	return all
}

// Every float16 number survives the trip to float32 and back, and
// float32s round to the nearest float16, ties to even, overflowing to
// infinity.
func TestRoundTrip(t *testing.T) {
	for _, h := range numbers() {
		if got := FromFloat32(ToFloat32(h)); got != h {
			t.Fatalf("FromFloat32(ToFloat32(%#04x)) = %#04x", h, got)
		}
	}
	for _, c := range []struct {
		f    float32
		want uint16
	}{
		{1, 0x3c00}, {-2.5, 0xc100}, {65504, 0x7bff}, {1e6, 0x7c00}, {-1e6, 0xfc00},
		{1 + 1.0/2048, 0x3c00},          // a tie: to the even 1
		{1 + 3.0/2048, 0x3c02},          // a tie: to the even 1+2/1024
		{5.960464477539063e-08, 0x0001}, // the least subnormal
		{2e-8, 0},                       // below half of it
		{float32(math.Inf(-1)), 0xfc00},
	} {
		if got := FromFloat32(c.f); got != c.want {
			t.Errorf("FromFloat32(%v) = %#04x, want %#04x", c.f, got, c.want)
		}
	}
	if f := ToFloat32(FromFloat32(float32(math.NaN()))); !math.IsNaN(float64(f)) {
		t.Errorf("NaN came back as %v", f)
	}
}

// kernels runs f with the vector kernels on (where the CPU has them) and
// off.
func kernels(t *testing.T, f func(t *testing.T)) {
	for _, on := range []bool{true, false} {
		name := "go"
		if on {
			name = "kernel"
		}
		t.Run(name, func(t *testing.T) {
			restore := SetAccelerated(on)
			defer restore()
			if add, dot := Accelerated(); on && !(add && dot) {
				t.Logf("this CPU runs kernels: add %v, dot %v", add, dot)
			}
			f(t)
		})
	}
}

// AddScaled gives every float32 bit for bit as the Go loop does: for
// every float16 number, rows of every length up to 300 (kernel body and
// tail), and weights of both signs.
func TestAddScaledMatchesGeneric(t *testing.T) {
	all := numbers()
	kernels(t, func(t *testing.T) {
		check := func(row []uint16, w float32) {
			t.Helper()
			got, want := make([]float32, len(row)), make([]float32, len(row))
			for i := range got {
				got[i] = float32(i%7) - 3.25
				want[i] = got[i]
				want[i] += w * ToFloat32(row[i])
			}
			AddScaled(got, row, w)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("len %d, w %v: v[%d] = %v, want %v for half %#04x", len(row), w, i, got[i], want[i], row[i])
				}
			}
		}
		for _, w := range []float32{1, 3, -0.7, 1e-3} {
			check(all, w)
		}
		r := rand.New(rand.NewPCG(1, 2))
		for n := range 301 {
			row := make([]uint16, n)
			for i := range row {
				row[i] = all[r.IntN(len(all))]
			}
			check(row, float32(r.NormFloat64()))
		}
	})
}

// Dot agrees with the float64 sum of the products to float32 rounding,
// for every length up to 300, on unit-scale rows such as normalised
// vectors and on rows of large and tiny values.
func TestDot(t *testing.T) {
	kernels(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, scale := range []float64{0.05, 300, 1e-6} {
			for n := range 301 {
				a, h := make([]float32, n), make([]uint16, n)
				var want, mag float64
				for i := range a {
					a[i] = float32(r.NormFloat64())
					h[i] = FromFloat32(float32(r.NormFloat64() * scale))
					p := float64(a[i]) * float64(ToFloat32(h[i]))
					want += p
					mag += math.Abs(p)
				}
				if got := Dot(a, h); math.Abs(float64(got)-want) > 1e-6*mag+1e-30 {
					t.Fatalf("scale %v, len %d: Dot = %v, want %v", scale, n, got, want)
				}
			}
		}
		// a longer h is read only as far as a is long
		if got := Dot([]float32{1, 2}, []uint16{0x3c00, 0x3c00, 0x7c00}); got != 3 {
			t.Fatalf("Dot over a prefix = %v, want 3", got)
		}
	})
}

// Encode, Decode and DecodeBytes convert whole rows as ToFloat32 and
// FromFloat32 do.
func TestEncodeDecode(t *testing.T) {
	v := []float32{0, -1, 0.1, 3e-6, 70000}
	h := make([]uint16, len(v))
	Encode(h, v)
	back, fromBytes := make([]float32, len(v)), make([]float32, len(v))
	Decode(back, h)
	b := make([]byte, 2*len(h))
	for i, x := range h {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	DecodeBytes(fromBytes, b)
	for i := range v {
		if h[i] != FromFloat32(v[i]) || back[i] != ToFloat32(h[i]) || fromBytes[i] != back[i] {
			t.Errorf("value %d: %v → %#04x → %v", i, v[i], h[i], back[i])
		}
	}
}

// BenchmarkDot scores one vector of 384 dimensions, the built-in
// embedder's.
func BenchmarkDot(b *testing.B) {
	a, h := make([]float32, 384), make([]uint16, 384)
	for i := range a {
		a[i] = float32(i%13) / 13
		h[i] = FromFloat32(float32(i%17) / 17)
	}
	for _, on := range []bool{true, false} {
		name := map[bool]string{true: "kernel", false: "go"}[on]
		b.Run(name, func(b *testing.B) {
			defer SetAccelerated(on)()
			var s float32
			for b.Loop() {
				s += Dot(a, h)
			}
			_ = s
		})
	}
}

// BenchmarkAddScaled adds one row of potion-code's 256 dimensions.
func BenchmarkAddScaled(b *testing.B) {
	row := make([]uint16, 256)
	for i := range row {
		row[i] = FromFloat32(float32(i%17) / 17)
	}
	v := make([]float32, 256)
	for _, on := range []bool{true, false} {
		name := map[bool]string{true: "kernel", false: "go"}[on]
		b.Run(name, func(b *testing.B) {
			defer SetAccelerated(on)()
			for b.Loop() {
				AddScaled(v, row, 0.5)
			}
		})
	}
}

// Encode and Decode give what FromFloat32 and ToFloat32 give, kernel or
// Go loop: for every float16, and for float32s of every sign, exponent
// and leading fraction bits with the low bits below, at and around a
// rounding tie; rows of every length up to 40, so that kernels and their
// tails both run. DecodeBytes reads values at any alignment.
func TestEncodeDecodeRows(t *testing.T) {
	var floats []float32
	for top := range uint32(1 << 19) {
		for _, low := range []uint32{0, 1, 0x0fff, 0x1000, 0x1001, 0x1fff} {
			floats = append(floats, math.Float32frombits(top<<13|low))
		}
	}
	halves := make([]uint16, 1<<16)
	for i := range halves {
		halves[i] = uint16(i)
	}
	same := func(a, b float32) bool {
		return a == b && math.Signbit(float64(a)) == math.Signbit(float64(b)) || a != a && b != b
	}
	kernels(t, func(t *testing.T) {
		h := make([]uint16, len(floats))
		Encode(h, floats)
		eb := make([]byte, 1+2*len(floats))
		EncodeBytes(eb[1:], floats) // at an odd address
		for i, f := range floats {
			want := FromFloat32(f)
			if h[i] != want && !(f != f && ToFloat32(h[i]) != ToFloat32(h[i])) {
				t.Fatalf("Encode(%v = %#08x) = %#04x, want %#04x", f, math.Float32bits(f), h[i], want)
			}
			if got := binary.LittleEndian.Uint16(eb[1+2*i:]); got != h[i] {
				t.Fatalf("EncodeBytes(%v) = %#04x, Encode %#04x", f, got, h[i])
			}
		}
		back := make([]float32, len(halves))
		Decode(back, halves)
		b := make([]byte, 1+2*len(halves))
		for i, x := range halves {
			binary.LittleEndian.PutUint16(b[1+2*i:], x)
		}
		fromBytes := make([]float32, len(halves))
		DecodeBytes(fromBytes, b[1:]) // at an odd address
		for i, x := range halves {
			if want := ToFloat32(x); !same(back[i], want) || !same(fromBytes[i], want) {
				t.Fatalf("Decode(%#04x) = %v, DecodeBytes %v, want %v", x, back[i], fromBytes[i], want)
			}
		}
		for n := range 41 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(i) - 7.3
			}
			h, back := make([]uint16, n), make([]float32, n)
			Encode(h, v)
			Decode(back, h)
			for i := range v {
				if h[i] != FromFloat32(v[i]) || back[i] != ToFloat32(h[i]) {
					t.Fatalf("row of %d, value %d: %v → %#04x → %v", n, i, v[i], h[i], back[i])
				}
			}
		}
	})
}

// BenchmarkEncode converts one vector of 384 dimensions to float16.
func BenchmarkEncode(b *testing.B) {
	v, h := make([]float32, 384), make([]uint16, 384)
	for i := range v {
		v[i] = float32(i%13) / 13
	}
	for b.Loop() {
		Encode(h, v)
	}
}
