/*
 * seqlock: one writer, many lock-free readers, across processes.
 *
 * The writer makes the sequence odd, writes, makes it even. A reader copies
 * the protected data between two reads of the sequence and retries if the
 * sequence was odd or changed. Readers never block the writer, and the
 * writer (control) never waits for the dataplane. The counter lives in
 * shared memory, so only atomics and fences are used, never a pointer.
 */
#ifndef LT_SEQLOCK_H
#define LT_SEQLOCK_H

#include <stdint.h>

typedef struct {
	uint32_t seq;
} seqlock_t;

static inline void seqlock_write_begin(seqlock_t *s)
{
	uint32_t v = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, v + 1, __ATOMIC_RELAXED);
	/* The odd value must be visible before any data store. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void seqlock_write_end(seqlock_t *s)
{
	uint32_t v = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, v + 1, __ATOMIC_RELEASE);
}

/* Returns the sequence to pass to seqlock_read_retry(); spins while a write
 * is in progress (the writer holds it for a few stores only). */
static inline uint32_t seqlock_read_begin(const seqlock_t *s)
{
	uint32_t v;
	while ((v = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE)) & 1U)
		__builtin_ia32_pause();
	return v;
}

/* Nonzero if the data read since seqlock_read_begin() may be torn. */
static inline int seqlock_read_retry(const seqlock_t *s, uint32_t start)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->seq, __ATOMIC_RELAXED) != start;
}

/*
 * A copy of a seqlocked object must not be an optimised memcpy that the
 * compiler may merge or reorder around the fences: copy through volatile
 * words. n must be a multiple of 8 and both pointers 8-byte aligned.
 */
static inline void seqlock_copy(void *dst, const void *src, unsigned long n)
{
	const volatile uint64_t *s = (const volatile uint64_t *)src;
	uint64_t *d = (uint64_t *)dst;
	for (unsigned long i = 0; i < n / 8; i++)
		d[i] = s[i];
}

#endif
