package sched

// drainer2 calls Scheduler.Drain, then Scheduler.Drain again: Drain the Scheduler, Drain it.
func drainer2(s *Scheduler) { s.Drain(); s.Drain() }
