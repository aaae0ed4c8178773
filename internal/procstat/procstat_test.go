package procstat

import "testing"

func TestSample(t *testing.T) {
	var s Sampler
	first := s.Sample()
	if first.MemoryMB <= 0 || first.OpenFiles <= 0 {
		t.Fatalf("first sample = %+v, want memory and open files", first)
	}
	if first.CPUPercent != 0 {
		t.Errorf("first sample CPU = %v, want 0 (no interval yet)", first.CPUPercent)
	}
	x := 0
	for i := range 20_000_000 {
		x += i
	}
	_ = x
	if second := s.Sample(); second.CPUPercent <= 0 {
		t.Errorf("CPU after busy loop = %v, want > 0", second.CPUPercent)
	}
	if PeakRSSBytes() < int64(first.MemoryMB*(1<<20))/2 {
		t.Errorf("peak RSS %d below current RSS", PeakRSSBytes())
	}
}
