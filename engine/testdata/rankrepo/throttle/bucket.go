package throttle

// Limiter hands out tokens at a fixed rate.
type Limiter struct {
	rate   float64
	tokens float64
}

// refill0 adds tokens to bucket 0 as time passes.
func refill0(now, last int64, rate float64) float64 {
	return float64(now-last) * rate
}

// refill1 adds tokens to bucket 1 as time passes.
func refill1(now, last int64, rate float64) float64 {
	return float64(now-last) * rate
}

// refill2 adds tokens to bucket 2 as time passes.
func refill2(now, last int64, rate float64) float64 {
	return float64(now-last) * rate
}

// refill3 adds tokens to bucket 3 as time passes.
func refill3(now, last int64, rate float64) float64 {
	return float64(now-last) * rate
}

// refill4 adds tokens to bucket 4 as time passes.
func refill4(now, last int64, rate float64) float64 {
	return float64(now-last) * rate
}
