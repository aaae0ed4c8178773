/* ring.h: a ring buffer of bytes that wraps around when it is full. */
#ifndef RING_H
#define RING_H

#include <stddef.h>

struct ring {
	unsigned char *buf;
	size_t size, head, len;
};

/* ring_full reports whether the ring buffer is full. */
static inline int ring_full(const struct ring *r) {
	return r->len == r->size;
}

/* ring_put writes one byte, wrapping around when the buffer is full. */
void ring_put(struct ring *r, unsigned char c);

#endif
