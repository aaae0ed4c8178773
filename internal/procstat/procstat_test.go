package procstat

import (
	"runtime"
	"testing"
)

func TestSample(t *testing.T) {
	var s Sampler
	first := s.Sample()
	if first.CPUPercent != nil {
		t.Errorf("first sample CPU = %v, want nil (no interval yet)", *first.CPUPercent)
	}
	x := 0
	for i := range 20_000_000 {
		x += i
	}
	_ = x
	second := s.Sample()
	if _, ok := CPUTime(); ok && (second.CPUPercent == nil || *second.CPUPercent <= 0) {
		t.Errorf("CPU after busy loop = %v, want > 0", second.CPUPercent)
	}
	// Where the OS gives memory and peak memory, they agree.
	if peak, ok := PeakRSSBytes(); ok && first.MemoryMB != nil && peak < int64(*first.MemoryMB*(1<<20))/2 {
		t.Errorf("peak RSS %d below current RSS %.1f MB", peak, *first.MemoryMB)
	}
}

// The OSes the server is built for give these figures; a figure they give
// must be there, and one they do not give must be nil, never 0.
func TestSampleFiguresPerOS(t *testing.T) {
	var s Sampler
	s.Sample()
	u := s.Sample()
	wantMemory, wantFiles := false, false
	switch runtime.GOOS {
	case "linux", "darwin":
		wantMemory, wantFiles = true, true
	case "windows":
		wantMemory = true
	default:
		t.Skipf("no expectation for %s", runtime.GOOS)
	}
	if u.CPUPercent == nil || *u.CPUPercent < 0 {
		t.Errorf("second sample CPU = %v, want a figure", u.CPUPercent)
	}
	if got := u.MemoryMB != nil; got != wantMemory {
		t.Errorf("memory measured = %v, want %v", got, wantMemory)
	} else if got && *u.MemoryMB <= 0 {
		t.Errorf("memory = %v MB, want > 0", *u.MemoryMB)
	}
	if got := u.OpenFiles != nil; got != wantFiles {
		t.Errorf("open files measured = %v, want %v", got, wantFiles)
	} else if got && *u.OpenFiles <= 0 {
		t.Errorf("open files = %d, want > 0", *u.OpenFiles)
	}
	if peak, ok := PeakRSSBytes(); !ok || peak <= 0 {
		t.Errorf("peak RSS = %d, %v; want a figure", peak, ok)
	}
}
