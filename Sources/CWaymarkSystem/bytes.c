#define _GNU_SOURCE
#include "CWaymarkSystem.h"
#include <string.h>

int wm_contains(const void *haystack, size_t length, const void *needle, size_t needle_length) {
    return memmem(haystack, length, needle, needle_length) != NULL;
}
