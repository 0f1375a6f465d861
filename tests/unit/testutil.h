/*
 * testutil: small helpers the unit suites share. The checksum here is the
 * slow, obvious RFC 1071 sum, written independently of proto/inet.c so
 * tests check the production code against it rather than against itself.
 */
#ifndef LT_TESTUTIL_H
#define LT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Big-endian 16-bit read. */
uint16_t tu_get16(const uint8_t *p);

/* RFC 1071 Internet checksum of n bytes, one byte at a time. */
uint16_t tu_ref_csum(const uint8_t *p, size_t n);

#endif
