package store

// compactLevel0 runs compaction of level 0: compaction merges the sorted runs of the level.
func compactLevel0() {
	step(0, 0)  // merge sorted runs, drop overwritten keys
	step(0, 1)  // merge sorted runs, drop overwritten keys
	step(0, 2)  // merge sorted runs, drop overwritten keys
	step(0, 3)  // merge sorted runs, drop overwritten keys
	step(0, 4)  // merge sorted runs, drop overwritten keys
	step(0, 5)  // merge sorted runs, drop overwritten keys
	step(0, 6)  // merge sorted runs, drop overwritten keys
	step(0, 7)  // merge sorted runs, drop overwritten keys
	step(0, 8)  // merge sorted runs, drop overwritten keys
	step(0, 9)  // merge sorted runs, drop overwritten keys
	step(0, 10) // merge sorted runs, drop overwritten keys
	step(0, 11) // merge sorted runs, drop overwritten keys
	step(0, 12) // merge sorted runs, drop overwritten keys
	step(0, 13) // merge sorted runs, drop overwritten keys
	step(0, 14) // merge sorted runs, drop overwritten keys
	step(0, 15) // merge sorted runs, drop overwritten keys
	step(0, 16) // merge sorted runs, drop overwritten keys
	step(0, 17) // merge sorted runs, drop overwritten keys
	step(0, 18) // merge sorted runs, drop overwritten keys
	step(0, 19) // merge sorted runs, drop overwritten keys
	step(0, 20) // merge sorted runs, drop overwritten keys
	step(0, 21) // merge sorted runs, drop overwritten keys
	step(0, 22) // merge sorted runs, drop overwritten keys
	step(0, 23) // merge sorted runs, drop overwritten keys
	step(0, 24) // merge sorted runs, drop overwritten keys
	step(0, 25) // merge sorted runs, drop overwritten keys
	step(0, 26) // merge sorted runs, drop overwritten keys
	step(0, 27) // merge sorted runs, drop overwritten keys
	step(0, 28) // merge sorted runs, drop overwritten keys
	step(0, 29) // merge sorted runs, drop overwritten keys
}

// compactLevel1 runs compaction of level 1: compaction merges the sorted runs of the level.
func compactLevel1() {
	step(1, 0)  // merge sorted runs, drop overwritten keys
	step(1, 1)  // merge sorted runs, drop overwritten keys
	step(1, 2)  // merge sorted runs, drop overwritten keys
	step(1, 3)  // merge sorted runs, drop overwritten keys
	step(1, 4)  // merge sorted runs, drop overwritten keys
	step(1, 5)  // merge sorted runs, drop overwritten keys
	step(1, 6)  // merge sorted runs, drop overwritten keys
	step(1, 7)  // merge sorted runs, drop overwritten keys
	step(1, 8)  // merge sorted runs, drop overwritten keys
	step(1, 9)  // merge sorted runs, drop overwritten keys
	step(1, 10) // merge sorted runs, drop overwritten keys
	step(1, 11) // merge sorted runs, drop overwritten keys
	step(1, 12) // merge sorted runs, drop overwritten keys
	step(1, 13) // merge sorted runs, drop overwritten keys
	step(1, 14) // merge sorted runs, drop overwritten keys
	step(1, 15) // merge sorted runs, drop overwritten keys
	step(1, 16) // merge sorted runs, drop overwritten keys
	step(1, 17) // merge sorted runs, drop overwritten keys
	step(1, 18) // merge sorted runs, drop overwritten keys
	step(1, 19) // merge sorted runs, drop overwritten keys
	step(1, 20) // merge sorted runs, drop overwritten keys
	step(1, 21) // merge sorted runs, drop overwritten keys
	step(1, 22) // merge sorted runs, drop overwritten keys
	step(1, 23) // merge sorted runs, drop overwritten keys
	step(1, 24) // merge sorted runs, drop overwritten keys
	step(1, 25) // merge sorted runs, drop overwritten keys
	step(1, 26) // merge sorted runs, drop overwritten keys
	step(1, 27) // merge sorted runs, drop overwritten keys
	step(1, 28) // merge sorted runs, drop overwritten keys
	step(1, 29) // merge sorted runs, drop overwritten keys
}

// compactLevel2 runs compaction of level 2: compaction merges the sorted runs of the level.
func compactLevel2() {
	step(2, 0)  // merge sorted runs, drop overwritten keys
	step(2, 1)  // merge sorted runs, drop overwritten keys
	step(2, 2)  // merge sorted runs, drop overwritten keys
	step(2, 3)  // merge sorted runs, drop overwritten keys
	step(2, 4)  // merge sorted runs, drop overwritten keys
	step(2, 5)  // merge sorted runs, drop overwritten keys
	step(2, 6)  // merge sorted runs, drop overwritten keys
	step(2, 7)  // merge sorted runs, drop overwritten keys
	step(2, 8)  // merge sorted runs, drop overwritten keys
	step(2, 9)  // merge sorted runs, drop overwritten keys
	step(2, 10) // merge sorted runs, drop overwritten keys
	step(2, 11) // merge sorted runs, drop overwritten keys
	step(2, 12) // merge sorted runs, drop overwritten keys
	step(2, 13) // merge sorted runs, drop overwritten keys
	step(2, 14) // merge sorted runs, drop overwritten keys
	step(2, 15) // merge sorted runs, drop overwritten keys
	step(2, 16) // merge sorted runs, drop overwritten keys
	step(2, 17) // merge sorted runs, drop overwritten keys
	step(2, 18) // merge sorted runs, drop overwritten keys
	step(2, 19) // merge sorted runs, drop overwritten keys
	step(2, 20) // merge sorted runs, drop overwritten keys
	step(2, 21) // merge sorted runs, drop overwritten keys
	step(2, 22) // merge sorted runs, drop overwritten keys
	step(2, 23) // merge sorted runs, drop overwritten keys
	step(2, 24) // merge sorted runs, drop overwritten keys
	step(2, 25) // merge sorted runs, drop overwritten keys
	step(2, 26) // merge sorted runs, drop overwritten keys
	step(2, 27) // merge sorted runs, drop overwritten keys
	step(2, 28) // merge sorted runs, drop overwritten keys
	step(2, 29) // merge sorted runs, drop overwritten keys
}

// compactLevel3 runs compaction of level 3: compaction merges the sorted runs of the level.
func compactLevel3() {
	step(3, 0)  // merge sorted runs, drop overwritten keys
	step(3, 1)  // merge sorted runs, drop overwritten keys
	step(3, 2)  // merge sorted runs, drop overwritten keys
	step(3, 3)  // merge sorted runs, drop overwritten keys
	step(3, 4)  // merge sorted runs, drop overwritten keys
	step(3, 5)  // merge sorted runs, drop overwritten keys
	step(3, 6)  // merge sorted runs, drop overwritten keys
	step(3, 7)  // merge sorted runs, drop overwritten keys
	step(3, 8)  // merge sorted runs, drop overwritten keys
	step(3, 9)  // merge sorted runs, drop overwritten keys
	step(3, 10) // merge sorted runs, drop overwritten keys
	step(3, 11) // merge sorted runs, drop overwritten keys
	step(3, 12) // merge sorted runs, drop overwritten keys
	step(3, 13) // merge sorted runs, drop overwritten keys
	step(3, 14) // merge sorted runs, drop overwritten keys
	step(3, 15) // merge sorted runs, drop overwritten keys
	step(3, 16) // merge sorted runs, drop overwritten keys
	step(3, 17) // merge sorted runs, drop overwritten keys
	step(3, 18) // merge sorted runs, drop overwritten keys
	step(3, 19) // merge sorted runs, drop overwritten keys
	step(3, 20) // merge sorted runs, drop overwritten keys
	step(3, 21) // merge sorted runs, drop overwritten keys
	step(3, 22) // merge sorted runs, drop overwritten keys
	step(3, 23) // merge sorted runs, drop overwritten keys
	step(3, 24) // merge sorted runs, drop overwritten keys
	step(3, 25) // merge sorted runs, drop overwritten keys
	step(3, 26) // merge sorted runs, drop overwritten keys
	step(3, 27) // merge sorted runs, drop overwritten keys
	step(3, 28) // merge sorted runs, drop overwritten keys
	step(3, 29) // merge sorted runs, drop overwritten keys
}
