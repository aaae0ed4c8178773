#include "bucket.h"

void bucket_refill(bucket *b, int64_t now_ns) {
	/* the tokens earned since the last refill */
	double earned = (double)(now_ns - b->last_ns) / 1e9 * b->rate;
	if (earned <= 0) {
		return;
	}
	b->tokens += earned;
	if (b->tokens > b->capacity) {
		b->tokens = b->capacity;
	}
	b->last_ns = now_ns;
}

int bucket_take(bucket *b, int64_t now_ns) {
	bucket_refill(b, now_ns);
	if (b->tokens < 1) {
		return 0;
	}
	b->tokens -= 1; /* the request's token */
	return 1;
}
