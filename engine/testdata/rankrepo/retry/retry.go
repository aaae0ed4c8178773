package retry

import "time"

// Backoff returns how long to wait before the given attempt: an
// exponential backoff, doubling each time.
func Backoff(attempt int) time.Duration { return time.Second << attempt }
