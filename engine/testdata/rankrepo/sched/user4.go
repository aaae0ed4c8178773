package sched

// user4 asks the Scheduler, then the Scheduler again: Scheduler, Scheduler.
func user4(s *Scheduler) { _ = s }
