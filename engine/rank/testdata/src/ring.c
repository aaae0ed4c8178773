#include "ring.h"

/* ring_write writes n bytes to the ring; a write to a full ring wraps
 * around and overwrites the oldest bytes. */
void ring_write(struct ring *r, const unsigned char *p, size_t n) {
	for (size_t i = 0; i < n; i++) {
		r->buf[r->head] = p[i];
		r->head = (r->head + 1) % r->size;
		if (r->full)
			r->tail = r->head; /* overwrote the oldest byte */
		else if (r->head == r->tail)
			r->full = 1;
	}
}
