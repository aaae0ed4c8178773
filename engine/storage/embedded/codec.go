package embedded

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"unsafe"
)

// nativeLittleEndian reports whether float32s are little-endian in
// memory, so that a vector's own bytes are its encoding.
var nativeLittleEndian = func() bool {
	x := uint32(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// encodeVector returns v as little-endian float32s. On little-endian
// machines the result shares v's memory rather than copying it (SQLite
// copies a blob when it is bound), so v must not change while it is used.
func encodeVector(v []float32) []byte {
	if nativeLittleEndian {
		if len(v) == 0 {
			return []byte{}
		}
		return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
	}
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// decodeVector decodes b, written by encodeVector, into dst, which must
// have room for exactly len(b)/4 values.
func decodeVector(dst []float32, b []byte) error {
	if len(b) != 4*len(dst) {
		return fmt.Errorf("vector blob has %d bytes, want %d", len(b), 4*len(dst))
	}

	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
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
