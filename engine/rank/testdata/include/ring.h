/* ring.h: a ring buffer of bytes; a write to a full ring wraps around. */
#ifndef RING_H
#define RING_H

#include <stddef.h>

struct ring {
	unsigned char *buf;
	size_t size, head, tail;
	int full;
};

static inline int ring_at_capacity(const struct ring *r) {
	if (r->full)
		return 1;
	return 0;
}

void ring_write(struct ring *r, const unsigned char *p, size_t n);

#endif
