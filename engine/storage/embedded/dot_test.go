package embedded

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"workspace-qdrant-mcp/internal/half"
)

// dotI8Plain is the reference int8 dot product: the scalar loop every
// kernel must match bit for bit.
func dotI8Plain(a []int16, b []int8) int32 {
	var s int32
	for i := range a {
		s += int32(a[i]) * int32(b[i])
	}
	return s
}

// allDotI8Kernels is every int8 kernel this machine runs, and dotI8
// itself, which picks one.
func allDotI8Kernels() []dotI8Kernel {
	return append(dotI8Kernels(), dotI8Kernel{"dotI8", dotI8})
}

// TestDotI8KernelsMatchScalar compares every int8 kernel the machine runs
// with the scalar loop, over lengths around every unrolling step, on
// random values, on the extremes (whose sums wrap int32 from 256 values
// on) and at unaligned offsets, with b longer than a.
func TestDotI8KernelsMatchScalar(t *testing.T) {
	kernels := allDotI8Kernels()
	names := make([]string, len(kernels))
	for i, k := range kernels {
		names[i] = k.name
	}
	t.Logf("kernels: %v", names)
	if !slices.Contains(names, "portable") {
		t.Fatal("the portable kernel is not listed")
	}

	lengths := []int{383, 384, 385, 511, 512, 513, 767, 768, 769, 1024, 1536, 3072, 4095, 4096}
	for n := range 100 {
		lengths = append(lengths, n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fills := []struct {
		name string
		a    func() int16
		b    func() int8
	}{
		{"random", func() int16 { return int16(rng.Uint32()) }, func() int8 { return int8(rng.Uint32()) }},
		{"max*min", func() int16 { return 32767 }, func() int8 { return -128 }},
		{"min*min", func() int16 { return -32768 }, func() int8 { return -128 }},
		{"min*max", func() int16 { return -32768 }, func() int8 { return 127 }},
		{"max*max", func() int16 { return 32767 }, func() int8 { return 127 }},
		{"extremes", func() int16 { return []int16{-32768, -32767, 32767}[rng.IntN(3)] },
			func() int8 { return []int8{-128, 127}[rng.IntN(2)] }},
	}
	wrapped := false
	for _, f := range fills {
		for _, n := range lengths {
			for _, off := range []int{0, 1, 3} {
				abuf, bbuf := make([]int16, n+off), make([]int8, n+off+5)
				for i := range abuf {
					abuf[i] = f.a()
				}
				for i := range bbuf {
					bbuf[i] = f.b()
				}
				a, b := abuf[off:], bbuf[off:] // b is 5 values longer
				want := dotI8Plain(a, b)
				var wide int64
				for i := range a {
					wide += int64(a[i]) * int64(b[i])
				}
				wrapped = wrapped || int64(want) != wide
				for _, k := range kernels {
					if got := k.dot(a, b); got != want {
						t.Errorf("%s, n=%d, offset %d: %s gives %d, scalar %d", f.name, n, off, k.name, got, want)
					}
				}
			}
		}
	}
	if !wrapped {
		t.Error("no case wrapped int32: the extremes are not extreme")
	}
}

// Scan of benchDotVectors int8 vectors of benchDims dimensions.
const benchDotVectors = 50000

type benchDotSet struct {
	q     []float32
	vecs  []float32
	qq    []int16
	qvecs []int8
	hvecs []uint16 // float16, as sets hold them
}

var benchDotData = sync.OnceValue(func() *benchDotSet {
	c := newCorpus(4)
	d := &benchDotSet{q: c.vector(), vecs: make([]float32, benchDotVectors*benchDims), qvecs: make([]int8, benchDotVectors*benchDims),
		hvecs: make([]uint16, benchDotVectors*benchDims)}
	normalize(d.q)
	d.qq = quantizeQuery(d.q)
	for i := range benchDotVectors {
		v := d.vecs[i*benchDims : (i+1)*benchDims]
		copy(v, c.vector())
		normalize(v)
		quantize(d.qvecs[i*benchDims:(i+1)*benchDims], v)
		half.Encode(d.hvecs[i*benchDims:(i+1)*benchDims], v)
	}
	return d
})

// scanDotI8 scores every benchmark vector's int8 copy with dot.
func scanDotI8(dot func([]int16, []int8) int32) int32 {
	d := benchDotData()
	var s int32
	for j := range benchDotVectors {
		s += dot(d.qq, d.qvecs[j*benchDims:(j+1)*benchDims])
	}
	return s
}

// scanDotFloat32 scores every benchmark vector with dotGeneric, as the
// exact scan does where sets keep no int8 copies.
func scanDotFloat32(dot func(a, b []float32) float32) int32 {
	d := benchDotData()
	var s float32
	for j := range benchDotVectors {
		s += dot(d.q, d.vecs[j*benchDims:(j+1)*benchDims])
	}
	return int32(s)
}

// scanDotHalf scores every benchmark vector's float16 copy with
// half.Dot, as the exact scan and the rescoring do.
func scanDotHalf() int32 {
	d := benchDotData()
	var s float32
	for j := range benchDotVectors {
		s += half.Dot(d.q, d.hvecs[j*benchDims:(j+1)*benchDims])
	}
	return int32(s)
}

// plainScan is the median time of five scans with the scalar loop.
var plainScan = sync.OnceValue(func() time.Duration {
	var ts []time.Duration
	for range 5 {
		start := time.Now()
		scanDotI8(dotI8Plain)
		ts = append(ts, time.Since(start))
	}
	slices.Sort(ts)
	return ts[2]
})

var benchSink int32

// BenchmarkDotI8Scan measures the first pass of a semantic search over
// benchDotVectors vectors of benchDims dimensions on one core: one int8
// dot product per vector, with the scalar loop ("plain") and with every
// kernel the machine runs. x-plain is how many times faster than the
// scalar loop (its median of five scans, timed once per process) the
// kernel is. float32-generic is the exact float32 scan with the portable
// kernel, as sets without int8 copies ran before float16; float16 and
// float16-generic are the exact scan they run now (half.Dot, with its
// F16C kernel where the CPU has one and with its Go loop): the int8
// first pass is only worth its copies where it beats that.
func BenchmarkDotI8Scan(b *testing.B) {
	type scan struct {
		name string
		run  func() int32
	}
	scans := []scan{{"plain", func() int32 { return scanDotI8(dotI8Plain) }}}
	for _, k := range dotI8Kernels() {
		scans = append(scans, scan{k.name, func() int32 { return scanDotI8(k.dot) }})
	}
	scans = append(scans, scan{"float32-generic", func() int32 { return scanDotFloat32(dotGeneric) }},
		scan{"float32", func() int32 { return scanDotFloat32(dot) }},
		scan{"float16", scanDotHalf},
		scan{"float16-generic", func() int32 { defer half.SetAccelerated(false)(); return scanDotHalf() }})
	if want := scanDotI8(dotI8Plain); scanDotI8(dotI8) != want {
		b.Fatal("dotI8 and the scalar loop disagree")
	}
	for _, sc := range scans {
		b.Run(sc.name, func(b *testing.B) {
			plain := plainScan()
			for b.Loop() {
				benchSink += sc.run()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchDotVectors, "ns/vector")
			b.ReportMetric(float64(plain)*float64(b.N)/float64(b.Elapsed()), "x-plain")
		})
	}
}

// The worst case of the int8 first pass, flat vectors of the largest
// magnitude on both sides, sums within an int32 at every size that keeps
// an int8 copy: every kernel gives the exact (int64) sum.
func TestDotI8CannotOverflow(t *testing.T) {
	for _, n := range []int{384, 516, 517, 1536, maxQuantDims} {
		v := make([]float32, n)
		for i := range v {
			v[i] = 1
		}
		normalize(v)
		b := make([]int8, n)
		quantize(b, v)
		a := quantizeQuery(v)
		var want int64
		for i := range n {
			want += int64(a[i]) * int64(b[i])
		}
		if want > math.MaxInt32 {
			t.Fatalf("%d dimensions: the exact sum %d does not fit an int32", n, want)
		}
		for _, k := range allDotI8Kernels() {
			if got := k.dot(a, b); int64(got) != want {
				t.Errorf("%d dimensions, %s kernel: %d, want %d", n, k.name, got, want)
			}
		}
	}
}

// roundHalfAway is math.Round on every float32 of quantize's range that
// has a fraction of interest (every multiple of 2^-12 up to 128, halves
// included, both signs, and their neighbours), and quantize gives what
// rounding with math.Round gave on random vectors.
func TestRoundHalfAwayMatchesMathRound(t *testing.T) {
	check := func(y float32) {
		if got, want := roundHalfAway(y), int32(math.Round(float64(y))); got != want {
			t.Fatalf("roundHalfAway(%v) = %d, math.Round gives %d", y, got, want)
		}
	}
	for i := -128 << 12; i <= 128<<12; i++ {
		y := float32(i) / (1 << 12)
		check(y)
		check(math.Nextafter32(y, 200))
		check(math.Nextafter32(y, -200))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	got, want := make([]int8, 384), make([]int8, 384)
	for range 2000 {
		v := make([]float32, 384)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		scale := quantize(got, v)
		var m float32
		for _, x := range v {
			m = max(m, abs32(x))
		}
		f := 127 / m
		for i, x := range v {
			want[i] = int8(math.Round(float64(x * f)))
		}
		if !slices.Equal(got, want) || scale != m/127 {
			t.Fatalf("quantize(%v) = %v, %v; want %v, %v", v, got, scale, want, m/127)
		}
	}
}

// BenchmarkQuantize quantises a vector of 384 values, as every write and
// every vector loaded at Open does.
func BenchmarkQuantize(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	v, dst := make([]float32, 384), make([]int8, 384)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	for b.Loop() {
		quantize(dst, v)
	}
}
