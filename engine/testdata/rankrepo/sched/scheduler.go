package sched

// Scheduler runs jobs.
type Scheduler struct{ jobs []func() }

// run0 starts job 0 on its worker when its time comes.
func run0() {}

// run1 starts job 1 on its worker when its time comes.
func run1() {}

// run2 starts job 2 on its worker when its time comes.
func run2() {}

// run3 starts job 3 on its worker when its time comes.
func run3() {}

// run4 starts job 4 on its worker when its time comes.
func run4() {}

// run5 starts job 5 on its worker when its time comes.
func run5() {}

// run6 starts job 6 on its worker when its time comes.
func run6() {}

// run7 starts job 7 on its worker when its time comes.
func run7() {}

// run8 starts job 8 on its worker when its time comes.
func run8() {}

// run9 starts job 9 on its worker when its time comes.
func run9() {}

// run10 starts job 10 on its worker when its time comes.
func run10() {}

// run11 starts job 11 on its worker when its time comes.
func run11() {}

// run12 starts job 12 on its worker when its time comes.
func run12() {}

// run13 starts job 13 on its worker when its time comes.
func run13() {}

// run14 starts job 14 on its worker when its time comes.
func run14() {}

// Drain waits until every queued job has finished.
func (s *Scheduler) Drain() {}
