#include "ring.h"

/* ring_put appends c; when the ring is full, it wraps around over the
 * oldest byte of the buffer. */
void ring_put(struct ring *r, unsigned char c) {
	size_t tail = (r->head + r->len) % r->size; /* wrap around */
	r->buf[tail] = c;
	if (ring_full(r)) {
		r->head = (r->head + 1) % r->size; /* the oldest byte is overwritten */
	} else {
		r->len++;
	}
}
