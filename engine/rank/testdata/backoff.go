package retry

import "time"

// wait returns how long a retry waits before attempt n (from 1).
func wait(attempt int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= max {
			return max
		}
	}
	return d
}
