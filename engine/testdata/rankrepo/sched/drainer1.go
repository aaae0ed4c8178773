package sched

// drainer1 calls Scheduler.Drain, then Scheduler.Drain again: Drain the Scheduler, Drain it.
func drainer1(s *Scheduler) { s.Drain(); s.Drain() }
