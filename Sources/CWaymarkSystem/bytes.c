#define _GNU_SOURCE
#include "CWaymarkSystem.h"
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>

/* Sixteen candidate starts at a time: a start survives when the needle's first byte is at it
   and its last byte is needle_length - 1 further on (both compared for 16 starts in two SSE2
   instructions); only survivors get a memcmp of the bytes between. Words of an event rarely
   share both ends with the needle, so this reads the payload about once, where glibc's
   memmem works byte by byte for needles this short. */
int wm_contains(const void *haystack, size_t length, const void *needle, size_t needle_length) {
    const unsigned char *h = haystack, *n = needle;
    if (needle_length == 0) return 1;
    if (needle_length > length) return 0;
    if (needle_length == 1) return memchr(h, n[0], length) != NULL;
    const __m128i first = _mm_set1_epi8((char)n[0]);
    const __m128i last = _mm_set1_epi8((char)n[needle_length - 1]);
    size_t i = 0;
    for (; i + needle_length - 1 + 16 <= length; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(h + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(h + i + needle_length - 1));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
        while (mask != 0) {
            unsigned k = (unsigned)__builtin_ctz(mask);
            if (memcmp(h + i + k + 1, n + 1, needle_length - 2) == 0) return 1;
            mask &= mask - 1;
        }
    }
    for (; i + needle_length <= length; i++) {
        if (h[i] == n[0] && memcmp(h + i, n, needle_length) == 0) return 1;
    }
    return 0;
}
#else
int wm_contains(const void *haystack, size_t length, const void *needle, size_t needle_length) {
    return memmem(haystack, length, needle, needle_length) != NULL;
}
#endif

#include <malloc.h>

void wm_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

#include <fcntl.h>

int wm_start_writeback(int fd, long long offset, long long length) {
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
}
