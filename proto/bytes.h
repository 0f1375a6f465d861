/*
 * bytes: big-endian (network order) integers at any byte address, for the
 * codecs that build and parse wire formats byte by byte rather than through
 * aligned structs. Inline: they are a few shifts each.
 */
#ifndef LT_BYTES_H
#define LT_BYTES_H

#include <stdint.h>

/* The 32-bit big-endian value at p. */
static inline uint32_t bytes_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Store v at p as 32 bits big-endian. */
static inline void bytes_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
