/* Symmetric-key authentication: ntp_mac, keyfile, keytab, authkeys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authkeys.h"
#include "keyfile.h"
#include "keytab.h"
#include "ntp_mac.h"
#include "suites.h"

static const uint8_t rfc4493_msg[64] = {
	0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a,
	0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51,
	0x30, 0xc8, 0x1c, 0x46, 0xa3, 0x5c, 0xe4, 0x11, 0xe5, 0xfb, 0xc1, 0x19, 0x1a, 0x0a, 0x52, 0xef,
	0xf6, 0x9f, 0x24, 0x45, 0xdf, 0x4f, 0x9b, 0x17, 0xad, 0x2b, 0x41, 0x7b, 0xe6, 0x6c, 0x37, 0x10,
};
static const uint8_t aes128_key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
					 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
static const uint8_t aes256_key[32] = {
	0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
	0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4,
};

/* RFC 4493 4 (AES-128) and NIST SP 800-38B D.3 (AES-256) examples. */
static const struct {
	enum ntp_mac_type type;
	size_t len;
	uint8_t tag[16];
} cmac_vectors[] = {
	{ NTP_MAC_AES128, 0, { 0xbb, 0x1d, 0x69, 0x29, 0xe9, 0x59, 0x37, 0x28, 0x7f, 0xa3, 0x7d, 0x12, 0x9b, 0x75, 0x67, 0x46 } },
	{ NTP_MAC_AES128, 16, { 0x07, 0x0a, 0x16, 0xb4, 0x6b, 0x4d, 0x41, 0x44, 0xf7, 0x9b, 0xdd, 0x9d, 0xd0, 0x4a, 0x28, 0x7c } },
	{ NTP_MAC_AES128, 40, { 0xdf, 0xa6, 0x67, 0x47, 0xde, 0x9a, 0xe6, 0x30, 0x30, 0xca, 0x32, 0x61, 0x14, 0x97, 0xc8, 0x27 } },
	{ NTP_MAC_AES128, 64, { 0x51, 0xf0, 0xbe, 0xbf, 0x7e, 0x3b, 0x9d, 0x92, 0xfc, 0x49, 0x74, 0x17, 0x79, 0x36, 0x3c, 0xfe } },
	{ NTP_MAC_AES256, 0, { 0x02, 0x89, 0x62, 0xf6, 0x1b, 0x7b, 0xf8, 0x9e, 0xfc, 0x6b, 0x55, 0x1f, 0x46, 0x67, 0xd9, 0x83 } },
	{ NTP_MAC_AES256, 16, { 0x28, 0xa7, 0x02, 0x3f, 0x45, 0x2e, 0x8f, 0x82, 0xbd, 0x4b, 0xf2, 0x8d, 0x8c, 0x37, 0xc3, 0x5c } },
	{ NTP_MAC_AES256, 40, { 0xaa, 0xf3, 0xd8, 0xf1, 0xde, 0x56, 0x40, 0xc2, 0x32, 0xf5, 0xb1, 0x69, 0xb9, 0xc9, 0x11, 0xe6 } },
	{ NTP_MAC_AES256, 64, { 0xe1, 0x99, 0x21, 0x90, 0x54, 0x9f, 0x6e, 0xd5, 0x69, 0x6a, 0x2c, 0x05, 0x6c, 0x31, 0x54, 0x10 } },
};

START_TEST(cmac_known_answers)
{
	struct ntp_mac_key k;
	uint8_t out[NTP_MAC_LEN_MAX];
	int t = cmac_vectors[_i].type;

	ck_assert_int_eq(ntp_mac_key_init(&k, 0x01020304, t, t == NTP_MAC_AES128 ? aes128_key : aes256_key,
					  t == NTP_MAC_AES128 ? 16 : 32), 0);
	ck_assert_uint_eq(ntp_mac_write(&k, rfc4493_msg, cmac_vectors[_i].len, out), 20);
	ck_assert_mem_eq(out, "\x01\x02\x03\x04", 4);
	ck_assert_mem_eq(out + 4, cmac_vectors[_i].tag, 16);
	ck_assert_int_eq(ntp_mac_check(&k, rfc4493_msg, cmac_vectors[_i].len, cmac_vectors[_i].tag), 1);
	/* Reused: the prepared key is not changed by a MAC. */
	ntp_mac_write(&k, rfc4493_msg, cmac_vectors[_i].len, out);
	ck_assert_mem_eq(out + 4, cmac_vectors[_i].tag, 16);
}
END_TEST

/* H(key || message), as chrony and ntpd compute it; expected digests from
 * Python's hashlib over the same bytes, cut to 20. */
static const struct {
	enum ntp_mac_type type;
	const char *key;
	unsigned int dlen;
	uint8_t dgst[20];
} hash_vectors[] = {
	{ NTP_MAC_MD5, "linetime-md5-key", 16, { 0x3d, 0x9e, 0x4b, 0x6a, 0xcf, 0xb0, 0xe0, 0x10, 0xd2, 0x04, 0xe0, 0x88, 0x85, 0x92, 0x98, 0xa5 } },
	{ NTP_MAC_SHA1, "a-twenty-byte-secret", 20, { 0x39, 0x29, 0x61, 0x5a, 0xf4, 0x21, 0x99, 0x4e, 0x3d, 0x30, 0x9e, 0x6d, 0xc3, 0xc6, 0xf5, 0x49, 0x7e, 0xeb, 0x9a, 0x78 } },
	{ NTP_MAC_SHA256, "k", 20, { 0x2f, 0xe2, 0xd3, 0x43, 0x48, 0xed, 0xdd, 0x17, 0xe9, 0xce, 0xf0, 0xfa, 0x20, 0xaa, 0xa4, 0xc5, 0x6c, 0x95, 0x3c, 0x20 } },
	{ NTP_MAC_SHA512, "short", 20, { 0xab, 0x08, 0xa2, 0x62, 0x43, 0x1d, 0x75, 0xe9, 0xf3, 0xc6, 0x38, 0x56, 0xb2, 0xe6, 0x2a, 0xc7, 0xd8, 0x6e, 0xf4, 0x63 } },
};

START_TEST(hash_known_answers)
{
	uint8_t msg[48], out[NTP_MAC_LEN_MAX], bad[20];
	struct ntp_mac_key k;

	msg[0] = 0x23;
	for (int i = 1; i < 48; i++)
		msg[i] = (uint8_t)i;
	ck_assert_int_eq(ntp_mac_key_init(&k, 42, hash_vectors[_i].type,
					  (const uint8_t *)hash_vectors[_i].key,
					  strlen(hash_vectors[_i].key)), 0);
	ck_assert_uint_eq(k.digest_len, hash_vectors[_i].dlen);
	ck_assert_uint_eq(ntp_mac_write(&k, msg, 48, out), 4 + hash_vectors[_i].dlen);
	ck_assert_mem_eq(out, "\0\0\0\x2a", 4);
	ck_assert_mem_eq(out + 4, hash_vectors[_i].dgst, hash_vectors[_i].dlen);
	ck_assert_int_eq(ntp_mac_check(&k, msg, 48, out + 4), 1);
	/* Any bit of message or digest changed fails. */
	for (int bit = 0; bit < 48 * 8; bit += 37) {
		msg[bit / 8] ^= (uint8_t)(1 << bit % 8);
		ck_assert_int_eq(ntp_mac_check(&k, msg, 48, out + 4), 0);
		msg[bit / 8] ^= (uint8_t)(1 << bit % 8);
	}
	memcpy(bad, out + 4, sizeof(bad));
	bad[hash_vectors[_i].dlen - 1] ^= 1;
	ck_assert_int_eq(ntp_mac_check(&k, msg, 48, bad), 0);
}
END_TEST

START_TEST(key_lengths_and_names)
{
	struct ntp_mac_key k;
	uint8_t secret[65] = { 1 };

	ck_assert_int_eq(ntp_mac_key_init(&k, 1, NTP_MAC_AES128, secret, 15), -EINVAL);
	ck_assert_int_eq(ntp_mac_key_init(&k, 1, NTP_MAC_AES128, secret, 32), -EINVAL);
	ck_assert_int_eq(ntp_mac_key_init(&k, 1, NTP_MAC_AES256, secret, 32), 0);
	ck_assert_int_eq(ntp_mac_key_init(&k, 1, NTP_MAC_MD5, secret, 0), -EINVAL);
	ck_assert_int_eq(ntp_mac_key_init(&k, 1, NTP_MAC_MD5, secret, 64), 0);
	ck_assert_int_eq(ntp_mac_key_init(&k, 1, NTP_MAC_MD5, secret, 65), -EINVAL);
	ck_assert_int_eq(ntp_mac_key_init(&k, 1, NTP_MAC_NONE, secret, 8), -EINVAL);
	ck_assert_int_eq(ntp_mac_type_parse("aes128"), NTP_MAC_AES128);
	ck_assert_int_eq(ntp_mac_type_parse("AES128CMAC"), NTP_MAC_AES128);
	ck_assert_int_eq(ntp_mac_type_parse("aes-128"), NTP_MAC_AES128);
	ck_assert_int_eq(ntp_mac_type_parse("M"), NTP_MAC_MD5);
	ck_assert_int_eq(ntp_mac_type_parse("sha1"), NTP_MAC_SHA1);
	ck_assert_int_eq(ntp_mac_type_parse("DES"), NTP_MAC_NONE);
	ck_assert_str_eq(ntp_mac_type_name(NTP_MAC_AES256), "AES256");
	ck_assert_str_eq(ntp_mac_type_name(NTP_MAC_NONE), "none");
}
END_TEST

START_TEST(mac_found_after_extension_fields)
{
	uint8_t p[200] = { 0 };

	ck_assert_uint_eq(ntp_mac_find(p, 48), 0);
	ck_assert_uint_eq(ntp_mac_find(p, 52), 0);  /* a crypto-NAK is no MAC */
	ck_assert_uint_eq(ntp_mac_find(p, 68), 48);
	ck_assert_uint_eq(ntp_mac_find(p, 72), 48);
	ck_assert_uint_eq(ntp_mac_find(p, 70), 0);
	/* a 16-byte field, then a 20-byte MAC */
	p[50] = 0;
	p[51] = 16;
	ck_assert_uint_eq(ntp_mac_find(p, 84), 64);
	ck_assert_uint_eq(ntp_mac_find(p, 64), 0);  /* fields alone */
	p[51] = 18;                                 /* not a multiple of 4 */
	ck_assert_uint_eq(ntp_mac_find(p, 86), 0);
	p[51] = 200;                                /* past the end */
	ck_assert_uint_eq(ntp_mac_find(p, 100), 0);
}
END_TEST

/* --- keyfile ------------------------------------------------------------ */

static struct keyfile kf;

START_TEST(keyfile_chrony_format)
{
	char err[256];
	const char *text = "# linetime test keys\n"
			   "\n"
			   "1 plain-text-md5\n"
			   "2 MD5 ASCII:with:colons\n"
			   "3 SHA1 HEX:0102030405060708090a0b0c0d0e0f1011121314\n"
			   "  4\tAES128 HEX:2b7e151628aed2a6abf7158809cf4f3c\r\n"
			   "4294967295 AES256 HEX:603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4\n"
			   "6 SHA512 x";

	ck_assert_int_eq(keyfile_parse(text, "keys", &kf, err, sizeof(err)), 0);
	ck_assert_uint_eq(kf.n, 6);
	ck_assert_uint_eq(kf.keys[0].type, NTP_MAC_MD5);
	ck_assert_uint_eq(kf.keys[0].len, 14);
	ck_assert_mem_eq(kf.keys[0].secret, "plain-text-md5", 14);
	ck_assert_mem_eq(kf.keys[1].secret, "with:colons", 11);
	ck_assert_uint_eq(kf.keys[2].len, 20);
	ck_assert_uint_eq(kf.keys[2].secret[19], 0x14);
	ck_assert_uint_eq(kf.keys[3].type, NTP_MAC_AES128);
	ck_assert_mem_eq(kf.keys[3].secret, aes128_key, 16);
	ck_assert_uint_eq(kf.keys[3].line, 6);
	ck_assert_uint_eq(kf.keys[4].id, 4294967295U);
	ck_assert_mem_eq(kf.keys[4].secret, aes256_key, 32);
	ck_assert_ptr_eq(keyfile_find(&kf, 6), &kf.keys[5]);
	ck_assert_ptr_null(keyfile_find(&kf, 5));
	keyfile_clear(&kf);
	ck_assert_uint_eq(kf.n, 0);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad_keyfiles[] = {
	{ "0 MD5 secret\n", "keys:1: key id \"0\" is not a number from 1 to 4294967295" },
	{ "4294967296 MD5 secret\n", "keys:1: key id \"4294967296\" is not" },
	{ "-1 MD5 secret\n", "keys:1: key id is not a number" },
	{ "x1 MD5 secret\n", "keys:1: key id \"x1\" is not" },
	{ "1\n", "keys:1: expected ID [TYPE] KEY, got no key" },
	{ "1 MD5 a b\n", "keys:1: expected ID [TYPE] KEY, got 4 fields" },
	{ "\n1 DES secret\n", "keys:2: key 1: unknown type \"DES\"" },
	{ "1 AES128 HEX:2b7e151628aed2a6\n", "keys:1: key 1: AES128 needs a 16-byte key, got 8 bytes" },
	{ "1 AES256 sixteen-byte-key\n", "keys:1: key 1: AES256 needs a 32-byte key, got 16 bytes" },
	{ "1 SHA1 HEX:abc\n", "keys:1: key 1: HEX: needs an even" },
	{ "1 SHA1 HEX:zz\n", "keys:1: key 1: HEX: key has a character that is not a hex digit" },
	{ "1 SHA1 HEX:\n", "keys:1: key 1: HEX: needs an even, nonzero" },
	{ "1 MD5 ASCII:\n", "keys:1: key 1: empty key" },
	{ "1 MD5 0123456789012345678901234567890123456789012345678901234567890123456789\n",
	  "keys:1: key 1: key longer than 64 bytes" },
	{ "1 MD5 one\n2 MD5 two\n1 SHA1 three\n", "keys:3: key 1: listed twice (also line 1)" },
};

START_TEST(keyfile_errors)
{
	char err[256];

	ck_assert_int_eq(keyfile_parse(bad_keyfiles[_i].text, "keys", &kf, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strncmp(err, bad_keyfiles[_i].msg, strlen(bad_keyfiles[_i].msg)) == 0,
		      "got \"%s\", want \"%s...\"", err, bad_keyfiles[_i].msg);
	/* A message never shows a secret. */
	ck_assert_ptr_null(strstr(err, "secret"));
	ck_assert_ptr_null(strstr(err, "sixteen"));
	ck_assert_ptr_null(strstr(err, "0123456789"));
	keyfile_clear(&kf);
}
END_TEST

START_TEST(keyfile_from_disk)
{
	char path[] = "/tmp/lt-keys.XXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("10 AES128 HEX:2b7e151628aed2a6abf7158809cf4f3c\n", f);
	fclose(f);
	ck_assert_int_eq(keyfile_load(path, &kf, err, sizeof(err)), 0);
	ck_assert_uint_eq(kf.n, 1);
	unlink(path);
	ck_assert_int_eq(keyfile_load(path, &kf, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
	keyfile_clear(&kf);
}
END_TEST

/* --- keytab and authkeys ------------------------------------------------- */

START_TEST(keytab_sorted_lookup)
{
	static struct lt_key k[300];
	struct keytab *t;
	char err[128];

	for (unsigned int i = 0; i < 300; i++) {
		k[i].id = (i * 7919U) % 1000 + 1; /* distinct, unordered */
		k[i].slot = (uint16_t)i;
		k[i].type = NTP_MAC_MD5;
		k[i].len = 4;
		memcpy(k[i].secret, "abcd", 4);
	}
	t = keytab_build(k, 300, err, sizeof(err));
	ck_assert_ptr_nonnull(t);
	for (unsigned int i = 0; i < 300; i++) {
		const struct keytab_key *f = keytab_find(t, k[i].id);
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(f->slot, i);
		ck_assert_uint_eq(f->mac.id, k[i].id);
	}
	ck_assert_ptr_null(keytab_find(t, 0));
	ck_assert_ptr_null(keytab_find(t, 1001));
	keytab_free(t);

	k[5].id = k[6].id;
	ck_assert_ptr_null(keytab_build(k, 300, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "listed twice"));
	k[5].id = 5000;
	k[7].type = NTP_MAC_AES128; /* a 4-byte secret */
	ck_assert_ptr_null(keytab_build(k, 300, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not usable"));
	k[7].type = NTP_MAC_MD5;
	k[8].slot = LT_KEYS_MAX;
	ck_assert_ptr_null(keytab_build(k, 300, err, sizeof(err)));
	t = keytab_build(k, 0, err, sizeof(err));
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(keytab_find(t, 1));
	keytab_free(t);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Keys keep their counter slots across reloads; a bad file changes nothing. */
START_TEST(authkeys_slots_survive_reload)
{
	static struct authkeys a;
	char path[] = "/tmp/lt-authkeys.XXXXXX", err[256];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	memset(&a, 0, sizeof(a));
	write_file(path, "1 MD5 one\n2 SHA1 two\n3 AES128 HEX:2b7e151628aed2a6abf7158809cf4f3c\n");
	ck_assert_int_eq(authkeys_load(&a, path, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.n, 3);
	uint16_t slot2 = a.pub[1].slot, slot3 = a.pub[2].slot;
	ck_assert_ptr_nonnull(authkeys_find(&a, 3));
	ck_assert_uint_eq(authkeys_find(&a, 3)->type, NTP_MAC_AES128);

	/* 1 goes, 4 comes: 2 and 3 keep their slots, 4 takes 1's. */
	write_file(path, "3 AES128 HEX:2b7e151628aed2a6abf7158809cf4f3c\n4 MD5 four\n2 SHA1 two\n");
	uint16_t slot1 = a.pub[0].slot;
	ck_assert_int_eq(authkeys_load(&a, path, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.n, 3);
	ck_assert_uint_eq(a.pub[0].id, 3);
	ck_assert_uint_eq(a.pub[0].slot, slot3);
	ck_assert_uint_eq(a.pub[2].slot, slot2);
	ck_assert_uint_eq(a.pub[1].slot, slot1);
	ck_assert_ptr_null(authkeys_find(&a, 1));

	write_file(path, "5 AES128 short\n");
	ck_assert_int_eq(authkeys_load(&a, path, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_uint_eq(a.n, 3);
	ck_assert_uint_eq(a.load_errors, 1);
	ck_assert_ptr_nonnull(authkeys_find(&a, 4));

	/* No keyfile: no keys. */
	ck_assert_int_eq(authkeys_load(&a, "", NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.n, 0);
	unlink(path);
	authkeys_clear(&a);
}
END_TEST

Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *m = tcase_create("ntp_mac"), *f = tcase_create("keyfile"), *t = tcase_create("keys");

	tcase_add_loop_test(m, cmac_known_answers, 0, (int)(sizeof(cmac_vectors) / sizeof(cmac_vectors[0])));
	tcase_add_loop_test(m, hash_known_answers, 0, (int)(sizeof(hash_vectors) / sizeof(hash_vectors[0])));
	tcase_add_test(m, key_lengths_and_names);
	tcase_add_test(m, mac_found_after_extension_fields);
	tcase_add_test(f, keyfile_chrony_format);
	tcase_add_loop_test(f, keyfile_errors, 0, (int)(sizeof(bad_keyfiles) / sizeof(bad_keyfiles[0])));
	tcase_add_test(f, keyfile_from_disk);
	tcase_add_test(t, keytab_sorted_lookup);
	tcase_add_test(t, authkeys_slots_survive_reload);
	suite_add_tcase(s, m);
	suite_add_tcase(s, f);
	suite_add_tcase(s, t);
	return s;
}
