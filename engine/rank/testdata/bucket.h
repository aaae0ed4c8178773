/* bucket.h: a token bucket that limits how often requests may pass. */
#ifndef BUCKET_H
#define BUCKET_H

#include <stdint.h>

/* A token bucket holds up to capacity tokens and refills at rate tokens
 * per second; each request takes one. */
typedef struct bucket {
	double tokens;    /* tokens left in the bucket now */
	double capacity;  /* the most tokens the bucket holds after a refill */
	double rate;      /* tokens a refill adds per second */
	int64_t last_ns;  /* when the bucket was last refilled */
} bucket;

/* bucket_refill adds the tokens earned since the last refill, up to the
 * bucket's capacity, so that a request sees every token it is owed. */
void bucket_refill(bucket *b, int64_t now_ns);

/* bucket_take refills the bucket and takes one token for a request; it
 * reports whether the request may pass now or must wait for tokens. */
int bucket_take(bucket *b, int64_t now_ns);

#endif
