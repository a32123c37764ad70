#include "CWaymarkSystem.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* The JSON structural index (after simdjson's first stage, Langdale and Lemire 2019): the
   offsets of every quote and of every bracket outside strings, found 64 bytes at a time. Per
   block: bit masks of quotes, backslashes and brackets; a prefix XOR of the quote mask gives
   the bytes inside strings (carried from block to block), whose brackets drop out; the
   quotes stay in, so each string shows as its opening and closing quote. Colons and commas
   are left out: the reader checks them where it expects them, one byte each, cheaper than
   an offset each. Bytes with a backslash are refused (SIZE_MAX): an escaped quote needs the
   odd-backslash-run logic, and escapes are rare enough in events that the caller's
   byte-by-byte scanner takes them. */

/* Bit k of the result: the XOR of bits 0...k of x (1 from an opening quote up to, not
   including, its closing quote). */
static inline uint64_t prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

typedef struct { uint64_t quote, backslash, bracket; } block_masks;

/* Masks of 64 bytes, sixteen at a time (SSE2, in every x86-64) or one at a time. */
static inline block_masks masks_baseline(const uint8_t *p) {
    block_masks m = {0, 0, 0};
#if defined(__SSE2__)
    for (int k = 0; k < 4; k++) {
        const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        /* { and [ differ only in bit 0x20, as do } and ]. */
        const __m128i folded = _mm_or_si128(x, _mm_set1_epi8(0x20));
        const __m128i brackets = _mm_or_si128(_mm_cmpeq_epi8(folded, _mm_set1_epi8('{')), _mm_cmpeq_epi8(folded, _mm_set1_epi8('}')));
        m.quote |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('"'))) << (16 * k);
        m.backslash |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))) << (16 * k);
        m.bracket |= (uint64_t)(uint16_t)_mm_movemask_epi8(brackets) << (16 * k);
    }
#else
    for (int k = 0; k < 64; k++) {
        const uint8_t c = p[k];
        m.quote |= (uint64_t)(c == '"') << k;
        m.backslash |= (uint64_t)(c == '\\') << k;
        m.bracket |= (uint64_t)(c == '{' || c == '}' || c == '[' || c == ']') << k;
    }
#endif
    return m;
}

#if defined(__x86_64__)
/* Masks of 32 bytes (AVX2). */
__attribute__((target("avx2"))) static inline void masks32_avx2(const uint8_t *p, uint32_t *quote, uint32_t *backslash, uint32_t *bracket) {
    const __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)p);
    const __m256i folded = _mm256_or_si256(x, _mm256_set1_epi8(0x20));
    const __m256i brackets = _mm256_or_si256(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8('{')), _mm256_cmpeq_epi8(folded, _mm256_set1_epi8('}')));
    *quote = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('"')));
    *backslash = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('\\')));
    *bracket = (uint32_t)_mm256_movemask_epi8(brackets);
}

/* Masks of 64 bytes, thirty-two at a time (AVX2). */
__attribute__((target("avx2"))) static inline block_masks masks_avx2(const uint8_t *p) {
    uint32_t q0, b0, k0, q1, b1, k1;
    masks32_avx2(p, &q0, &b0, &k0);
    masks32_avx2(p + 32, &q1, &b1, &k1);
    block_masks m = {q0 | (uint64_t)q1 << 32, b0 | (uint64_t)b1 << 32, k0 | (uint64_t)k1 << 32};
    /* Kept as words: without this clang takes the masks apart into 64 separate bits. */
    __asm__("" : "+r"(m.quote), "+r"(m.backslash), "+r"(m.bracket));
    return m;
}
#endif

/* The index, with the masks of each block from `masks` (inlined: one copy per kind). */
#define STRUCTURE_BODY(masks)                                                                   \
    size_t count = 0;                                                                           \
    uint64_t in_string = 0; /* all ones while a string runs on into the next block */           \
    for (size_t base = 0; base < length; base += 64) {                                          \
        block_masks m;                                                                          \
        if (base + 64 <= length) {                                                              \
            m = masks(p + base);                                                                \
        } else {                                                                                \
            uint8_t tail[64];                                                                   \
            memset(tail, ' ', sizeof tail);                                                     \
            memcpy(tail, p + base, length - base);                                              \
            m = masks(tail);                                                                    \
        }                                                                                       \
        if (m.backslash) return SIZE_MAX;                                                       \
        const uint64_t inside = prefix_xor(m.quote) ^ in_string;                                \
        in_string = (uint64_t)((int64_t)inside >> 63);                                          \
        uint64_t bits = (m.bracket & ~inside) | m.quote;                                        \
        /* Eight offsets written at a time whether or not that many bits are left (the          \
           caller's room allows it): fewer unpredictable branches than one per bit. */          \
        const size_t n = (size_t)__builtin_popcountll(bits);                                    \
        uint32_t *o = out + count;                                                              \
        for (size_t k = 0; k < n; k += 8) {                                                     \
            for (int j = 0; j < 8; j++) {                                                       \
                uint64_t at = (uint64_t)__builtin_ctzll(bits | (1ULL << 63));                   \
                /* One scalar TZCNT each: clang would vectorise these eight by popcounts. */    \
                __asm__("" : "+r"(at));                                                         \
                o[k + j] = (uint32_t)(base + at);                                               \
                bits &= bits - 1;                                                               \
            }                                                                                   \
        }                                                                                       \
        count += n;                                                                             \
    }                                                                                           \
    return count;

size_t wm_json_structure_baseline(const uint8_t *p, size_t length, uint32_t *out) {
    STRUCTURE_BODY(masks_baseline)
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) static size_t structure_avx2(const uint8_t *p, size_t length, uint32_t *out) {
    STRUCTURE_BODY(masks_avx2)
}

/* 1: the CPU has AVX2; 0: it has not; -1: not asked yet (a race only asks twice). */
static int has_avx2 = -1;

size_t wm_json_structure(const uint8_t *p, size_t length, uint32_t *out) {
    int avx2 = __atomic_load_n(&has_avx2, __ATOMIC_RELAXED);
    if (avx2 < 0) {
        avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&has_avx2, avx2, __ATOMIC_RELAXED);
    }
    return avx2 ? structure_avx2(p, length, out) : wm_json_structure_baseline(p, length, out);
}
#else
size_t wm_json_structure(const uint8_t *p, size_t length, uint32_t *out) {
    return wm_json_structure_baseline(p, length, out);
}
#endif
