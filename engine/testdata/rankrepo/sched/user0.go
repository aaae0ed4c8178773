package sched

// user0 asks the Scheduler, then the Scheduler again: Scheduler, Scheduler.
func user0(s *Scheduler) { _ = s }
