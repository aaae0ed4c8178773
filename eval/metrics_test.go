package main

import (
	"math"
	"testing"
)

func TestScore(t *testing.T) {
	lg := func(i int) float64 { return 1 / math.Log2(float64(i+1)) } // gain at rank i
	a, b := Label{Path: "a.go"}, Label{Path: "b.go", Lines: []int{10, 20}}
	tests := []struct {
		name   string
		hits   []Hit
		labels []Label
		want   Scores
	}{
		{"first hit answers the only label", []Hit{{"a.go", 1, 5}, {"c.go", 1, 5}}, []Label{a},
			Scores{NDCG: 1, Recall: 1, RR: 1, Files: 2, FileNDCG: 1}},
		{"a label counts once, at its first hit", []Hit{{"c.go", 1, 5}, {"a.go", 1, 5}, {"a.go", 6, 9}}, []Label{a},
			Scores{NDCG: lg(2), Recall: 1, RR: 0.5, Files: 2, FileNDCG: lg(2)}},
		{"a line span must overlap", []Hit{{"b.go", 1, 9}, {"b.go", 21, 30}, {"b.go", 20, 25}}, []Label{b},
			Scores{NDCG: lg(3), Recall: 1, RR: 1.0 / 3, Files: 1, FileNDCG: 1}},
		{"two labels, ideal over both", []Hit{{"b.go", 15, 15}, {"x.go", 1, 1}, {"a.go", 1, 1}}, []Label{a, b},
			Scores{NDCG: (1 + lg(3)) / (1 + lg(2)), Recall: 1, RR: 1, Files: 3, FileNDCG: (1 + lg(3)) / (1 + lg(2))}},
		{"two spans of one file are one file", []Hit{{"x.go", 1, 1}, {"b.go", 30, 40}}, []Label{b, {Path: "b.go", Lines: []int{50, 60}}},
			Scores{Files: 2, FileNDCG: lg(2)}},
		{"nothing found", []Hit{{"x.go", 1, 1}}, []Label{a}, Scores{Files: 1}},
		{"beyond rank 10 does not count", append(make([]Hit, 10), Hit{"a.go", 1, 1}), []Label{a}, Scores{Files: 1}},
		{"found below rank 5 is not recall@5", []Hit{{"1", 0, 0}, {"2", 0, 0}, {"3", 0, 0}, {"4", 0, 0}, {"5", 0, 0}, {"a.go", 1, 1}}, []Label{a},
			Scores{NDCG: lg(6), RR: 1.0 / 6, Files: 6, FileNDCG: lg(6)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := score(tt.hits, tt.labels)
			if math.Abs(got.NDCG-tt.want.NDCG) > 1e-9 || got.Recall != tt.want.Recall || math.Abs(got.RR-tt.want.RR) > 1e-9 || got.Files != tt.want.Files || math.Abs(got.FileNDCG-tt.want.FileNDCG) > 1e-9 {
				t.Errorf("score = %+v, want %+v", got, tt.want)
			}
		})
	}
}
