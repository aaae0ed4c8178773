package static

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"workspace-qdrant-mcp/internal/half"
)

// maxHeaderBytes bounds a safetensors header; real ones are a few KB.
const maxHeaderBytes = 100 << 20

// ErrCorrupt reports a model file that cannot be what it claims to be:
// truncated, with a bad header, or with tensors of the wrong size.
var ErrCorrupt = errors.New("corrupt model file")

// tensor is one tensor of a safetensors file, its data still raw.
type tensor struct {
	dtype string
	shape []int
	data  []byte
}

// readSafetensors parses a safetensors file: an 8-byte little-endian
// header length, a JSON header naming each tensor's dtype, shape and data
// offsets, then the data.
func readSafetensors(path string) (map[string]tensor, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) < 8 {
		return nil, fmt.Errorf("%s: %w: %d bytes, shorter than a header length", path, ErrCorrupt, len(raw))
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	if n > maxHeaderBytes || n > uint64(len(raw)-8) {
		return nil, fmt.Errorf("%s: %w: header of %d bytes in a file of %d", path, ErrCorrupt, n, len(raw))
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		return nil, fmt.Errorf("%s: %w: header: %v", path, ErrCorrupt, err)
	}
	data := raw[8+n:]
	out := make(map[string]tensor, len(header))
	for name, msg := range header {
		if name == "__metadata__" {
			continue
		}
		var h struct {
			DType   string   `json:"dtype"`
			Shape   []int    `json:"shape"`
			Offsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &h); err != nil {
			return nil, fmt.Errorf("%s: %w: tensor %s: %v", path, ErrCorrupt, name, err)
		}
		size, ok := dtypeSize[h.DType]
		if !ok {
			return nil, fmt.Errorf("%s: tensor %s has dtype %s; F32, F16, BF16, I8, I32 and I64 are read", path, name, h.DType)
		}
		count := 1
		for _, d := range h.Shape {
			if d < 0 || (d > 0 && count > math.MaxInt/d) {
				return nil, fmt.Errorf("%s: %w: tensor %s has shape %v", path, ErrCorrupt, name, h.Shape)
			}
			count *= d
		}
		if len(h.Offsets) != 2 || h.Offsets[0] > h.Offsets[1] || h.Offsets[1] > uint64(len(data)) ||
			h.Offsets[1]-h.Offsets[0] != uint64(count*size) {
			return nil, fmt.Errorf("%s: %w: tensor %s (%s %v) has data offsets %v in %d bytes of data", path, ErrCorrupt, name, h.DType, h.Shape, h.Offsets, len(data))
		}
		out[name] = tensor{dtype: h.DType, shape: slices.Clone(h.Shape), data: data[h.Offsets[0]:h.Offsets[1]]}
	}
	return out, nil
}

var dtypeSize = map[string]int{"F32": 4, "F16": 2, "BF16": 2, "I8": 1, "I32": 4, "I64": 8}

// floats returns the tensor's values as float32.
func (t tensor) floats() []float32 {
	out := make([]float32, len(t.data)/dtypeSize[t.dtype])
	for i := range out {
		out[i] = t.float(i)
	}
	return out
}

// float returns value i as a float32.
func (t tensor) float(i int) float32 {
	switch t.dtype {
	case "F32":
		return math.Float32frombits(binary.LittleEndian.Uint32(t.data[4*i:]))
	case "F16":
		return half.ToFloat32(binary.LittleEndian.Uint16(t.data[2*i:]))
	case "BF16":
		return math.Float32frombits(uint32(binary.LittleEndian.Uint16(t.data[2*i:])) << 16)
	case "I8":
		return float32(int8(t.data[i]))
	case "I32":
		return float32(int32(binary.LittleEndian.Uint32(t.data[4*i:])))
	case "I64":
		return float32(int64(binary.LittleEndian.Uint64(t.data[8*i:])))
	}
	return 0
}

// ints returns the tensor's values as ints (for an index tensor).
func (t tensor) ints() ([]int, bool) {
	n := len(t.data) / dtypeSize[t.dtype]
	out := make([]int, n)
	for i := range out {
		switch t.dtype {
		case "I32":
			out[i] = int(int32(binary.LittleEndian.Uint32(t.data[4*i:])))
		case "I64":
			out[i] = int(int64(binary.LittleEndian.Uint64(t.data[8*i:])))
		default:
			return nil, false
		}
	}
	return out, true
}
