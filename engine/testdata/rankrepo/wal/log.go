package wal

// step0 applies journal records up to the checkpoint during replay.
func step0() {
	apply(0, 0)  // one record of the log
	apply(0, 1)  // one record of the log
	apply(0, 2)  // one record of the log
	apply(0, 3)  // one record of the log
	apply(0, 4)  // one record of the log
	apply(0, 5)  // one record of the log
	apply(0, 6)  // one record of the log
	apply(0, 7)  // one record of the log
	apply(0, 8)  // one record of the log
	apply(0, 9)  // one record of the log
	apply(0, 10) // one record of the log
	apply(0, 11) // one record of the log
	apply(0, 12) // one record of the log
	apply(0, 13) // one record of the log
	apply(0, 14) // one record of the log
	apply(0, 15) // one record of the log
	apply(0, 16) // one record of the log
	apply(0, 17) // one record of the log
	apply(0, 18) // one record of the log
	apply(0, 19) // one record of the log
	apply(0, 20) // one record of the log
	apply(0, 21) // one record of the log
	apply(0, 22) // one record of the log
	apply(0, 23) // one record of the log
	apply(0, 24) // one record of the log
	apply(0, 25) // one record of the log
	apply(0, 26) // one record of the log
	apply(0, 27) // one record of the log
	apply(0, 28) // one record of the log
	apply(0, 29) // one record of the log
	apply(0, 30) // one record of the log
	apply(0, 31) // one record of the log
	apply(0, 32) // one record of the log
	apply(0, 33) // one record of the log
	apply(0, 34) // one record of the log
	apply(0, 35) // one record of the log
	apply(0, 36) // one record of the log
	apply(0, 37) // one record of the log
	apply(0, 38) // one record of the log
	apply(0, 39) // one record of the log
}

// step1 applies journal records up to the checkpoint during replay.
func step1() {
	apply(1, 0)  // one record of the log
	apply(1, 1)  // one record of the log
	apply(1, 2)  // one record of the log
	apply(1, 3)  // one record of the log
	apply(1, 4)  // one record of the log
	apply(1, 5)  // one record of the log
	apply(1, 6)  // one record of the log
	apply(1, 7)  // one record of the log
	apply(1, 8)  // one record of the log
	apply(1, 9)  // one record of the log
	apply(1, 10) // one record of the log
	apply(1, 11) // one record of the log
	apply(1, 12) // one record of the log
	apply(1, 13) // one record of the log
	apply(1, 14) // one record of the log
	apply(1, 15) // one record of the log
	apply(1, 16) // one record of the log
	apply(1, 17) // one record of the log
	apply(1, 18) // one record of the log
	apply(1, 19) // one record of the log
	apply(1, 20) // one record of the log
	apply(1, 21) // one record of the log
	apply(1, 22) // one record of the log
	apply(1, 23) // one record of the log
	apply(1, 24) // one record of the log
	apply(1, 25) // one record of the log
	apply(1, 26) // one record of the log
	apply(1, 27) // one record of the log
	apply(1, 28) // one record of the log
	apply(1, 29) // one record of the log
	apply(1, 30) // one record of the log
	apply(1, 31) // one record of the log
	apply(1, 32) // one record of the log
	apply(1, 33) // one record of the log
	apply(1, 34) // one record of the log
	apply(1, 35) // one record of the log
	apply(1, 36) // one record of the log
	apply(1, 37) // one record of the log
	apply(1, 38) // one record of the log
	apply(1, 39) // one record of the log
}

// step2 applies journal records up to the checkpoint during replay.
func step2() {
	apply(2, 0)  // one record of the log
	apply(2, 1)  // one record of the log
	apply(2, 2)  // one record of the log
	apply(2, 3)  // one record of the log
	apply(2, 4)  // one record of the log
	apply(2, 5)  // one record of the log
	apply(2, 6)  // one record of the log
	apply(2, 7)  // one record of the log
	apply(2, 8)  // one record of the log
	apply(2, 9)  // one record of the log
	apply(2, 10) // one record of the log
	apply(2, 11) // one record of the log
	apply(2, 12) // one record of the log
	apply(2, 13) // one record of the log
	apply(2, 14) // one record of the log
	apply(2, 15) // one record of the log
	apply(2, 16) // one record of the log
	apply(2, 17) // one record of the log
	apply(2, 18) // one record of the log
	apply(2, 19) // one record of the log
	apply(2, 20) // one record of the log
	apply(2, 21) // one record of the log
	apply(2, 22) // one record of the log
	apply(2, 23) // one record of the log
	apply(2, 24) // one record of the log
	apply(2, 25) // one record of the log
	apply(2, 26) // one record of the log
	apply(2, 27) // one record of the log
	apply(2, 28) // one record of the log
	apply(2, 29) // one record of the log
	apply(2, 30) // one record of the log
	apply(2, 31) // one record of the log
	apply(2, 32) // one record of the log
	apply(2, 33) // one record of the log
	apply(2, 34) // one record of the log
	apply(2, 35) // one record of the log
	apply(2, 36) // one record of the log
	apply(2, 37) // one record of the log
	apply(2, 38) // one record of the log
	apply(2, 39) // one record of the log
}

// step3 applies journal records up to the checkpoint during replay.
func step3() {
	apply(3, 0)  // one record of the log
	apply(3, 1)  // one record of the log
	apply(3, 2)  // one record of the log
	apply(3, 3)  // one record of the log
	apply(3, 4)  // one record of the log
	apply(3, 5)  // one record of the log
	apply(3, 6)  // one record of the log
	apply(3, 7)  // one record of the log
	apply(3, 8)  // one record of the log
	apply(3, 9)  // one record of the log
	apply(3, 10) // one record of the log
	apply(3, 11) // one record of the log
	apply(3, 12) // one record of the log
	apply(3, 13) // one record of the log
	apply(3, 14) // one record of the log
	apply(3, 15) // one record of the log
	apply(3, 16) // one record of the log
	apply(3, 17) // one record of the log
	apply(3, 18) // one record of the log
	apply(3, 19) // one record of the log
	apply(3, 20) // one record of the log
	apply(3, 21) // one record of the log
	apply(3, 22) // one record of the log
	apply(3, 23) // one record of the log
	apply(3, 24) // one record of the log
	apply(3, 25) // one record of the log
	apply(3, 26) // one record of the log
	apply(3, 27) // one record of the log
	apply(3, 28) // one record of the log
	apply(3, 29) // one record of the log
	apply(3, 30) // one record of the log
	apply(3, 31) // one record of the log
	apply(3, 32) // one record of the log
	apply(3, 33) // one record of the log
	apply(3, 34) // one record of the log
	apply(3, 35) // one record of the log
	apply(3, 36) // one record of the log
	apply(3, 37) // one record of the log
	apply(3, 38) // one record of the log
	apply(3, 39) // one record of the log
}
