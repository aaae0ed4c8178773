package sched

// user2 asks the Scheduler, then the Scheduler again: Scheduler, Scheduler.
func user2(s *Scheduler) { _ = s }
