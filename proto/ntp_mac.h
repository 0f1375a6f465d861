/*
 * ntp_mac: symmetric-key message authentication codes for NTP (RFC 5905
 * 7.3 and 9.2, RFC 8573), as chrony and ntpd compute them.
 *
 * A MAC ends the packet: a 32-bit key identifier and a digest over
 * everything before it (the header and any extension fields).
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                      Key Identifier                           |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |                                                               |
 *    |                   dgst (128 or 160 bits)                      |
 *    |                                                               |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Hash keys (MD5, SHA1, SHA256/384/512) digest H(key || message); digests
 * longer than 20 bytes are cut to 20, the longest an NTPv4 MAC may carry.
 * AES keys digest AES-CMAC(key, message) (RFC 4493, RFC 8573 4), 16 bytes.
 * A MAC that is only the 4-byte key identifier 0 is a crypto-NAK.
 *
 * A key is prepared once (the cipher schedule, or the hash state after the
 * key) into a fixed-size struct; computing a MAC then copies a little state
 * and never allocates, locks or calls the kernel, so the dataplane may do it
 * per packet. The crypto is nettle's.
 */
#ifndef LT_NTP_MAC_H
#define LT_NTP_MAC_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/aes.h>
#include <nettle/cmac.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

enum ntp_mac_type {
	NTP_MAC_NONE = 0,
	NTP_MAC_MD5,
	NTP_MAC_SHA1,
	NTP_MAC_SHA256,
	NTP_MAC_SHA384,
	NTP_MAC_SHA512,
	NTP_MAC_AES128,  /* AES-128-CMAC, RFC 8573's recommendation */
	NTP_MAC_AES256,  /* AES-256-CMAC */
	NTP_MAC_TYPES
};

#define NTP_MAC_KEY_MAX 64        /* longest secret accepted, bytes */
#define NTP_MAC_DIGEST_MAX 20     /* longest digest an NTPv4 MAC carries */
#define NTP_MAC_LEN_MAX (4 + NTP_MAC_DIGEST_MAX)
#define NTP_MAC_NAK_LEN 4         /* key identifier 0 alone */

/* A key ready to use: nothing in it points anywhere, so it may be copied. */
struct ntp_mac_key {
	uint32_t id;
	uint8_t type;                 /* enum ntp_mac_type */
	uint8_t digest_len;           /* bytes of digest in the MAC */
	union {
		struct md5_ctx md5;   /* state after the secret */
		struct sha1_ctx sha1;
		struct sha256_ctx sha256;
		struct sha512_ctx sha512; /* also SHA384 */
		struct {
			struct cmac128_key k;
			union {
				struct aes128_ctx a128;
				struct aes256_ctx a256;
			} c;
		} cmac;
	} u;
};

/* The type named name as chrony's keyfile writes it ("MD5", "SHA1",
 * "SHA256", "SHA384", "SHA512", "AES128", "AES256"), also ntpd's and
 * ntpsec's spellings ("M", "AES128CMAC", "AES-128", "aes-128-cmac", any
 * case); NTP_MAC_NONE if unknown. */
enum ntp_mac_type ntp_mac_type_parse(const char *name);

/* chrony's name of a type ("AES128"), "none" for NTP_MAC_NONE. */
const char *ntp_mac_type_name(enum ntp_mac_type t);

/* Digest bytes a type puts in a MAC (16 or 20); 0 for NTP_MAC_NONE. */
unsigned int ntp_mac_digest_len(enum ntp_mac_type t);

/* Secret length a type needs: 16 or 32 for the AES types, 0 for hash
 * types (which take 1..NTP_MAC_KEY_MAX bytes). */
unsigned int ntp_mac_key_len(enum ntp_mac_type t);

/* Prepare k from a secret. Returns 0, or -EINVAL for an unknown type or a
 * secret of the wrong length. */
int ntp_mac_key_init(struct ntp_mac_key *k, uint32_t id, enum ntp_mac_type t,
		     const uint8_t *secret, size_t len);

/* Write the MAC of msg[0, len) under k at out: key identifier, then
 * k->digest_len bytes. Returns the MAC's length (4 + digest_len). */
unsigned int ntp_mac_write(const struct ntp_mac_key *k, const uint8_t *msg, size_t len,
			   uint8_t *out);

/* 1 if the digest of msg[0, len) under k is the digest_len bytes at dgst
 * (compared in constant time), else 0. */
int ntp_mac_check(const struct ntp_mac_key *k, const uint8_t *msg, size_t len,
		  const uint8_t *dgst);

/* Where the MAC of an NTP packet of n bytes starts, as RFC 7822 7.5 has a
 * receiver find it: after the 48-byte header and any extension fields, a
 * remainder of 20 or 24 bytes. Returns its offset from the packet start,
 * or 0 if the packet carries no MAC of those sizes (a crypto-NAK's 4 bytes
 * are not one). The caller has checked the extension fields' layout. */
unsigned int ntp_mac_find(const uint8_t *pkt, size_t n);

#endif
