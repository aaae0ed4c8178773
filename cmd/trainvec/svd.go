package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// csr is a sparse matrix in compressed-row form.
type csr struct {
	rows, cols int
	start      []int // len rows+1
	col        []int32
	val        []float32
}

// ppmi turns dense co-occurrence counts (rows × cols) into the positive
// pointwise mutual information matrix, with the context distribution
// smoothed by the power alpha (Levy, Goldberg and Dagan 2015), kept
// sparse.
func ppmi(m []float32, rows, cols int, alpha float64) *csr {
	rowSum := make([]float64, rows)
	colSum := make([]float64, cols)
	for r := range rows {
		for k, x := range m[r*cols : (r+1)*cols] {
			rowSum[r] += float64(x)
			colSum[k] += float64(x)
		}
	}
	var z float64
	pc := make([]float64, cols)
	for k, s := range colSum {
		pc[k] = math.Pow(s, alpha)
		z += pc[k]
	}
	for k := range pc {
		pc[k] /= z
	}
	a := &csr{rows: rows, cols: cols, start: make([]int, rows+1)}
	for r := range rows {
		for k, x := range m[r*cols : (r+1)*cols] {
			if x == 0 || pc[k] == 0 {
				continue
			}
			if v := math.Log(float64(x) / (rowSum[r] * pc[k])); v > 0 {
				a.col = append(a.col, int32(k))
				a.val = append(a.val, float32(v))
			}
		}
		a.start[r+1] = len(a.col)
	}
	return a
}

// mul returns a·x (x: cols × l) or, transposed, aᵀ·x (x: rows × l).
func (a *csr) mul(x *mat.Dense, transposed bool) *mat.Dense {
	_, l := x.Dims()
	n := a.rows
	if transposed {
		n = a.cols
	}
	y := mat.NewDense(n, l, nil)
	xr, yr := x.RawMatrix(), y.RawMatrix()
	for r := range a.rows {
		for p := a.start[r]; p < a.start[r+1]; p++ {
			// a[r][c] adds x's row c to y's row r, or x's row r to y's row c.
			in, out := int(a.col[p]), r
			if transposed {
				in, out = r, in
			}
			v := float64(a.val[p])
			dst := yr.Data[out*yr.Stride : out*yr.Stride+l]
			for j, x := range xr.Data[in*xr.Stride : in*xr.Stride+l] {
				dst[j] += v * x
			}
		}
	}
	return y
}

// orthonormal returns an orthonormal basis of y's columns, by modified
// Gram-Schmidt applied twice (enough for the few hundred columns here; a
// QR of gonum would build the full square Q).
func orthonormal(y *mat.Dense) *mat.Dense {
	r, c := y.Dims()
	cols := make([][]float64, c)
	for j := range c {
		cols[j] = mat.Col(nil, j, y)
	}
	for range 2 {
		for j := range c {
			for i := range j {
				var dot float64
				for k, x := range cols[j] {
					dot += x * cols[i][k]
				}
				for k := range cols[j] {
					cols[j][k] -= dot * cols[i][k]
				}
			}
			var s float64
			for _, x := range cols[j] {
				s += x * x
			}
			if s = math.Sqrt(s); s > 0 {
				for k := range cols[j] {
					cols[j][k] /= s
				}
			}
		}
	}
	q := mat.NewDense(r, c, nil)
	for j, col := range cols {
		q.SetCol(j, col)
	}
	return q
}

// randomizedSVD returns the top k left singular vectors of a and their
// singular values (Halko, Martinsson and Tropp 2011), with oversampling
// and power iterations.
func randomizedSVD(a *csr, k, oversample, power int, seed uint64) (*mat.Dense, []float64, error) {
	l := k + oversample
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	omega := mat.NewDense(a.cols, l, nil)
	raw := omega.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = rng.NormFloat64()
	}
	q := orthonormal(a.mul(omega, false))
	for range power {
		z := orthonormal(a.mul(q, true))
		q = orthonormal(a.mul(z, false))
	}
	// B = Qᵀ A, l × cols; its SVD gives A's: U = Q U_B.
	var b mat.Dense
	b.CloneFrom(a.mul(q, true).T())
	var svd mat.SVD
	if !svd.Factorize(&b, mat.SVDThin) {
		return nil, nil, fmt.Errorf("svd of the %d × %d projection did not converge", l, a.cols)
	}
	var ub mat.Dense
	svd.UTo(&ub)
	var u mat.Dense
	u.Mul(q, ub.Slice(0, l, 0, k))
	return &u, svd.Values(nil)[:k], nil
}
