package sched

// drainer0 calls Scheduler.Drain, then Scheduler.Drain again: Drain the Scheduler, Drain it.
func drainer0(s *Scheduler) { s.Drain(); s.Drain() }
