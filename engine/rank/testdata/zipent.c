/*
 * zipent.c -- read and write a zipent, one entry of the central
 * directory: every zipent of an archive, and each zipent's name.
 */

#include <stdlib.h>
#include <string.h>

#include "archive.h"

struct zipent *zipent_new(const char *name) {
	struct zipent *ze = calloc(1, sizeof(*ze));
	if (ze == NULL) {
		return NULL;
	}
	ze->name = strdup(name);
	return ze;
}

void zipent_free(struct zipent *ze) {
	if (ze == NULL) {
		return;
	}
	free(ze->name);
	free(ze);
}
