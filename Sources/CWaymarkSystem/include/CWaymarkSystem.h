#ifndef CWAYMARK_SYSTEM_H
#define CWAYMARK_SYSTEM_H

#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// CRC-32C (Castagnoli) of `length` bytes, continuing from `crc` (start with 0).
/// Uses the SSE4.2 CRC32 instruction when the CPU has it, else a table.
uint32_t wm_crc32c(uint32_t crc, const void *data, size_t length);

/// CRC-32C computed with the portable table, whatever the CPU: for tests of both paths.
uint32_t wm_crc32c_portable(uint32_t crc, const void *data, size_t length);

/// 1 when `wm_crc32c` uses the CPU instruction, 0 when it uses the table.
int wm_crc32c_is_hardware(void);

/// SHA-256 of `length` bytes into `out` (32 bytes). Uses the CPU's SHA extensions when it
/// has them, else a portable compression function.
void wm_sha256(const void *data, size_t length, uint8_t out[32]);

/// SHA-256 with the portable compression function, whatever the CPU: for tests of both paths.
void wm_sha256_portable(const void *data, size_t length, uint8_t out[32]);

/// 1 when `wm_sha256` uses the CPU's SHA extensions.
int wm_sha256_is_hardware(void);

/// 1 when the `needle_length` bytes at `needle` occur in the `length` bytes at `haystack` (as
/// memmem; SSE2 compares sixteen places at a time where the CPU has it).
int wm_contains(const void *haystack, size_t length, const void *needle, size_t needle_length);


/// Index of the first '"' or '\\' among the `length` bytes at `p` (`length` when there is
/// none): where a JSON string's run of plain bytes ends. Sixteen bytes at a time with SSE2
/// where the CPU has it. Defined here in the header (static inline), so each Swift module
/// that calls it compiles its own copy and calls it directly.
static inline size_t wm_find_quote_or_backslash(const uint8_t *p, size_t length) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    while (i + 16 <= length) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        int hits = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
        if (hits) return i + (size_t)__builtin_ctz((unsigned)hits);
        i += 16;
    }
#endif
    while (i < length && p[i] != '"' && p[i] != '\\') i++;
    return i;
}

/// The structural index of the `length` bytes of JSON at `p`: writes to `out` the offset of
/// every '"' and of every '{', '}', '[' and ']' outside strings, in order, and returns how
/// many (each string appears as its opening and closing quote; colons and commas are not
/// indexed). Returns SIZE_MAX, having written part of `out`, when the bytes hold a backslash
/// (an escape), which this index does not follow. `out` must have room for `length` rounded
/// up to a multiple of 64, plus 64 (offsets are written eight at a time). Offsets are 32
/// bits: `length` must be below 2^32. AVX2 where the CPU has it, else `_baseline`.
size_t wm_json_structure(const uint8_t *p, size_t length, uint32_t *out);

/// `wm_json_structure` with SSE2 only (every x86-64), whatever the CPU: for tests of both paths.
size_t wm_json_structure_baseline(const uint8_t *p, size_t length, uint32_t *out);

/// Whether any of the `length` bytes at `p` is ',', '"', LF or CR: a CSV field that must be
/// quoted. Sixteen bytes at a time with SSE2 where the CPU has it; static inline, as above.
static inline int wm_csv_needs_quotes(const uint8_t *p, size_t length) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    while (i + 16 <= length) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, comma), _mm_cmpeq_epi8(x, quote)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr)));
        if (_mm_movemask_epi8(hit)) return 1;
        i += 16;
    }
#endif
    for (; i < length; i++) {
        const uint8_t c = p[i];
        if (c == ',' || c == '"' || c == '\n' || c == '\r') return 1;
    }
    return 0;
}

/// Asks the CPU to start loading the cache line at `address` (a hint: never faults).
static inline void wm_prefetch(const void *address) { __builtin_prefetch(address); }

/// Keeps freed memory in the heap for reuse (no mmap for large blocks, no trimming), so
/// buffers built and freed again and again are not zeroed afresh by the kernel each time.
void wm_keep_freed_memory(void);

/// Starts writing back `length` bytes of `fd` from `offset` without waiting (sync_file_range
/// SYNC_FILE_RANGE_WRITE), so a later fdatasync has little left to wait for. 0 or -1.
int wm_start_writeback(int fd, long long offset, long long length);

#endif

#ifndef CWAYMARK_SYSTEM_PROCESS_H
#define CWAYMARK_SYSTEM_PROCESS_H
/// Atomically exchanges two paths (renameat2 RENAME_EXCHANGE). 0 on success, else -1 and errno.
int wm_exchange_paths(const char *a, const char *b);

/// Installs SIGTERM and SIGINT handlers that only record that a stop was asked for.
void wm_install_stop_handlers(void);

/// 1 once SIGTERM or SIGINT has arrived.
int wm_stop_requested(void);
#endif
