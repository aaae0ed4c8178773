package sched

// drainer4 calls Scheduler.Drain, then Scheduler.Drain again: Drain the Scheduler, Drain it.
func drainer4(s *Scheduler) { s.Drain(); s.Drain() }
