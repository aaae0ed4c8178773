package sched

// user1 asks the Scheduler, then the Scheduler again: Scheduler, Scheduler.
func user1(s *Scheduler) { _ = s }
