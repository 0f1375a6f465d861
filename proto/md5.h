/*
 * md5: the MD5 digest (RFC 1321). NTP uses it where RFC 5905 says so: the
 * reference id of an IPv6 upstream is the first four bytes of the MD5 of
 * its address. Not for anything that needs a secure hash.
 */
#ifndef LT_MD5_H
#define LT_MD5_H

#include <stddef.h>
#include <stdint.h>

/* digest = MD5(data[0..len)). */
void md5(const void *data, size_t len, uint8_t digest[16]);

#endif
