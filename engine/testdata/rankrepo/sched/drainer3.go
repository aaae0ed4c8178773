package sched

// drainer3 calls Scheduler.Drain, then Scheduler.Drain again: Drain the Scheduler, Drain it.
func drainer3(s *Scheduler) { s.Drain(); s.Drain() }
