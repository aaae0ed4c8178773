/* archive.h: an archive and the entries of its central directory. */
#ifndef ARCHIVE_H
#define ARCHIVE_H

#include <stdint.h>

struct zipent {
	uint32_t crc;
	uint64_t size;
	char *name;
};

#endif
