package sched

// drainer5 calls Scheduler.Drain, then Scheduler.Drain again: Drain the Scheduler, Drain it.
func drainer5(s *Scheduler) { s.Drain(); s.Drain() }
