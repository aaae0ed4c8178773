package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// compare lists each changed question by label and by file, biggest
// change first, and counts the unchanged and the new.
func TestCompare(t *testing.T) {
	q := func(id string, ndcg, files float64) Result {
		return Result{ID: id, Kind: "natural", Mode: "hybrid", Scores: Scores{NDCG: ndcg, FileNDCG: files}}
	}
	base := []Result{q("a", 0.5, 1), q("b", 1, 1), q("c", 0.2, 0.4)}
	now := []Result{q("a", 0.4, 1), q("b", 1, 1), q("c", 0.9, 0.6), q("d", 1, 1)}
	var b bytes.Buffer
	compare(&b, base, now)
	golden := filepath.Join("testdata", "compare.golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("compare wrote\n%s\nwant\n%s", b.Bytes(), want)
	}
}
