package release

import (
	"debug/macho"
	"encoding/binary"
	"fmt"
	"os"
)

// fatAlign is the alignment, as a power of two, of each architecture's
// slice in a universal binary: 16 KiB, the arm64 page size, as lipo uses.
const fatAlign = 14

// WriteUniversal writes a universal ("fat") macOS binary at dst holding
// the Mach-O binaries srcs, one per architecture, as lipo -create does:
// macOS runs the slice for its processor, so one file serves both Intel
// and Apple silicon Macs.
func WriteUniversal(dst string, srcs ...string) error {
	if len(srcs) == 0 {
		return fmt.Errorf("write universal binary %s: no binary to put in it", dst)
	}
	type slice struct {
		cpu, sub uint32
		data     []byte
	}
	var slices []slice
	for _, src := range srcs {
		f, err := macho.Open(src)
		if err != nil {
			return fmt.Errorf("write universal binary: %s: %w", src, err)
		}
		cpu, sub := uint32(f.Cpu), f.SubCpu
		f.Close()
		for _, s := range slices {
			if s.cpu == cpu {
				return fmt.Errorf("write universal binary: %s is a second %v binary", src, macho.Cpu(cpu))
			}
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("write universal binary: %w", err)
		}
		slices = append(slices, slice{cpu, sub, data})
	}

	// The header, then each slice at the next multiple of 1<<fatAlign.
	header := []uint32{macho.MagicFat, uint32(len(slices))}
	offset := uint64(8 + 20*len(slices))
	var offsets []uint64
	for _, s := range slices {
		offset = (offset + 1<<fatAlign - 1) &^ (1<<fatAlign - 1)
		offsets = append(offsets, offset)
		header = append(header, s.cpu, s.sub, uint32(offset), uint32(len(s.data)), fatAlign)
		offset += uint64(len(s.data))
	}
	if offset > 1<<32-1 {
		return fmt.Errorf("write universal binary %s: %d bytes is too large for a 32-bit universal header", dst, offset)
	}

	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return fmt.Errorf("write universal binary: %w", err)
	}
	err = binary.Write(f, binary.BigEndian, header)
	written := uint64(8 + 20*len(slices))
	for i, s := range slices {
		if err != nil {
			break
		}
		if _, err = f.Write(make([]byte, offsets[i]-written)); err == nil {
			_, err = f.Write(s.data)
		}
		written = offsets[i] + uint64(len(s.data))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return fmt.Errorf("write universal binary %s: %w", dst, err)
	}
	return nil
}
