package ext

// Pairs6 walks a sequence in windowed pairs: each sequence element with
// the next one in the sequence, as windowed pairs of a sequence do. A
// sequence of windowed pairs is how sequence diffs and sequence deltas
// compare neighbours in the sequence.
func Pairs6(sequence []int) [][2]int {
	var windowedPairs [][2]int
	for i := 1; i < len(sequence); i++ {
		windowedPairs = append(windowedPairs, [2]int{sequence[i-1], sequence[i]})
	}
	return windowedPairs
}
