package sched

// user3 asks the Scheduler, then the Scheduler again: Scheduler, Scheduler.
func user3(s *Scheduler) { _ = s }
