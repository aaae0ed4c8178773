package embedded

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"testing"

	"workspace-qdrant-mcp/engine/storage"
)

// encodeVector writes float16 where the values fit it and float32 where
// they would lose too much, and decodeVector reads either by length.
func TestVectorBlobs(t *testing.T) {
	for _, c := range []struct {
		name  string
		v     []float32
		bytes int // per value
	}{
		{"unit", []float32{0.6, -0.8, 0, 1e-9}, 2},
		{"zero", []float32{0, 0, 0, 0}, 2},
		{"large", []float32{70000, 1, 0, 0}, 4},
		{"largest float16", []float32{65504, -65504, 0, 0}, 2},
		{"tiny", []float32{1e-3, -2e-3, 0, 0}, 4},
		{"infinite", []float32{float32(math.Inf(1)), 0, 0, 0}, 4},
		{"NaN", []float32{float32(math.NaN()), 1, 0, 0}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := encodeVector(c.v)
			if len(b) != c.bytes*len(c.v) {
				t.Fatalf("blob of %d bytes, want %d", len(b), c.bytes*len(c.v))
			}
			got := make([]float32, len(c.v))
			if err := decodeVector(got, b); err != nil {
				t.Fatal(err)
			}
			tol := 0.0 // float32 comes back exactly
			if c.bytes == 2 {
				for _, x := range c.v {
					tol = max(tol, math.Abs(float64(x))/2048)
				}
			}
			for i, want := range c.v {
				same := got[i] == want || math.IsNaN(float64(want)) && math.IsNaN(float64(got[i]))
				if !same && !(math.Abs(float64(got[i]-want)) <= tol) {
					t.Errorf("value %d = %v, want %v", i, got[i], want)
				}
			}
		})
	}
	if err := decodeVector(make([]float32, 4), make([]byte, 12)); err == nil {
		t.Error("a blob of 3 bytes a value decoded")
	}
}

// A store whose blobs were written as float32, before float16, or are
// float32 because their values do not fit float16, opens and searches as
// one written now, and VectorsByHash gives each vector back: exactly from
// float32 blobs, to float16 precision from the others. Vectors loaded
// from float16 blobs score exactly as they did before the store closed.
func TestFloat32BlobsStillRead(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st := openToReopen(t, dir)
	vec := func(i int) []float32 {
		return []float32{float32(math.Cos(float64(i))), float32(math.Sin(float64(i))), 0.25 * float32(i%3), -0.1}
	}
	var hashes []string
	for d := range 6 {
		doc, chunks := testDoc(fmt.Sprintf("/p/%d.go", d), "word", 3)
		for i := range chunks {
			chunks[i].Dense = vec(3*d + i)
			chunks[i].Hash = fmt.Sprintf("h%02d", 3*d+i)
			hashes = append(hashes, chunks[i].Hash)
		}
		if err := st.ReplaceDocument(ctx, doc, chunks); err != nil {
			t.Fatal(err)
		}
	}
	var bytes int
	if err := st.writer.QueryRowContext(ctx, `SELECT min(length(dense)) + max(length(dense)) FROM chunks`).Scan(&bytes); err != nil || bytes != 2*2*4 {
		t.Fatalf("blobs of %d bytes (min + max; %v), want float16's 8 each", bytes, err)
	}
	query := storage.Query{Dense: []float32{1, 0.5, 0.2, 0}, Mode: storage.ModeSemantic, Limit: 18}
	search := func(st *Store) []storage.Hit {
		t.Helper()
		hits, err := st.Search(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	before := search(st)
	// The chunks of even hashes get float32 blobs, as an older store has.
	for i, h := range hashes {
		if i%2 == 0 {
			if _, err := st.writer.ExecContext(ctx, `UPDATE chunks SET dense = ? WHERE hash = ?`, float32Blob(vec(i)), h); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir, Options{})
	after := search(st)
	if len(after) != len(before) {
		t.Fatalf("%d hits after reopening, %d before", len(after), len(before))
	}
	scores := make(map[string]float64)
	for _, h := range before {
		scores[h.Chunk.Hash] = h.SemanticScore
	}
	for _, h := range after {
		i := slices.Index(hashes, h.Chunk.Hash)
		want, ok := scores[h.Chunk.Hash]
		if !ok || (i%2 == 1 && h.SemanticScore != want) || math.Abs(h.SemanticScore-want) > 1e-3 {
			t.Errorf("chunk %s (float32 blob: %v) scores %v after reopening, %v before", h.Chunk.Hash, i%2 == 0, h.SemanticScore, want)
		}
	}
	got, err := st.VectorsByHash(ctx, hashes)
	if err != nil || len(got) != len(hashes) {
		t.Fatalf("VectorsByHash: %d of %d, %v", len(got), len(hashes), err)
	}
	for i, h := range hashes {
		want := vec(i)
		for j := range want {
			tol := 1.0 / 2048
			if i%2 == 0 {
				tol = 0
			}
			if len(got[h]) != len(want) || math.Abs(float64(got[h][j]-want[j])) > tol {
				t.Fatalf("VectorsByHash(%s) = %v, want %v", h, got[h], want)
			}
		}
	}
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

// float32Blob encodes v as little-endian float32s, as stores did before
// float16.
func float32Blob(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func TestMetadataValue(t *testing.T) {
	for _, tc := range []struct {
		meta, key, value string
		ok, plain        bool
	}{
		{`{"defines":"Foo Bar.baz","facts":"x"}`, "defines", "Foo Bar.baz", true, true},
		{`{"defines":"","facts":"x"}`, "defines", "", true, true},
		{`{"facts":"x"}`, "defines", "", false, true},
		{`{"facts":"\"defines\":\"x\""}`, "defines", "", false, true}, // inside a value: escaped
		{`{"defines":"a\"b"}`, "defines", "", false, false},
		{`{"xdefines":"a"}`, "defines", "", false, true},
	} {
		v, ok, plain := metadataValue(tc.meta, tc.key)
		if v != tc.value || ok != tc.ok || plain != tc.plain {
			t.Errorf("metadataValue(%s, %s) = %q %v %v, want %q %v %v", tc.meta, tc.key, v, ok, plain, tc.value, tc.ok, tc.plain)
		}
	}
	for meta, want := range map[string]bool{`{"defines":"Run A\"b"}`: true, `{"defines":"A\u0022b Run"}`: true, `{"defines":"Runner"}`: false, ``: false} {
		it := &item{info: &chunkInfo{meta: meta}}
		if got := it.defines("run"); got != want {
			t.Errorf("item with metadata %s defines run: %v, want %v", meta, got, want)
		}
	}
}
