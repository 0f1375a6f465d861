/* ntp_mac: symmetric-key MACs for NTP (see ntp_mac.h). */
#include "ntp_mac.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include <nettle/memops.h>

#include "bytes.h"
#include "ntp_packet.h"

static const struct {
	const char *name;
	enum ntp_mac_type type;
} type_names[] = {
	/* chrony's names first: ntp_mac_type_name() returns these. */
	{ "MD5", NTP_MAC_MD5 },
	{ "SHA1", NTP_MAC_SHA1 },
	{ "SHA256", NTP_MAC_SHA256 },
	{ "SHA384", NTP_MAC_SHA384 },
	{ "SHA512", NTP_MAC_SHA512 },
	{ "AES128", NTP_MAC_AES128 },
	{ "AES256", NTP_MAC_AES256 },
	/* ntpd and ntpsec */
	{ "M", NTP_MAC_MD5 },
	{ "SHA", NTP_MAC_SHA1 },
	{ "AES128CMAC", NTP_MAC_AES128 },
	{ "AES-128", NTP_MAC_AES128 },
	{ "AES-128-CMAC", NTP_MAC_AES128 },
	{ "AES256CMAC", NTP_MAC_AES256 },
	{ "AES-256", NTP_MAC_AES256 },
	{ "AES-256-CMAC", NTP_MAC_AES256 },
};

enum ntp_mac_type ntp_mac_type_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcasecmp(name, type_names[i].name))
			return type_names[i].type;
	return NTP_MAC_NONE;
}

const char *ntp_mac_type_name(enum ntp_mac_type t)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == t)
			return type_names[i].name;
	return "none";
}

unsigned int ntp_mac_digest_len(enum ntp_mac_type t)
{
	switch (t) {
	case NTP_MAC_MD5:
	case NTP_MAC_AES128:
	case NTP_MAC_AES256:
		return 16;
	case NTP_MAC_SHA1:
	case NTP_MAC_SHA256:
	case NTP_MAC_SHA384:
	case NTP_MAC_SHA512:
		return 20;
	default:
		return 0;
	}
}

unsigned int ntp_mac_key_len(enum ntp_mac_type t)
{
	return t == NTP_MAC_AES128 ? AES128_KEY_SIZE : t == NTP_MAC_AES256 ? AES256_KEY_SIZE : 0;
}

int ntp_mac_key_init(struct ntp_mac_key *k, uint32_t id, enum ntp_mac_type t,
		     const uint8_t *secret, size_t len)
{
	memset(k, 0, sizeof(*k));
	if (!ntp_mac_digest_len(t))
		return -EINVAL;
	if (ntp_mac_key_len(t) ? len != ntp_mac_key_len(t) : (len < 1 || len > NTP_MAC_KEY_MAX))
		return -EINVAL;
	k->id = id;
	k->type = (uint8_t)t;
	k->digest_len = (uint8_t)ntp_mac_digest_len(t);
	switch (t) {
	case NTP_MAC_MD5:
		md5_init(&k->u.md5);
		md5_update(&k->u.md5, len, secret);
		break;
	case NTP_MAC_SHA1:
		sha1_init(&k->u.sha1);
		sha1_update(&k->u.sha1, len, secret);
		break;
	case NTP_MAC_SHA256:
		sha256_init(&k->u.sha256);
		sha256_update(&k->u.sha256, len, secret);
		break;
	case NTP_MAC_SHA384:
		sha384_init(&k->u.sha512);
		sha384_update(&k->u.sha512, len, secret);
		break;
	case NTP_MAC_SHA512:
		sha512_init(&k->u.sha512);
		sha512_update(&k->u.sha512, len, secret);
		break;
	case NTP_MAC_AES128:
		aes128_set_encrypt_key(&k->u.cmac.c.a128, secret);
		cmac128_set_key(&k->u.cmac.k, &k->u.cmac.c.a128,
				(nettle_cipher_func *)aes128_encrypt);
		break;
	case NTP_MAC_AES256:
		aes256_set_encrypt_key(&k->u.cmac.c.a256, secret);
		cmac128_set_key(&k->u.cmac.k, &k->u.cmac.c.a256,
				(nettle_cipher_func *)aes256_encrypt);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* The digest of msg under k, cut to k->digest_len, at out. The prepared
 * state is copied, never changed, so one key may serve many callers. */
static void digest(const struct ntp_mac_key *k, const uint8_t *msg, size_t len, uint8_t *out)
{
	uint8_t full[SHA512_DIGEST_SIZE];

	switch (k->type) {
	case NTP_MAC_MD5: {
		struct md5_ctx c = k->u.md5;
		md5_update(&c, len, msg);
		md5_digest(&c, MD5_DIGEST_SIZE, out);
		return;
	}
	case NTP_MAC_SHA1: {
		struct sha1_ctx c = k->u.sha1;
		sha1_update(&c, len, msg);
		sha1_digest(&c, SHA1_DIGEST_SIZE, out);
		return;
	}
	case NTP_MAC_SHA256: {
		struct sha256_ctx c = k->u.sha256;
		sha256_update(&c, len, msg);
		sha256_digest(&c, SHA256_DIGEST_SIZE, full);
		break;
	}
	case NTP_MAC_SHA384: {
		struct sha512_ctx c = k->u.sha512;
		sha384_update(&c, len, msg);
		sha384_digest(&c, SHA384_DIGEST_SIZE, full);
		break;
	}
	case NTP_MAC_SHA512: {
		struct sha512_ctx c = k->u.sha512;
		sha512_update(&c, len, msg);
		sha512_digest(&c, SHA512_DIGEST_SIZE, full);
		break;
	}
	case NTP_MAC_AES128:
	case NTP_MAC_AES256: {
		nettle_cipher_func *enc = k->type == NTP_MAC_AES128
						  ? (nettle_cipher_func *)aes128_encrypt
						  : (nettle_cipher_func *)aes256_encrypt;
		struct cmac128_ctx c;

		cmac128_init(&c);
		cmac128_update(&c, &k->u.cmac.c, enc, len, msg);
		cmac128_digest(&c, &k->u.cmac.k, &k->u.cmac.c, enc, 16, out);
		return;
	}
	default:
		memset(out, 0, k->digest_len);
		return;
	}
	memcpy(out, full, k->digest_len);
}

unsigned int ntp_mac_write(const struct ntp_mac_key *k, const uint8_t *msg, size_t len,
			   uint8_t *out)
{
	bytes_put_be32(out, k->id);
	digest(k, msg, len, out + 4);
	return 4U + k->digest_len;
}

int ntp_mac_check(const struct ntp_mac_key *k, const uint8_t *msg, size_t len,
		  const uint8_t *dgst)
{
	uint8_t want[NTP_MAC_DIGEST_MAX];

	if (!k->digest_len)
		return 0;
	digest(k, msg, len, want);
	return memeql_sec(want, dgst, k->digest_len);
}

unsigned int ntp_mac_find(const uint8_t *pkt, size_t n)
{
	size_t off = NTP_HEADER_LEN;

	while (off < n) {
		size_t left = n - off, flen;

		if (left == 20 || left == 24)
			return (unsigned int)off;
		if (left < 16)
			return 0;
		flen = (size_t)pkt[off + 2] << 8 | pkt[off + 3];
		if (flen < 16 || (flen & 3) || flen > left)
			return 0;
		off += flen;
	}
	return 0;
}
