package embedded

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"workspace-qdrant-mcp/internal/half"
)

// A chunk's dense vector is stored as a blob of little-endian float16
// values, 2 bytes a dimension, when halfBlob admits it, and as float32, 4
// bytes a dimension, when its values would lose too much in float16 (or
// in stores written before float16): decodeVector tells them apart by
// length, so a store holds both without a migration.

// halfBlob reports whether v is stored as float16: every value finite,
// within float16's range, and the largest at least halfMinPeak, so that
// the absolute error of the smallest (subnormal) values, 3e-8, stays
// below 1e-5 of the largest. Unit vectors of up to a million dimensions
// qualify.
func halfBlob(v []float32) bool {
	var peak float32
	for _, x := range v {
		a := abs32(x)
		if !(a <= halfMaxValue) { // NaN too
			return false
		}
		peak = max(peak, a)
	}
	return peak >= halfMinPeak || peak == 0
}

const (
	halfMaxValue = 65504 // the largest finite float16
	halfMinPeak  = 1.0 / 256
)

// encodeVector returns v as a blob: little-endian float16 values when
// halfBlob(v), float32 values otherwise.
func encodeVector(v []float32) []byte { return encodeVectorAs(v, halfBlob(v)) }

// encodeVectorAs is encodeVector given halfBlob(v).
func encodeVectorAs(v []float32, isHalf bool) []byte {
	if !isHalf {
		b := make([]byte, 4*len(v))
		for i, f := range v {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
		}
		return b
	}
	b := make([]byte, 2*len(v))
	half.EncodeBytes(b, v)
	return b
}

// decodeVector decodes b, written by encodeVector, into dst, whose length
// is the vector's: b holds len(dst) float16 values or len(dst) float32
// values.
func decodeVector(dst []float32, b []byte) error {
	switch len(b) {
	case 2 * len(dst):
		half.DecodeBytes(dst, b)
	case 4 * len(dst):
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	default:
		return fmt.Errorf("vector blob has %d bytes, want %d (float16) or %d (float32)", len(b), 2*len(dst), 4*len(dst))
	}
	return nil
}

// encodeMetadata returns m as a JSON object; nil encodes as {}.
func encodeMetadata(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode metadata: %w", err)
	}
	return string(b), nil
}

// decodeMetadata parses a JSON object written by encodeMetadata; an empty
// object decodes as nil.
func decodeMetadata(s string) (map[string]string, error) {
	if s == "{}" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	return m, nil
}
